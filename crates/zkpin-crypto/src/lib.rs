//! Hashes and BN254 (alt_bn128) operations with one API on both sides:
//!
//! - on-chain (`target_arch = "bpf"`): each function is a thin wrapper around a Solana
//!   syscall (`sol_keccak256`, `sol_sha256`, `sol_poseidon`, `sol_alt_bn128_group_op`,
//!   `sol_alt_bn128_compression`);
//! - on the host: the same inputs, outputs and error behaviour through `sha3`, `sha2`,
//!   `light-poseidon` and arkworks (`ark-bn254`), mirroring Agave's implementation of
//!   those syscalls so that code above this crate is tested natively with `cargo test`.
//!
//! All BN254 encodings are big-endian and follow EIP-196/197: a G1 point is `x || y`
//! (64 bytes), a G2 point is `x.c1 || x.c0 || y.c1 || y.c0` (128 bytes), the point at
//! infinity is all zeros.
//!
//! Every function that returns an array or a `Result` with a payload is
//! `#[inline(always)]`: upstream LLVM's BPF backend rejects non-inlined functions that
//! return such values ("aggregate returns are not supported"); see `docs/crates.md`.
#![no_std]

#[cfg(not(target_arch = "bpf"))]
mod host;
#[cfg(target_arch = "bpf")]
mod sbf;

#[cfg(all(target_arch = "bpf", feature = "mem-builtins"))]
pub mod mem;

#[cfg(not(target_arch = "bpf"))]
use host as imp;
#[cfg(target_arch = "bpf")]
use sbf as imp;

/// Size of a field element / scalar on the wire.
pub const FIELD_SIZE: usize = 32;
/// Size of an uncompressed G1 point.
pub const G1_SIZE: usize = 64;
/// Size of an uncompressed G2 point.
pub const G2_SIZE: usize = 128;
/// Size of one (G1, G2) element of a pairing-check input.
pub const PAIRING_ELEMENT_SIZE: usize = G1_SIZE + G2_SIZE;
/// Most inputs one Poseidon call accepts (circom / `sol_poseidon` limit).
pub const POSEIDON_MAX_INPUTS: usize = 12;

/// The BN254 base-field modulus p, big-endian.
pub const BN254_P: [u8; 32] = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x97, 0x81, 0x6a, 0x91, 0x68, 0x71, 0xca, 0x8d, 0x3c, 0x20, 0x8c, 0x16, 0xd8, 0x7c, 0xfd, 0x47,
];
/// The BN254 scalar-field modulus r (the circuit field), big-endian.
pub const BN254_R: [u8; 32] = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01,
];

/// Errors of this crate. On-chain a syscall reports only success or failure, so the
/// host implementation collapses its failures onto the same variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CryptoError {
    /// Poseidon: no inputs, more than [`POSEIDON_MAX_INPUTS`], or an input `>= r`.
    PoseidonInvalidInput,
    /// A pairing input whose length is not a multiple of [`PAIRING_ELEMENT_SIZE`].
    InvalidLength,
    /// A BN254 operation failed: a coordinate `>= p`, a point not on the curve (or, for
    /// G2 in a pairing, not in the prime-order subgroup), or a compressed point with no
    /// square root.
    Bn254,
}

/// keccak256 of the concatenation of `slices`.
#[inline(always)]
pub fn keccak256(slices: &[&[u8]]) -> [u8; 32] {
    imp::keccak256(slices)
}

/// [`keccak256`] writing the digest into `out` (no intermediate copy). `out` must not
/// alias an input, which Rust's borrow rules already guarantee.
#[inline(always)]
pub fn keccak256_into(slices: &[&[u8]], out: &mut [u8; 32]) {
    imp::keccak256_into(slices, out)
}

/// sha256 of the concatenation of `slices`.
#[inline(always)]
pub fn sha256(slices: &[&[u8]]) -> [u8; 32] {
    imp::sha256(slices)
}

/// circom-compatible Poseidon over BN254 (x^5, `Parameters::Bn254X5`), big-endian
/// 32-byte inputs and output. Accepts 1..=12 inputs, each `< r`.
#[inline(always)]
pub fn poseidon(inputs: &[[u8; 32]]) -> Result<[u8; 32], CryptoError> {
    if inputs.is_empty() || inputs.len() > POSEIDON_MAX_INPUTS {
        return Err(CryptoError::PoseidonInvalidInput);
    }
    imp::poseidon(inputs)
}

/// `a + b` on G1 (`sol_alt_bn128_group_op` ADD) with the 128-byte input `a || b`.
#[inline(always)]
pub fn g1_add_raw(input: &[u8; 128]) -> Result<[u8; 64], CryptoError> {
    imp::g1_add(input)
}

/// `a + b` on G1.
#[inline(always)]
pub fn g1_add(a: &[u8; 64], b: &[u8; 64]) -> Result<[u8; 64], CryptoError> {
    let mut input = [0u8; 128];
    input[..64].copy_from_slice(a);
    input[64..].copy_from_slice(b);
    imp::g1_add(&input)
}

/// `s · p` on G1 (`sol_alt_bn128_group_op` MUL) with the 96-byte input `p || s`; the
/// scalar is a 256-bit big-endian integer (not reduced, as the syscall does).
#[inline(always)]
pub fn g1_mul_raw(input: &[u8; 96]) -> Result<[u8; 64], CryptoError> {
    imp::g1_mul(input)
}

/// `s · p` on G1.
#[inline(always)]
pub fn g1_mul(p: &[u8; 64], s: &[u8; 32]) -> Result<[u8; 64], CryptoError> {
    let mut input = [0u8; 96];
    input[..64].copy_from_slice(p);
    input[64..].copy_from_slice(s);
    imp::g1_mul(&input)
}

/// [`g1_add_raw`] writing the sum into `out` (e.g. straight into a pairing buffer).
#[inline(always)]
pub fn g1_add_into(input: &[u8; 128], out: &mut [u8; 64]) -> Result<(), CryptoError> {
    imp::g1_add_into(input, out)
}

/// [`g1_mul_raw`] writing the product into `out`.
#[inline(always)]
pub fn g1_mul_into(input: &[u8; 96], out: &mut [u8; 64]) -> Result<(), CryptoError> {
    imp::g1_mul_into(input, out)
}

/// Copies `min(dst.len(), src.len())` bytes. On SBF this is one `sol_memcpy_` syscall
/// (at most a few dozen CU), where an inlined copy between byte arrays, which have
/// alignment 1, costs about two instructions per byte.
#[inline(always)]
pub fn copy(dst: &mut [u8], src: &[u8]) {
    imp::copy(dst, src)
}

/// Pairing check (`sol_alt_bn128_group_op` PAIRING): `input` is `k` elements of
/// `G1 (64) || G2 (128)`; returns whether the product of the `k` pairings is one.
/// An empty input is the empty product: `true`.
#[inline(always)]
pub fn pairing_check(input: &[u8]) -> Result<bool, CryptoError> {
    if !input.len().is_multiple_of(PAIRING_ELEMENT_SIZE) {
        return Err(CryptoError::InvalidLength);
    }
    imp::pairing(input)
}

/// Decompresses a G1 point (`sol_alt_bn128_compression` G1_DECOMPRESS): 32 bytes, `x`
/// big-endian with arkworks' flags in the two top bits of the first byte
/// (`0x80` = y is the larger root, `0x40` = infinity); all zeros is infinity.
#[inline(always)]
pub fn g1_decompress(input: &[u8; 32]) -> Result<[u8; 64], CryptoError> {
    imp::g1_decompress(input)
}

/// Decompresses a G2 point (`sol_alt_bn128_compression` G2_DECOMPRESS): 64 bytes
/// `x.c1 || x.c0` big-endian with the flags in the top bits of the first byte.
#[inline(always)]
pub fn g2_decompress(input: &[u8; 64]) -> Result<[u8; 128], CryptoError> {
    imp::g2_decompress(input)
}

/// `-p` on G1: `(x, p - y)`; infinity (all zeros) stays infinity. Pure arithmetic, no
/// syscall. Fails when `y >= p` (the point is not a canonical encoding); whether the
/// point is on the curve is left to the syscall that consumes it.
#[inline(always)]
pub fn g1_negate(point: &[u8; 64]) -> Result<[u8; 64], CryptoError> {
    let mut out = *point;
    g1_negate_in_place(&mut out)?;
    Ok(out)
}

/// The base-field modulus p as big-endian u64 limbs (most significant first).
const P_LIMBS: [u64; 4] =
    [0x30644e72e131a029, 0xb85045b68181585d, 0x97816a916871ca8d, 0x3c208c16d87cfd47];

/// [`g1_negate`] in place (u64 limbs, no 128-bit arithmetic).
#[inline(always)]
pub fn g1_negate_in_place(point: &mut [u8; 64]) -> Result<(), CryptoError> {
    let mut y = [0u64; 4];
    for (i, limb) in y.iter_mut().enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(&point[32 + 8 * i..40 + 8 * i]);
        *limb = u64::from_be_bytes(b);
    }
    // Canonical: y < p.
    let mut less = false;
    for i in 0..4 {
        if y[i] != P_LIMBS[i] {
            less = y[i] < P_LIMBS[i];
            break;
        }
    }
    if !less {
        return Err(CryptoError::Bn254);
    }
    if y == [0; 4] {
        // (x, 0) negates to itself (and is not on the curve unless it is infinity).
        return Ok(());
    }
    let mut borrow = false;
    for i in (0..4).rev() {
        let (d, b1) = P_LIMBS[i].overflowing_sub(y[i]);
        let (d, b2) = d.overflowing_sub(borrow as u64);
        borrow = b1 | b2;
        point[32 + 8 * i..40 + 8 * i].copy_from_slice(&d.to_be_bytes());
    }
    Ok(())
}

/// `a < b` for 32-byte big-endian integers.
#[inline(always)]
pub fn lt_be(a: &[u8; 32], b: &[u8; 32]) -> bool {
    for i in 0..32 {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// Whether a 32-byte big-endian integer is a canonical BN254 scalar-field element (`< r`).
#[inline(always)]
pub fn is_field_element(v: &[u8; 32]) -> bool {
    lt_be(v, &BN254_R)
}

/// Non-inlined wrappers over every public function, built only with the `abi-check`
/// feature on SBF, so that `--emit=asm` proves the API compiles out of line there.
#[cfg(all(target_arch = "bpf", feature = "abi-check"))]
#[allow(missing_docs)]
pub mod abi_check {
    use super::*;

    #[inline(never)]
    pub fn keccak(slices: &[&[u8]], out: &mut [u8; 32]) {
        *out = keccak256(slices);
    }
    #[inline(never)]
    pub fn sha(slices: &[&[u8]], out: &mut [u8; 32]) {
        *out = sha256(slices);
    }
    #[inline(never)]
    pub fn pos(inputs: &[[u8; 32]], out: &mut [u8; 32]) -> Result<(), CryptoError> {
        *out = poseidon(inputs)?;
        Ok(())
    }
    #[inline(never)]
    pub fn add(a: &[u8; 64], b: &[u8; 64], out: &mut [u8; 64]) -> Result<(), CryptoError> {
        *out = g1_add(a, b)?;
        Ok(())
    }
    #[inline(never)]
    pub fn mul(p: &[u8; 64], s: &[u8; 32], out: &mut [u8; 64]) -> Result<(), CryptoError> {
        *out = g1_mul(p, s)?;
        Ok(())
    }
    #[inline(never)]
    pub fn pairing(input: &[u8]) -> Result<(), CryptoError> {
        if pairing_check(input)? {
            Ok(())
        } else {
            Err(CryptoError::Bn254)
        }
    }
    #[inline(never)]
    pub fn decompress(a: &[u8; 32], b: &[u8; 64], out: &mut [u8; 192]) -> Result<(), CryptoError> {
        out[..64].copy_from_slice(&g1_decompress(a)?);
        out[64..].copy_from_slice(&g2_decompress(b)?);
        Ok(())
    }
    #[inline(never)]
    pub fn negate(p: &mut [u8; 64]) -> Result<(), CryptoError> {
        *p = g1_negate(p)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
