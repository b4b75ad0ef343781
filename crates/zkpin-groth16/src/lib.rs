//! Groth16 (BN254) verifier for exactly one public input, over the alt_bn128 syscalls
//! (through `zkpin-crypto`, so the same code runs on the host with arkworks).
//!
//! Encodings (`docs/contracts.md`), all big-endian, G2 as `x.c1 || x.c0 || y.c1 || y.c0`:
//! - verifying key, 576 bytes: `alpha G1 || beta G2 || gamma G2 || delta G2 || IC0 G1 || IC1 G1`;
//! - proof, 256 bytes: `A G1 || B G2 || C G1`, with A **not** negated (snarkjs' own A):
//!   this verifier negates it, and it is the only place that does;
//! - public input, 32 bytes, must be `< r`.
//!
//! The check is `e(-A, B) · e(alpha, beta) · e(vk_x, gamma) · e(C, delta) = 1` with
//! `vk_x = IC0 + P · IC1`: one G1 mul, one G1 add and one 4-pair pairing syscall, plus two
//! G1 additions that validate A and C (so a malformed A or C gets its own error).
#![no_std]

use zkpin_crypto::{
    g1_add_raw, g1_mul_raw, g1_negate, is_field_element, lt_be, pairing_check, BN254_P,
};

/// Bytes of a verifying key.
pub const VK_SIZE: usize = 576;
/// Bytes of a proof.
pub const PROOF_SIZE: usize = 256;

/// Why a proof was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Groth16Error {
    /// The public input is `>= r`.
    PublicInputNotInField,
    /// Proof point A: a coordinate `>= p`, not on the curve, or infinity.
    InvalidProofA,
    /// Proof point B: a coordinate `>= p`, infinity, or (reported by the pairing) not on
    /// the twist / not in the subgroup.
    InvalidProofB,
    /// Proof point C: a coordinate `>= p`, not on the curve, or infinity.
    InvalidProofC,
    /// The verifying key has a coordinate `>= p` or a point off its curve/subgroup.
    InvalidVerifyingKey,
    /// Well-formed points, but the pairing equation does not hold.
    ProofRejected,
}

/// Offsets inside the verifying key.
const VK_ALPHA: usize = 0;
const VK_BETA: usize = 64;
const VK_GAMMA: usize = 192;
const VK_DELTA: usize = 320;
const VK_IC0: usize = 448;
const VK_IC1: usize = 512;

fn coordinates_in_range(bytes: &[u8]) -> bool {
    bytes.chunks_exact(32).all(|c| {
        let mut v = [0u8; 32];
        v.copy_from_slice(c);
        lt_be(&v, &BN254_P)
    })
}

fn is_zero(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| *b == 0)
}

/// Whether a G1 point is a canonical, on-curve, non-infinity point (one G1 add syscall).
fn g1_valid(point: &[u8]) -> bool {
    if is_zero(point) || !coordinates_in_range(point) {
        return false;
    }
    let mut input = [0u8; 128];
    input[..64].copy_from_slice(point);
    g1_add_raw(&input).is_ok()
}

/// Verifies `proof` for `public_input` under `vk`.
#[inline(never)]
pub fn verify(
    vk: &[u8; VK_SIZE],
    proof: &[u8; PROOF_SIZE],
    public_input: &[u8; 32],
) -> Result<(), Groth16Error> {
    if !is_field_element(public_input) {
        return Err(Groth16Error::PublicInputNotInField);
    }
    let (a, rest) = proof.split_at(64);
    let (b, c) = rest.split_at(128);
    if !g1_valid(a) {
        return Err(Groth16Error::InvalidProofA);
    }
    if is_zero(b) || !coordinates_in_range(b) {
        return Err(Groth16Error::InvalidProofB);
    }
    if !g1_valid(c) {
        return Err(Groth16Error::InvalidProofC);
    }
    if !coordinates_in_range(vk) {
        return Err(Groth16Error::InvalidVerifyingKey);
    }

    // vk_x = IC0 + P · IC1.
    let mut mul_input = [0u8; 96];
    mul_input[..64].copy_from_slice(&vk[VK_IC1..VK_IC1 + 64]);
    mul_input[64..].copy_from_slice(public_input);
    let p_ic1 = g1_mul_raw(&mul_input).map_err(|_| Groth16Error::InvalidVerifyingKey)?;
    let mut add_input = [0u8; 128];
    add_input[..64].copy_from_slice(&vk[VK_IC0..VK_IC0 + 64]);
    add_input[64..].copy_from_slice(&p_ic1);
    let vk_x = g1_add_raw(&add_input).map_err(|_| Groth16Error::InvalidVerifyingKey)?;

    // e(-A, B) · e(alpha, beta) · e(vk_x, gamma) · e(C, delta) = 1.
    let mut a_bytes = [0u8; 64];
    a_bytes.copy_from_slice(a);
    let neg_a = g1_negate(&a_bytes).map_err(|_| Groth16Error::InvalidProofA)?;
    let mut pairing = [0u8; 768];
    pairing[..64].copy_from_slice(&neg_a);
    pairing[64..192].copy_from_slice(b);
    pairing[192..256].copy_from_slice(&vk[VK_ALPHA..VK_ALPHA + 64]);
    pairing[256..384].copy_from_slice(&vk[VK_BETA..VK_BETA + 128]);
    pairing[384..448].copy_from_slice(&vk_x);
    pairing[448..576].copy_from_slice(&vk[VK_GAMMA..VK_GAMMA + 128]);
    pairing[576..640].copy_from_slice(c);
    pairing[640..768].copy_from_slice(&vk[VK_DELTA..VK_DELTA + 128]);
    match pairing_check(&pairing) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Groth16Error::ProofRejected),
        // A and C were checked above; a key that passed `validate_verifying_key` is
        // sound, so a failing pairing means B is off the twist or outside the subgroup.
        Err(_) => Err(Groth16Error::InvalidProofB),
    }
}

/// Checks a verifying key once, when it is registered: every coordinate `< p`, the G1
/// points on the curve and not infinity (G1 adds), the G2 points on the twist and in the
/// subgroup (one 3-pair pairing syscall with the G1 generator). About 40k CU on-chain.
#[inline(never)]
pub fn validate_verifying_key(vk: &[u8; VK_SIZE]) -> Result<(), Groth16Error> {
    if !coordinates_in_range(vk) {
        return Err(Groth16Error::InvalidVerifyingKey);
    }
    for off in [VK_ALPHA, VK_IC0, VK_IC1] {
        if !g1_valid(&vk[off..off + 64]) {
            return Err(Groth16Error::InvalidVerifyingKey);
        }
    }
    let mut generator = [0u8; 64];
    generator[31] = 1;
    generator[63] = 2;
    let mut pairing = [0u8; 576];
    for (i, off) in [VK_BETA, VK_GAMMA, VK_DELTA].into_iter().enumerate() {
        if is_zero(&vk[off..off + 128]) {
            return Err(Groth16Error::InvalidVerifyingKey);
        }
        pairing[192 * i..192 * i + 64].copy_from_slice(&generator);
        pairing[192 * i + 64..192 * i + 192].copy_from_slice(&vk[off..off + 128]);
    }
    pairing_check(&pairing).map(|_| ()).map_err(|_| Groth16Error::InvalidVerifyingKey)
}

#[cfg(test)]
mod tests;
