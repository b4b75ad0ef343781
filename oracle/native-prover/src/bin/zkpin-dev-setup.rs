//! `zkpin-dev-setup <circuit.r1cs> <out.zkey>`: the INSECURE development Groth16 setup.
//!
//! Writes a snarkjs `.zkey` whose toxic waste is derived from a public string and the r1cs
//! (see `zkpin_native_prover::setup`), in seconds instead of the minutes snarkjs's phase 1 and
//! phase 2 take in JavaScript. Prints one JSON line with the key's sizes and the time taken.

use std::time::Instant;

use zkpin_native_prover::{r1cs, setup};

const USAGE: &str = "usage: zkpin-dev-setup <circuit.r1cs> <out.zkey>

INSECURE development Groth16 setup (BN254) in snarkjs's .zkey format. The toxic waste
(tau, alpha, beta, gamma, delta) is sha256 of a public string and the r1cs: anyone can
recompute it and forge proofs for the key. Use it for tests and local networks only;
production keys come from the multi-party ceremony in docs/ceremony.md.";

fn run(r1cs_path: &str, zkey_path: &str) -> Result<String, String> {
    let t0 = Instant::now();
    let bytes = std::fs::read(r1cs_path).map_err(|e| format!("cannot read {r1cs_path}: {e}"))?;
    let cs = r1cs::read(&bytes).map_err(|e| format!("{r1cs_path}: {e}"))?;
    let waste = setup::ToxicWaste::derive(&bytes);
    let key = setup::make_zkey(&cs, &waste)?;
    let tmp = format!("{zkey_path}.tmp-{}", std::process::id());
    std::fs::write(&tmp, &key).map_err(|e| format!("cannot write {tmp}: {e}"))?;
    std::fs::rename(&tmp, zkey_path).map_err(|e| format!("cannot write {zkey_path}: {e}"))?;
    Ok(format!(
        "{{\"insecure\":true,\"constraints\":{},\"nVars\":{},\"nPublic\":{},\"domainSize\":{},\"bytes\":{},\"ms\":{}}}",
        cs.constraints.len(),
        cs.n_wires,
        cs.n_public(),
        setup::domain_size(&cs)?,
        key.len(),
        t0.elapsed().as_millis()
    ))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return;
    }
    let [r1cs_path, zkey_path] = args.as_slice() else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    eprintln!("zkpin-dev-setup: INSECURE development key (public toxic waste) for {r1cs_path}");
    match run(r1cs_path, zkey_path) {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("zkpin-dev-setup: {e}");
            std::process::exit(1);
        }
    }
}
