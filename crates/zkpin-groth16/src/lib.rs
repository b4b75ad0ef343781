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
//! `vk_x = IC0 + P · IC1`: one G1 mul, one G1 add and one 4-pair pairing syscall. Typed
//! errors for malformed points cost extra syscalls only on the failure path.
#![no_std]

use zkpin_crypto::{
    copy, g1_add_into, g1_add_raw, g1_mul_into, g1_negate_in_place, is_field_element, lt_be,
    pairing_check, BN254_P,
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
    /// Proof point A: a coordinate `>= p` or not on the curve (infinity as reported by
    /// [`classify`]; on the happy path an infinite A simply fails the pairing equation).
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

/// A 64-byte subslice as an array reference (the callers pass exact 64-byte ranges).
#[inline(always)]
fn as64(s: &mut [u8]) -> &mut [u8; 64] {
    match s.try_into() {
        Ok(a) => a,
        // Unreachable: every call site slices exactly 64 bytes.
        Err(_) => unreachable_64(),
    }
}

#[cold]
fn unreachable_64() -> ! {
    panic!("64-byte slice expected")
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
///
/// The happy path costs the syscall floor (one mul, one add, one 4-pair pairing) plus the
/// `P < r` check and a few copies: the syscalls themselves reject coordinates `>= p` and
/// points off their curve. Only when a syscall fails does [`classify`] spend a few more
/// syscalls to say which point was malformed.
#[inline(never)]
pub fn verify(
    vk: &[u8; VK_SIZE],
    proof: &[u8; PROOF_SIZE],
    public_input: &[u8; 32],
) -> Result<(), Groth16Error> {
    if !is_field_element(public_input) {
        return Err(Groth16Error::PublicInputNotInField);
    }
    // Large copies go through `copy` (one `sol_memcpy_` on SBF: byte arrays have
    // alignment 1, so an inlined copy would cost about two instructions per byte), and
    // the syscalls write their results straight into the next buffer.
    let mut pairing = [0u8; 768];
    let mut mul_input = [0u8; 96];
    copy(&mut mul_input[..64], &vk[VK_IC1..VK_IC1 + 64]);
    copy(&mut mul_input[64..], public_input);
    let mut add_input = [0u8; 128];
    let (ic0, p_ic1) = add_input.split_at_mut(64);
    copy(ic0, &vk[VK_IC0..VK_IC0 + 64]);
    g1_mul_into(&mul_input, as64(p_ic1)).map_err(|_| Groth16Error::InvalidVerifyingKey)?;
    // vk_x = IC0 + P · IC1, written at its place in the pairing input.
    g1_add_into(&add_input, as64(&mut pairing[384..448]))
        .map_err(|_| Groth16Error::InvalidVerifyingKey)?;

    // e(-A, B) · e(alpha, beta) · e(vk_x, gamma) · e(C, delta) = 1. This is the only
    // place that negates A (the wire carries snarkjs' own A).
    copy(&mut pairing[..64], &proof[..64]);
    g1_negate_in_place(as64(&mut pairing[..64])).map_err(|_| Groth16Error::InvalidProofA)?;
    copy(&mut pairing[64..192], &proof[64..192]);
    copy(&mut pairing[192..384], &vk[VK_ALPHA..VK_GAMMA]); // alpha || beta
    copy(&mut pairing[448..576], &vk[VK_GAMMA..VK_DELTA]);
    copy(&mut pairing[576..640], &proof[192..256]);
    copy(&mut pairing[640..768], &vk[VK_DELTA..VK_IC0]);
    match pairing_check(&pairing) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Groth16Error::ProofRejected),
        Err(_) => Err(classify(vk, proof)),
    }
}

/// Names the malformed point after the pairing syscall failed: A or C (range, curve,
/// infinity; one G1 add each), B (range, infinity), else the key (range); what remains
/// is a B or a key G2 point off the twist or outside the subgroup, reported as B since a
/// key that passed [`validate_verifying_key`] has none.
#[inline(never)]
pub fn classify(vk: &[u8; VK_SIZE], proof: &[u8; PROOF_SIZE]) -> Groth16Error {
    if !g1_valid(&proof[..64]) {
        return Groth16Error::InvalidProofA;
    }
    if !g1_valid(&proof[192..]) {
        return Groth16Error::InvalidProofC;
    }
    let b = &proof[64..192];
    if is_zero(b) || !coordinates_in_range(b) {
        return Groth16Error::InvalidProofB;
    }
    if !coordinates_in_range(vk) {
        return Groth16Error::InvalidVerifyingKey;
    }
    Groth16Error::InvalidProofB
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
