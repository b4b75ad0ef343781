//! zkpin native Groth16 prover (BN254) for snarkjs `.zkey` files.
//!
//! `zkpin-native-prover <circuit.zkey> [--trace]` loads the key once, then serves requests on stdin:
//! each request is `len u32 LE || wtns bytes` (snarkjs `.wtns`, as circom's witness calculator
//! writes it); each answer is one JSON line, `{"proof":{…},"publicSignals":[…]}` in snarkjs's
//! format or `{"error":"…"}`. A zero length or end of input ends the process. `--trace` prints
//! the time of each proving phase on stderr. The binary reads no environment variables: the
//! oracle passes its settings (oracle/src/env.ts) as arguments.
//!
//! The oracle verifies every proof with snarkjs before using it; this binary only has to be fast.

use std::io::{BufWriter, Read, Write};

use ark_bn254::{Fq, Fr};
use ark_ff::{BigInt, BigInteger, PrimeField};

use zkpin_native_prover::binfile::{limbs, u32le, BinFile};
use zkpin_native_prover::{prove, zkey};

fn read_wtns(data: &[u8]) -> Result<Vec<Fr>, String> {
    let f = BinFile::parse(data, b"wtns")?;
    let h = f.section(1)?;
    let n8 = u32le(h, 0)? as usize;
    if n8 != 32 || &h[4..36] != Fr::MODULUS.to_bytes_le().as_slice() {
        return Err("witness is not over the BN254 scalar field".into());
    }
    let n = u32le(h, 36)? as usize;
    let body = f.section(2)?;
    if body.len() != n * 32 {
        return Err("witness section has the wrong size".into());
    }
    body.chunks_exact(32)
        .map(|c| {
            Fr::from_bigint(BigInt::new(limbs(c)))
                .ok_or_else(|| "non-canonical witness value".to_string())
        })
        .collect()
}

fn dec(f: Fq) -> String {
    f.into_bigint().to_string()
}

fn answer(pk: &zkey::ProvingKey, req: &[u8], trace: bool) -> Result<String, String> {
    let w = read_wtns(req)?;
    let p = prove::prove(pk, &w, trace)?;
    let (ax, ay) = (p.a.x, p.a.y);
    let (bx, by) = (p.b.x, p.b.y);
    let (cx, cy) = (p.c.x, p.c.y);
    let publics: Vec<String> =
        w[1..=pk.n_public].iter().map(|v| format!("\"{}\"", v.into_bigint())).collect();
    Ok(format!(
        concat!(
            "{{\"proof\":{{\"pi_a\":[\"{}\",\"{}\",\"1\"],",
            "\"pi_b\":[[\"{}\",\"{}\"],[\"{}\",\"{}\"],[\"1\",\"0\"]],",
            "\"pi_c\":[\"{}\",\"{}\",\"1\"],\"protocol\":\"groth16\",\"curve\":\"bn128\"}},",
            "\"publicSignals\":[{}]}}"
        ),
        dec(ax),
        dec(ay),
        dec(bx.c0),
        dec(bx.c1),
        dec(by.c0),
        dec(by.c1),
        dec(cx),
        dec(cy),
        publics.join(",")
    ))
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let trace = args.iter().any(|a| a == "--trace");
    args.retain(|a| a != "--trace");
    let path = match args.as_slice() {
        [p] if !p.starts_with("--") => p.clone(),
        _ => {
            eprintln!("usage: zkpin-native-prover <circuit.zkey> [--trace]");
            std::process::exit(2);
        }
    };
    let pk = match std::fs::read(&path).map_err(|e| e.to_string()).and_then(|d| zkey::read(&d)) {
        Ok(pk) => pk,
        Err(e) => {
            eprintln!("cannot load {path}: {e}");
            std::process::exit(1);
        }
    };
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    // Ready signal: the key is loaded.
    let _ = writeln!(
        out,
        "{{\"ready\":true,\"nVars\":{},\"domainSize\":{}}}",
        pk.n_vars, pk.domain_size
    );
    let _ = out.flush();
    loop {
        let mut len = [0u8; 4];
        if input.read_exact(&mut len).is_err() {
            break;
        }
        let len = u32::from_le_bytes(len) as usize;
        if len == 0 {
            break;
        }
        let mut req = vec![0u8; len];
        if input.read_exact(&mut req).is_err() {
            break;
        }
        let line = answer(&pk, &req, trace).unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e));
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}
