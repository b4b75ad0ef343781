extern crate std;

use super::*;
use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::{Groth16, Proof, VerifyingKey};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError, Variable,
};
use ark_snark::SNARK;
use serde_json::Value;
use std::vec::Vec;
use std::{format, println, string::String};

/// A tiny circuit with one public input: `x = w^3 + w + 5`.
#[derive(Clone)]
struct Cube {
    w: Option<Fr>,
    x: Option<Fr>,
}

impl ConstraintSynthesizer<Fr> for Cube {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let x = cs.new_input_variable(|| self.x.ok_or(SynthesisError::AssignmentMissing))?;
        let w = cs.new_witness_variable(|| self.w.ok_or(SynthesisError::AssignmentMissing))?;
        let sq_val = self.w.map(|w| w * w);
        let sq = cs.new_witness_variable(|| sq_val.ok_or(SynthesisError::AssignmentMissing))?;
        let cube_val = sq_val.zip(self.w).map(|(s, w)| s * w);
        let cube = cs.new_witness_variable(|| cube_val.ok_or(SynthesisError::AssignmentMissing))?;
        let one = || LinearCombination::from(Variable::One);
        cs.enforce_r1cs_constraint(|| w.into(), || w.into(), || sq.into())?;
        cs.enforce_r1cs_constraint(|| sq.into(), || w.into(), || cube.into())?;
        cs.enforce_r1cs_constraint(
            || LinearCombination::from(cube) + w + (Fr::from(5u64), Variable::One),
            one,
            || x.into(),
        )?;
        Ok(())
    }
}

fn fq_be(v: &Fq) -> Vec<u8> {
    v.into_bigint().to_bytes_be()
}

fn g1_bytes(p: &G1Affine) -> Vec<u8> {
    match p.xy() {
        Some((x, y)) => [fq_be(&x), fq_be(&y)].concat(),
        None => std::vec![0u8; 64],
    }
}

fn g2_bytes(p: &G2Affine) -> Vec<u8> {
    let (x, y) = p.xy().unwrap();
    [fq_be(&x.c1), fq_be(&x.c0), fq_be(&y.c1), fq_be(&y.c0)].concat()
}

fn vk_bytes(vk: &VerifyingKey<Bn254>) -> [u8; VK_SIZE] {
    [
        g1_bytes(&vk.alpha_g1),
        g2_bytes(&vk.beta_g2),
        g2_bytes(&vk.gamma_g2),
        g2_bytes(&vk.delta_g2),
        g1_bytes(&vk.gamma_abc_g1[0]),
        g1_bytes(&vk.gamma_abc_g1[1]),
    ]
    .concat()
    .try_into()
    .unwrap()
}

fn proof_bytes(p: &Proof<Bn254>) -> [u8; PROOF_SIZE] {
    [g1_bytes(&p.a), g2_bytes(&p.b), g1_bytes(&p.c)].concat().try_into().unwrap()
}

fn fr_bytes(v: &Fr) -> [u8; 32] {
    v.into_bigint().to_bytes_be().try_into().unwrap()
}

/// Parses our bytes with arkworks' own checks (canonical, on curve, in subgroup).
fn ark_fq(b: &[u8]) -> Option<Fq> {
    let v = Fq::from_be_bytes_mod_order(b);
    (fq_be(&v) == b).then_some(v)
}

fn ark_g1(b: &[u8]) -> Option<G1Affine> {
    if b.iter().all(|x| *x == 0) {
        return Some(G1Affine::zero());
    }
    let p = G1Affine::new_unchecked(ark_fq(&b[..32])?, ark_fq(&b[32..])?);
    (p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve()).then_some(p)
}

fn ark_g2(b: &[u8]) -> Option<G2Affine> {
    let x = Fq2::new(ark_fq(&b[32..64])?, ark_fq(&b[..32])?);
    let y = Fq2::new(ark_fq(&b[96..128])?, ark_fq(&b[64..96])?);
    let p = G2Affine::new_unchecked(x, y);
    (p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve()).then_some(p)
}

/// The independent verifier: arkworks' Groth16 on our byte encodings.
fn ark_verify(vk: &[u8; VK_SIZE], proof: &[u8; PROOF_SIZE], input: &[u8; 32]) -> bool {
    let parsed = (|| {
        let vk = VerifyingKey::<Bn254> {
            alpha_g1: ark_g1(&vk[0..64])?,
            beta_g2: ark_g2(&vk[64..192])?,
            gamma_g2: ark_g2(&vk[192..320])?,
            delta_g2: ark_g2(&vk[320..448])?,
            gamma_abc_g1: std::vec![ark_g1(&vk[448..512])?, ark_g1(&vk[512..576])?],
        };
        let proof = Proof::<Bn254> {
            a: ark_g1(&proof[..64])?,
            b: ark_g2(&proof[64..192])?,
            c: ark_g1(&proof[192..])?,
        };
        let x = Fr::from_be_bytes_mod_order(input);
        (fr_bytes(&x) == *input).then_some((vk, proof, x))
    })();
    match parsed {
        Some((vk, proof, x)) => Groth16::<Bn254>::verify(&vk, &[x], &proof).unwrap_or(false),
        None => false,
    }
}

struct Fixture {
    vk: [u8; VK_SIZE],
    proofs: Vec<([u8; PROOF_SIZE], [u8; 32])>,
}

fn fixture() -> Fixture {
    use ark_std::rand::SeedableRng;
    let mut rng = ark_std::rand::rngs::StdRng::seed_from_u64(7);
    let (pk, vk) =
        Groth16::<Bn254>::circuit_specific_setup(Cube { w: None, x: None }, &mut rng).unwrap();
    let proofs = (1u64..4)
        .map(|i| {
            let w = Fr::from(i * 1_000_003);
            let x = w * w * w + w + Fr::from(5u64);
            let proof =
                Groth16::<Bn254>::prove(&pk, Cube { w: Some(w), x: Some(x) }, &mut rng).unwrap();
            (proof_bytes(&proof), fr_bytes(&x))
        })
        .collect();
    Fixture { vk: vk_bytes(&vk), proofs }
}

#[test]
fn valid_proofs_accepted_by_both() {
    let f = fixture();
    assert_eq!(validate_verifying_key(&f.vk), Ok(()));
    for (proof, x) in &f.proofs {
        assert!(ark_verify(&f.vk, proof, x));
        assert_eq!(verify(&f.vk, proof, x), Ok(()));
    }
}

/// (name, vk, proof, public input)
type Case = (String, [u8; VK_SIZE], [u8; PROOF_SIZE], [u8; 32]);

#[test]
fn mutations_rejected_by_both() {
    let f = fixture();
    let (proof, x) = f.proofs[0];
    let mut cases: Vec<Case> = Vec::new();
    // Bit flips in every coordinate of the proof (first and last byte).
    for coord in 0..8 {
        for (byte, bit) in [(0usize, 0x01u8), (31, 0x01), (31, 0x80), (16, 0x10)] {
            let mut p = proof;
            p[coord * 32 + byte] ^= bit;
            cases.push((format!("proof coord {coord} byte {byte}"), f.vk, p, x));
        }
    }
    // Bit flips in every coordinate of the key.
    for coord in 0..18 {
        let mut vk = f.vk;
        vk[coord * 32 + 31] ^= 1;
        cases.push((format!("vk coord {coord}"), vk, proof, x));
    }
    // Wrong statement, proofs for other statements, A pre-negated, A and C swapped.
    let mut x1 = x;
    x1[31] ^= 1;
    cases.push(("input + 1".into(), f.vk, proof, x1));
    cases.push(("other proof".into(), f.vk, f.proofs[1].0, x));
    let mut neg = proof;
    let na = zkpin_crypto::g1_negate(&proof[..64].try_into().unwrap()).unwrap();
    neg[..64].copy_from_slice(&na);
    cases.push(("A negated by the client".into(), f.vk, neg, x));
    let mut swapped = proof;
    swapped[..64].copy_from_slice(&proof[192..]);
    swapped[192..].copy_from_slice(&proof[..64]);
    cases.push(("A and C swapped".into(), f.vk, swapped, x));
    let mut vk_swapped = f.vk;
    vk_swapped[448..512].copy_from_slice(&f.vk[512..576]);
    vk_swapped[512..576].copy_from_slice(&f.vk[448..512]);
    cases.push(("IC0 and IC1 swapped".into(), vk_swapped, proof, x));
    let mut zero_a = proof;
    zero_a[..64].fill(0);
    cases.push(("A = infinity".into(), f.vk, zero_a, x));
    assert_eq!(cases.len(), 56);
    for (name, vk, p, input) in &cases {
        assert!(!ark_verify(vk, p, input), "ark accepted {name}");
        assert!(verify(vk, p, input).is_err(), "zkpin-groth16 accepted {name}");
    }
}

#[test]
fn typed_errors() {
    let f = fixture();
    let (proof, x) = f.proofs[0];
    // P >= r: x + r still fits in 32 bytes when x is small.
    let r = BN254_R_BYTES;
    assert_eq!(verify(&f.vk, &proof, &r), Err(Groth16Error::PublicInputNotInField));
    let mut p = proof;
    p[..32].copy_from_slice(&BN254_P); // A.x = p
    assert_eq!(verify(&f.vk, &p, &x), Err(Groth16Error::InvalidProofA));
    let mut p = proof;
    p[63] ^= 1; // A off the curve
    assert_eq!(verify(&f.vk, &p, &x), Err(Groth16Error::InvalidProofA));
    let mut p = proof;
    p[64..192].fill(0);
    assert_eq!(verify(&f.vk, &p, &x), Err(Groth16Error::ProofRejected));
    assert_eq!(classify(&f.vk, &p), Groth16Error::InvalidProofB);
    let mut p = proof;
    p[64..96].copy_from_slice(&BN254_P);
    assert_eq!(verify(&f.vk, &p, &x), Err(Groth16Error::InvalidProofB));
    let mut p = proof;
    p[191] ^= 1; // B off the twist
    assert_eq!(verify(&f.vk, &p, &x), Err(Groth16Error::InvalidProofB));
    let mut p = proof;
    p[255] ^= 1; // C off the curve
    assert_eq!(verify(&f.vk, &p, &x), Err(Groth16Error::InvalidProofC));
    let mut p = proof;
    p[192..].fill(0);
    assert_eq!(verify(&f.vk, &p, &x), Err(Groth16Error::ProofRejected));
    assert_eq!(classify(&f.vk, &p), Groth16Error::InvalidProofC);
    let mut vk = f.vk;
    vk[575] ^= 1; // IC1 off the curve
    assert_eq!(verify(&vk, &proof, &x), Err(Groth16Error::InvalidVerifyingKey));
    assert_eq!(validate_verifying_key(&vk), Err(Groth16Error::InvalidVerifyingKey));
    let mut vk = f.vk;
    vk[191] ^= 1; // beta off the twist
    assert_eq!(validate_verifying_key(&vk), Err(Groth16Error::InvalidVerifyingKey));
    let mut vk = f.vk;
    vk[448..512].copy_from_slice(&BN254_P[..].repeat(2));
    assert_eq!(verify(&vk, &proof, &x), Err(Groth16Error::InvalidVerifyingKey));
    let mut x1 = x;
    x1[31] ^= 1;
    assert_eq!(verify(&f.vk, &proof, &x1), Err(Groth16Error::ProofRejected));
}

const BN254_R_BYTES: [u8; 32] = zkpin_crypto::BN254_R;
use zkpin_crypto::BN254_P;

fn dec32(s: &str) -> [u8; 32] {
    let v = num_from_dec(s);
    v.to_bytes_be().try_into().unwrap()
}

fn num_from_dec(s: &str) -> ark_ff::BigInt<4> {
    let mut limbs = [0u64; 4];
    for c in s.bytes() {
        let mut carry = (c - b'0') as u128;
        for l in limbs.iter_mut() {
            let v = (*l as u128) * 10 + carry;
            *l = v as u64;
            carry = v >> 64;
        }
    }
    ark_ff::BigInt::new(limbs)
}

fn json_g1(v: &Value) -> Vec<u8> {
    [dec32(v[0].as_str().unwrap()), dec32(v[1].as_str().unwrap())].concat()
}

fn json_g2(v: &Value) -> Vec<u8> {
    let s = |a: usize, b: usize| dec32(v[a][b].as_str().unwrap());
    [s(0, 1), s(0, 0), s(1, 1), s(1, 0)].concat()
}

/// The snarkjs fixture written by the circuits side (tests/vectors/groth16.json).
#[test]
fn snarkjs_fixture() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/groth16.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        println!("note: {path} not present, snarkjs fixture test skipped");
        return;
    };
    let v: Value = serde_json::from_str(&text).unwrap();
    // Our own conversion of the snarkjs JSON agrees with the committed bytes.
    let vk_json = &v["vk"];
    let vk: [u8; VK_SIZE] = [
        json_g1(&vk_json["vk_alpha_1"]),
        json_g2(&vk_json["vk_beta_2"]),
        json_g2(&vk_json["vk_gamma_2"]),
        json_g2(&vk_json["vk_delta_2"]),
        json_g1(&vk_json["IC"][0]),
        json_g1(&vk_json["IC"][1]),
    ]
    .concat()
    .try_into()
    .unwrap();
    assert_eq!(hex::encode(vk), v["vk_bytes_hex"].as_str().unwrap());
    let pj = &v["proof"];
    let proof: [u8; PROOF_SIZE] =
        [json_g1(&pj["pi_a"]), json_g2(&pj["pi_b"]), json_g1(&pj["pi_c"])]
            .concat()
            .try_into()
            .unwrap();
    assert_eq!(hex::encode(proof), v["proof_bytes_hex"].as_str().unwrap());
    let input = dec32(v["public_signals"][0].as_str().unwrap());
    assert_eq!(hex::encode(input), v["public_inputs_hex"][0].as_str().unwrap());
    // P recomputed from the plain fields with zkpin-encoding.
    let f = &v["public_input_fields"];
    let num = |k: &str| -> i64 {
        match &f[k] {
            Value::Number(n) => n.as_i64().unwrap(),
            Value::String(s) => s.parse().unwrap(),
            _ => panic!("{k}"),
        }
    };
    let key =
        |k: &str| -> [u8; 32] { hex::decode(f[k].as_str().unwrap()).unwrap().try_into().unwrap() };
    let fields = zkpin_encoding::PublicInputFields {
        network: key("network_hex"),
        device: key("device_hex"),
        bjj_key_hash: hex::decode(f["bjj_key_hash_hex"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap(),
        model_id: num("model_id") as u32,
        seq: num("seq") as u64,
        timestamp: num("timestamp"),
        input_commitment: hex::decode(f["input_commitment_hex"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap(),
        class: num("class") as u8,
        score: num("score"),
    };
    assert_eq!(fields.public_input().unwrap(), input);
    assert_eq!(validate_verifying_key(&vk), Ok(()));
    assert_eq!(verify(&vk, &proof, &input), Ok(()));
    assert!(ark_verify(&vk, &proof, &input));
    let mut bad = proof;
    bad[200] ^= 1;
    assert!(verify(&vk, &bad, &input).is_err());
    let mut x1 = input;
    x1[31] ^= 1;
    assert_eq!(verify(&vk, &proof, &x1), Err(Groth16Error::ProofRejected));
}
