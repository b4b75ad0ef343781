//! `P` as the program computes it from its arguments, against the real attestation vector
//! (tests/vectors/attestation.json, proven by the circuit with the dev key).
use inference_attestation::{
    args::{SubmitAttestationArgs, SUBMIT_ATTESTATION_ARGS_LEN},
    instructions::submit_attestation::public_input,
};

fn hex32(v: &serde_json::Value) -> [u8; 32] {
    hex::decode(v.as_str().unwrap()).unwrap().try_into().unwrap()
}

/// Borsh `SubmitAttestationArgs` with the vector's fields (seq included) and the device leaf
/// at seq `seq - 1`.
fn args_bytes(v: &serde_json::Value) -> Vec<u8> {
    let f = &v["public_input_fields"];
    let seq: u64 = f["seq"].as_str().unwrap().parse().unwrap();
    let mut b = Vec::new();
    b.extend_from_slice(&hex::decode(v["proof_bytes_hex"].as_str().unwrap()).unwrap());
    b.extend_from_slice(&hex32(&f["device_hex"])); // device
    b.extend_from_slice(&[2; 32]); // owner
    b.extend_from_slice(&[3; 32]); // maker
    b.extend_from_slice(&hex32(&f["bjj_key_hash_hex"]));
    b.extend_from_slice(&(f["model_id"].as_u64().unwrap() as u32).to_le_bytes());
    b.extend_from_slice(&(seq - 1).to_le_bytes());
    b.push(1); // status
    b.extend_from_slice(&5u32.to_le_bytes()); // leaf_index
    b.extend_from_slice(&[4; 32]); // root
    b.extend_from_slice(&seq.to_le_bytes()); // the reading's seq
    let ts: i64 = f["timestamp"].as_str().unwrap().parse().unwrap();
    b.extend_from_slice(&ts.to_le_bytes());
    b.extend_from_slice(&hex32(&f["input_commitment_hex"]));
    b.push(f["class"].as_u64().unwrap() as u8);
    let score: i64 = f["score"].as_str().unwrap().parse().unwrap();
    b.extend_from_slice(&score.to_le_bytes());
    b
}

fn vector() -> serde_json::Value {
    serde_json::from_str(include_str!("../../../tests/vectors/attestation.json")).unwrap()
}

/// The network account address the vector's proof was made for.
fn network(v: &serde_json::Value) -> [u8; 32] {
    hex32(&v["public_input_fields"]["network_hex"])
}

#[test]
fn p_matches_the_attestation_vector() {
    let v = vector();
    let bytes = args_bytes(&v);
    assert_eq!(bytes.len(), SUBMIT_ATTESTATION_ARGS_LEN);
    let args = SubmitAttestationArgs::parse(&bytes).unwrap();
    assert_eq!(args.current.leaf_index, 5);
    assert_eq!(args.seq, args.current.leaf.seq + 1);
    let network = network(&v);
    let mut p = [0u8; 32];
    public_input(&network, &args, &mut p).unwrap();
    assert_eq!(hex::encode(p), v["public_input_hex"].as_str().unwrap());

    // Every public field changes P: the network account and each argument.
    let mut other = [0u8; 32];
    for i in [0, 15, 16, 31] {
        let mut n = network;
        n[i] ^= 1;
        public_input(&n, &args, &mut other).unwrap();
        assert_ne!(other, p, "network byte {i}");
    }
    for offset in [
        256,                // device (first byte)
        256 + 31,           // device (last byte)
        256 + 96,           // bjj_key_hash
        256 + 128,          // model_id
        256 + 177,          // seq
        256 + 185,          // timestamp
        256 + 185 + 8 + 31, // input_commitment (last byte)
        256 + 185 + 8 + 32, // class
        256 + 185 + 8 + 33, // score
    ] {
        let mut b = bytes.clone();
        b[offset] ^= 1;
        let a = SubmitAttestationArgs::parse(&b).unwrap();
        public_input(&network, &a, &mut other).unwrap();
        assert_ne!(other, p, "offset {offset}");
    }
}

#[test]
fn field_elements_at_or_above_r_are_refused() {
    let v = vector();
    let r = zkpin_crypto_r();
    for offset in [256 + 96, 256 + 185 + 8] {
        let mut b = args_bytes(&v);
        b[offset..offset + 32].copy_from_slice(&r);
        let a = SubmitAttestationArgs::parse(&b).unwrap();
        let mut p = [0u8; 32];
        assert_eq!(
            public_input(&network(&v), &a, &mut p),
            Err(inference_attestation::error::AttestationError::InvalidFieldElement)
        );
    }
}

fn zkpin_crypto_r() -> [u8; 32] {
    hex::decode("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001")
        .unwrap()
        .try_into()
        .unwrap()
}

#[test]
fn short_or_long_arguments_are_refused() {
    let bytes = args_bytes(&vector());
    assert!(SubmitAttestationArgs::parse(&bytes[..bytes.len() - 1]).is_err());
    let mut long = bytes.clone();
    long.push(0);
    assert!(SubmitAttestationArgs::parse(&long).is_err());
}
