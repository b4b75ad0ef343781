//! Host implementation, mirroring Agave's implementation of the same syscalls.
extern crate std;

use crate::CryptoError;
use ark_bn254::{Bn254, Fq, Fq2, G1Affine, G1Projective, G2Affine};
use ark_ec::{pairing::Pairing, AffineRepr, CurveGroup};
use ark_ff::{BigInt, BigInteger, One, PrimeField};
use ark_serialize::{CanonicalDeserialize, Compress, Validate};
use light_poseidon::{Poseidon, PoseidonBytesHasher};
use sha2::Digest as _;
use std::vec::Vec;

pub fn keccak256(slices: &[&[u8]]) -> [u8; 32] {
    let mut h = sha3::Keccak256::new();
    for s in slices {
        sha3::Digest::update(&mut h, s);
    }
    sha3::Digest::finalize(h).into()
}

pub fn sha256(slices: &[&[u8]]) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    for s in slices {
        sha2::Digest::update(&mut h, s);
    }
    sha2::Digest::finalize(h).into()
}

pub fn poseidon(inputs: &[[u8; 32]]) -> Result<[u8; 32], CryptoError> {
    let mut hasher = Poseidon::<ark_bn254::Fr>::new_circom(inputs.len())
        .map_err(|_| CryptoError::PoseidonInvalidInput)?;
    let slices: Vec<&[u8]> = inputs.iter().map(|i| i.as_slice()).collect();
    hasher.hash_bytes_be(&slices).map_err(|_| CryptoError::PoseidonInvalidInput)
}

/// A 32-byte big-endian integer as arkworks limbs (no reduction).
fn bigint_be(bytes: &[u8]) -> BigInt<4> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let start = 24 - 8 * i;
        *limb = u64::from_be_bytes(bytes[start..start + 8].try_into().unwrap());
    }
    BigInt::new(limbs)
}

fn fq_be(bytes: &[u8]) -> Result<Fq, CryptoError> {
    Fq::from_bigint(bigint_be(bytes)).ok_or(CryptoError::Bn254)
}

fn fq_to_be(v: &Fq, out: &mut [u8]) {
    out.copy_from_slice(&v.into_bigint().to_bytes_be());
}

fn g1_from_be(bytes: &[u8]) -> Result<G1Affine, CryptoError> {
    if bytes.iter().all(|b| *b == 0) {
        return Ok(G1Affine::zero());
    }
    let p = G1Affine::new_unchecked(fq_be(&bytes[..32])?, fq_be(&bytes[32..64])?);
    if !p.is_on_curve() || !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(CryptoError::Bn254);
    }
    Ok(p)
}

fn g1_to_be(p: &G1Affine) -> [u8; 64] {
    let mut out = [0u8; 64];
    if let Some((x, y)) = p.xy() {
        fq_to_be(&x, &mut out[..32]);
        fq_to_be(&y, &mut out[32..]);
    }
    out
}

fn fq2_be(bytes: &[u8]) -> Result<Fq2, CryptoError> {
    // EIP-197: c1 first, then c0.
    Ok(Fq2::new(fq_be(&bytes[32..64])?, fq_be(&bytes[..32])?))
}

fn fq2_to_be(v: &Fq2, out: &mut [u8]) {
    fq_to_be(&v.c1, &mut out[..32]);
    fq_to_be(&v.c0, &mut out[32..64]);
}

fn g2_from_be(bytes: &[u8]) -> Result<G2Affine, CryptoError> {
    if bytes.iter().all(|b| *b == 0) {
        return Ok(G2Affine::zero());
    }
    let p = G2Affine::new_unchecked(fq2_be(&bytes[..64])?, fq2_be(&bytes[64..128])?);
    if !p.is_on_curve() || !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(CryptoError::Bn254);
    }
    Ok(p)
}

pub fn g1_add(input: &[u8; 128]) -> Result<[u8; 64], CryptoError> {
    let a = g1_from_be(&input[..64])?;
    let b = g1_from_be(&input[64..])?;
    Ok(g1_to_be(&(G1Projective::from(a) + b).into_affine()))
}

pub fn g1_mul(input: &[u8; 96]) -> Result<[u8; 64], CryptoError> {
    let p = g1_from_be(&input[..64])?;
    let s = bigint_be(&input[64..96]);
    Ok(g1_to_be(&p.mul_bigint(s).into_affine()))
}

pub fn pairing(input: &[u8]) -> Result<bool, CryptoError> {
    let mut g1s = Vec::new();
    let mut g2s = Vec::new();
    for chunk in input.chunks_exact(crate::PAIRING_ELEMENT_SIZE) {
        g1s.push(g1_from_be(&chunk[..64])?);
        g2s.push(g2_from_be(&chunk[64..])?);
    }
    let out = Bn254::multi_pairing(g1s, g2s);
    Ok(out.0.is_one())
}

pub fn g1_decompress(input: &[u8; 32]) -> Result<[u8; 64], CryptoError> {
    if input.iter().all(|b| *b == 0) {
        return Ok([0u8; 64]);
    }
    let mut le = *input;
    le.reverse();
    let p = G1Affine::deserialize_with_mode(le.as_slice(), Compress::Yes, Validate::No)
        .map_err(|_| CryptoError::Bn254)?;
    Ok(g1_to_be(&p))
}

pub fn g2_decompress(input: &[u8; 64]) -> Result<[u8; 128], CryptoError> {
    if input.iter().all(|b| *b == 0) {
        return Ok([0u8; 128]);
    }
    let mut le = *input;
    le.reverse();
    let p = G2Affine::deserialize_with_mode(le.as_slice(), Compress::Yes, Validate::No)
        .map_err(|_| CryptoError::Bn254)?;
    let mut out = [0u8; 128];
    if let Some((x, y)) = p.xy() {
        fq2_to_be(&x, &mut out[..64]);
        fq2_to_be(&y, &mut out[64..]);
    }
    Ok(out)
}

pub fn g1_add_into(input: &[u8; 128], out: &mut [u8; 64]) -> Result<(), CryptoError> {
    *out = g1_add(input)?;
    Ok(())
}

pub fn g1_mul_into(input: &[u8; 96], out: &mut [u8; 64]) -> Result<(), CryptoError> {
    *out = g1_mul(input)?;
    Ok(())
}

pub fn copy(dst: &mut [u8], src: &[u8]) {
    let n = dst.len().min(src.len());
    dst[..n].copy_from_slice(&src[..n]);
}

pub fn keccak256_into(slices: &[&[u8]], out: &mut [u8; 32]) {
    *out = keccak256(slices);
}
