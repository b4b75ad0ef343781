extern crate std;
use super::*;
use std::vec::Vec;

fn h32(s: &str) -> [u8; 32] {
    hex::decode(s).unwrap().try_into().unwrap()
}

fn fe(v: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[24..].copy_from_slice(&v.to_be_bytes());
    out
}

const G1_GEN: &str = "00000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000002";
const G1_DOUBLE: &str = "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd315ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4";
const G2_GEN: &str = "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";

fn g1(s: &str) -> [u8; 64] {
    hex::decode(s).unwrap().try_into().unwrap()
}

#[test]
fn keccak_and_sha_known_answers() {
    assert_eq!(
        keccak256(&[]),
        h32("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    );
    assert_eq!(keccak256(&[b"ab", b"c"]), keccak256(&[b"abc"]));
    assert_eq!(
        keccak256(&[b"abc"]),
        h32("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    );
    assert_eq!(
        sha256(&[b"a", b"bc"]),
        h32("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
}

#[test]
fn poseidon_matches_circomlibjs() {
    assert_eq!(
        poseidon(&[fe(1)]).unwrap(),
        h32("29176100eaa962bdc1fe6c654d6a3c130e96a4d1168b33848b897dc502820133")
    );
    assert_eq!(
        poseidon(&[fe(1), fe(2)]).unwrap(),
        h32("115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a")
    );
    assert!(poseidon(&[fe(1); 12]).is_ok());
}

#[test]
fn poseidon_rejects_bad_inputs() {
    assert_eq!(poseidon(&[]), Err(CryptoError::PoseidonInvalidInput));
    assert_eq!(poseidon(&[fe(1); 13]), Err(CryptoError::PoseidonInvalidInput));
    assert_eq!(poseidon(&[BN254_R]), Err(CryptoError::PoseidonInvalidInput));
    let mut r_minus_1 = BN254_R;
    r_minus_1[31] -= 1;
    assert!(poseidon(&[r_minus_1]).is_ok());
}

#[test]
fn g1_add_mul_known_answers() {
    let g = g1(G1_GEN);
    assert_eq!(g1_add(&g, &g).unwrap(), g1(G1_DOUBLE));
    assert_eq!(g1_mul(&g, &fe(2)).unwrap(), g1(G1_DOUBLE));
    assert_eq!(g1_add(&g, &[0u8; 64]).unwrap(), g);
    assert_eq!(g1_mul(&g, &fe(0)).unwrap(), [0u8; 64]);
    // r · G = infinity; scalars are not reduced, so (r + 1) · G = G.
    assert_eq!(g1_mul(&g, &BN254_R).unwrap(), [0u8; 64]);
    let mut r1 = BN254_R;
    r1[31] += 1;
    assert_eq!(g1_mul(&g, &r1).unwrap(), g);
    let neg = g1_negate(&g).unwrap();
    assert_eq!(g1_add(&g, &neg).unwrap(), [0u8; 64]);
    assert_eq!(g1_negate(&[0u8; 64]).unwrap(), [0u8; 64]);
    assert_eq!(g1_negate(&neg).unwrap(), g);
}

#[test]
fn g1_rejects_malformed_points() {
    let g = g1(G1_GEN);
    let mut off = g;
    off[63] = 3; // (1, 3) is not on y^2 = x^3 + 3
    assert_eq!(g1_add(&g, &off), Err(CryptoError::Bn254));
    assert_eq!(g1_mul(&off, &fe(1)), Err(CryptoError::Bn254));
    let mut big = g;
    big[32..].copy_from_slice(&BN254_P); // y = p: non-canonical
    assert_eq!(g1_add(&big, &g), Err(CryptoError::Bn254));
    assert_eq!(g1_negate(&big), Err(CryptoError::Bn254));
}

#[test]
fn pairing_checks() {
    let g = g1(G1_GEN);
    let g2: [u8; 128] = hex::decode(G2_GEN).unwrap().try_into().unwrap();
    let neg = g1_negate(&g).unwrap();
    let mut input = Vec::new();
    input.extend_from_slice(&g);
    input.extend_from_slice(&g2);
    assert!(!pairing_check(&input).unwrap());
    input.extend_from_slice(&neg);
    input.extend_from_slice(&g2);
    assert!(pairing_check(&input).unwrap());
    // e(2G, H) · e(-G, H)^2 = 1
    let mut input2 = Vec::new();
    input2.extend_from_slice(&g1(G1_DOUBLE));
    input2.extend_from_slice(&g2);
    input2.extend_from_slice(&neg);
    input2.extend_from_slice(&g2);
    input2.extend_from_slice(&neg);
    input2.extend_from_slice(&g2);
    assert!(pairing_check(&input2).unwrap());
    assert!(pairing_check(&[]).unwrap());
    assert_eq!(pairing_check(&input[..191]), Err(CryptoError::InvalidLength));
    // A G2 point not on the twist.
    let mut bad = input.clone();
    bad[191] ^= 1;
    assert_eq!(pairing_check(&bad), Err(CryptoError::Bn254));
}

#[test]
fn decompression_round_trips() {
    use ark_bn254::{G1Affine, G2Affine};
    use ark_ec::AffineRepr;
    use ark_serialize::CanonicalSerialize;
    for k in 1u64..6 {
        let p = (G1Affine::generator() * ark_bn254::Fr::from(k)).into();
        let p: G1Affine = p;
        let mut c = Vec::new();
        p.serialize_compressed(&mut c).unwrap();
        c.reverse();
        let full = g1_mul(&g1(G1_GEN), &fe(k)).unwrap();
        assert_eq!(g1_decompress(&c.try_into().unwrap()).unwrap(), full);

        let q: G2Affine = (G2Affine::generator() * ark_bn254::Fr::from(k)).into();
        let mut c = Vec::new();
        q.serialize_compressed(&mut c).unwrap();
        c.reverse();
        let d = g2_decompress(&c.try_into().unwrap()).unwrap();
        if k == 1 {
            assert_eq!(hex::encode(d), G2_GEN);
        }
        // d is a valid G2 point: e(k·G, H) = e(G, d) with d = k·H
        let mut input = Vec::new();
        input.extend_from_slice(&full);
        input.extend_from_slice(&hex::decode(G2_GEN).unwrap());
        input.extend_from_slice(&g1_negate(&g1(G1_GEN)).unwrap());
        input.extend_from_slice(&d);
        assert!(pairing_check(&input).unwrap());
    }
    assert_eq!(g1_decompress(&[0u8; 32]).unwrap(), [0u8; 64]);
    assert_eq!(g2_decompress(&[0u8; 64]).unwrap(), [0u8; 128]);
    // x = p - 1 with a 0 flag byte... pick an x with no square root: x = 4 (4^3+3 = 67).
    let mut no_root = [0u8; 32];
    no_root[31] = 4;
    let _ = g1_decompress(&no_root); // either Ok on-curve or Err; must not panic
}

#[test]
fn field_helpers() {
    assert!(is_field_element(&fe(0)));
    assert!(!is_field_element(&BN254_R));
    assert!(lt_be(&BN254_R, &BN254_P));
}

#[test]
fn negation_matches_arkworks() {
    use ark_bn254::{Fr, G1Affine};
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ff::{BigInteger, PrimeField};
    for k in [1u64, 2, 3, 1_000_003, u64::MAX] {
        let p: G1Affine = (G1Affine::generator() * Fr::from(k)).into_affine();
        let n: G1Affine = (-p.into_group()).into_affine();
        let enc = |q: &G1Affine| -> [u8; 64] {
            let (x, y) = q.xy().unwrap();
            [x.into_bigint().to_bytes_be(), y.into_bigint().to_bytes_be()]
                .concat()
                .try_into()
                .unwrap()
        };
        assert_eq!(g1_negate(&enc(&p)).unwrap(), enc(&n));
        let mut inplace = enc(&p);
        g1_negate_in_place(&mut inplace).unwrap();
        assert_eq!(inplace, enc(&n));
    }
    let mut into = [0u8; 32];
    keccak256_into(&[b"a", b"bc"], &mut into);
    assert_eq!(into, keccak256(&[b"abc"]));
    let mut dst = [0u8; 4];
    copy(&mut dst, &[1, 2, 3, 4, 5]);
    assert_eq!(dst, [1, 2, 3, 4]);
}
