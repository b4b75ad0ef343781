//! zkpin native Groth16 prover and verifier (BN254) for snarkjs `.zkey` files.
//!
//! `zkpin-native-prover <circuit.zkey> [--vk <verification_key.json>|-] [--trace]` loads the key
//! once (its points preprocessed in memory), then serves requests on stdin. A request is
//! `len u32 LE || payload`; each answer is one JSON line, `{"error":"…"}` when it fails:
//! - a snarkjs `.wtns` (as circom's witness calculators write it): prove it, and with `--vk`
//!   verify the proof against that key. Answer `{"proof":{…},"publicSignals":[…],
//!   "proveMs":…,"verified":true|false,"verifyMs":…}` (proof and signals in snarkjs's format;
//!   `verified`/`verifyMs` only with `--vk`, `verifyError` when the check could not run);
//! - JSON `{"verify":{"proof":{…},"publicSignals":[…]}}`: verify a given proof against the
//!   `--vk` key. Answer `{"verified":true|false,"verifyMs":…}`.
//!
//! `--vk` names the snarkjs verifying key the caller trusts (not the zkey's own copy, so that a
//! zkey that does not belong to it yields unverified proofs); `--vk -` reads it as the first
//! request on stdin. The first line out is `{"ready":true,…}` once everything is loaded. A zero
//! length or end of input ends the process. `--trace` prints the time of each proving phase
//! on stderr. The binary reads no environment variables: the oracle passes its settings
//! (oracle/src/env.ts) as arguments.

use std::io::{BufWriter, Read, Write};

use ark_bn254::{Fq, Fr};
use ark_ff::{BigInt, BigInteger, PrimeField};

use serde_json::Value;
use zkpin_native_prover::binfile::{limbs, u32le, BinFile};
use zkpin_native_prover::verify::{proof_from_json, PreparedVk};
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

fn ms(t: std::time::Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 1e6).round() / 1e3
}

fn prove_answer(
    pk: &prove::Prepared,
    vk: Option<&PreparedVk>,
    req: &[u8],
    trace: bool,
) -> Result<String, String> {
    let t0 = std::time::Instant::now();
    let w = read_wtns(req)?;
    let p = prove::prove(pk, &w, trace)?;
    let prove_ms = ms(t0);
    let publics = &w[1..=pk.n_public];
    let verified = vk.map(|vk| {
        let t = std::time::Instant::now();
        let r = vk.verify(&p, publics);
        (r, ms(t))
    });
    let (ax, ay) = (p.a.x, p.a.y);
    let (bx, by) = (p.b.x, p.b.y);
    let (cx, cy) = (p.c.x, p.c.y);
    let signals: Vec<String> = publics.iter().map(|v| format!("\"{}\"", v.into_bigint())).collect();
    let check = match verified {
        None => String::new(),
        Some((Ok(ok), t)) => format!(",\"verified\":{ok},\"verifyMs\":{t}"),
        Some((Err(e), t)) => {
            format!(",\"verified\":false,\"verifyMs\":{t},\"verifyError\":{}", Value::from(e))
        }
    };
    Ok(format!(
        concat!(
            "{{\"proof\":{{\"pi_a\":[\"{}\",\"{}\",\"1\"],",
            "\"pi_b\":[[\"{}\",\"{}\"],[\"{}\",\"{}\"],[\"1\",\"0\"]],",
            "\"pi_c\":[\"{}\",\"{}\",\"1\"],\"protocol\":\"groth16\",\"curve\":\"bn128\"}},",
            "\"publicSignals\":[{}],\"proveMs\":{}{}}}"
        ),
        dec(ax),
        dec(ay),
        dec(bx.c0),
        dec(bx.c1),
        dec(by.c0),
        dec(by.c1),
        dec(cx),
        dec(cy),
        signals.join(","),
        prove_ms,
        check
    ))
}

fn verify_answer(vk: Option<&PreparedVk>, req: &[u8]) -> Result<String, String> {
    let vk = vk.ok_or("no verifying key: start the prover with --vk")?;
    let v: Value = serde_json::from_slice(req).map_err(|e| format!("request is not JSON: {e}"))?;
    let r = v.get("verify").ok_or("unknown request: expected a .wtns or {\"verify\":…}")?;
    let proof = r.get("proof").ok_or("verify: missing proof")?;
    let publics = r.get("publicSignals").ok_or("verify: missing publicSignals")?;
    let t = std::time::Instant::now();
    let (p, x) = proof_from_json(proof, publics)?;
    let ok = vk.verify(&p, &x)?;
    Ok(format!("{{\"verified\":{ok},\"verifyMs\":{}}}", ms(t)))
}

fn answer(
    pk: &prove::Prepared,
    vk: Option<&PreparedVk>,
    req: &[u8],
    trace: bool,
) -> Result<String, String> {
    if req.starts_with(b"{") {
        verify_answer(vk, req)
    } else {
        prove_answer(pk, vk, req, trace)
    }
}

fn read_frame(input: &mut impl Read) -> Option<Vec<u8>> {
    let mut len = [0u8; 4];
    input.read_exact(&mut len).ok()?;
    let len = u32::from_le_bytes(len) as usize;
    if len == 0 {
        return None;
    }
    let mut req = vec![0u8; len];
    input.read_exact(&mut req).ok()?;
    Some(req)
}

fn load_vk(path: &str, input: &mut impl Read) -> Result<PreparedVk, String> {
    let bytes = if path == "-" {
        read_frame(input).ok_or("no verifying key on stdin")?
    } else {
        std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?
    };
    let v: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("verifying key {path}: {e}"))?;
    PreparedVk::from_json(&v).map_err(|e| format!("{path}: {e}"))
}

fn fail(msg: String) -> ! {
    eprintln!("{msg}");
    std::process::exit(1);
}

fn main() {
    let usage =
        "usage: zkpin-native-prover <circuit.zkey> [--vk <verification_key.json>|-] [--trace]";
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let trace = args.iter().any(|a| a == "--trace");
    args.retain(|a| a != "--trace");
    let vk_path = match args.iter().position(|a| a == "--vk") {
        Some(i) if i + 1 < args.len() => {
            let p = args.remove(i + 1);
            args.remove(i);
            Some(p)
        }
        Some(_) => fail(usage.into()),
        None => None,
    };
    let path = match args.as_slice() {
        [p] if !p.starts_with("--") => p.clone(),
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let t0 = std::time::Instant::now();
    let pk = std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|d| zkey::read(&d))
        .and_then(prove::Prepared::new)
        .unwrap_or_else(|e| fail(format!("cannot load {path}: {e}")));
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let vk = vk_path.map(|p| load_vk(&p, &mut input).unwrap_or_else(|e| fail(e)));
    let mut out = BufWriter::new(std::io::stdout().lock());
    // Ready signal: the keys are loaded.
    let _ = writeln!(
        out,
        "{{\"ready\":true,\"nVars\":{},\"domainSize\":{},\"verifyingKey\":{},\"loadMs\":{}}}",
        pk.n_vars,
        pk.domain_size,
        vk.is_some(),
        ms(t0)
    );
    let _ = out.flush();
    while let Some(req) = read_frame(&mut input) {
        let line = answer(&pk, vk.as_ref(), &req, trace)
            .unwrap_or_else(|e| format!("{{\"error\":{}}}", Value::from(e)));
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}
