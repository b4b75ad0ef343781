//! On-chain implementation: one syscall per operation.
use crate::{CryptoError, POSEIDON_MAX_INPUTS};
use solana_define_syscall::definitions as sys;

const POSEIDON_PARAMETERS_BN254_X5: u64 = 0;
const POSEIDON_BIG_ENDIAN: u64 = 0;
const ALT_BN128_ADD: u64 = 0;
const ALT_BN128_MUL: u64 = 2;
const ALT_BN128_PAIRING: u64 = 3;
const ALT_BN128_G1_DECOMPRESS: u64 = 1;
const ALT_BN128_G2_DECOMPRESS: u64 = 3;

#[inline(always)]
pub fn keccak256(slices: &[&[u8]]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // A `&[u8]` is laid out as (address u64, length u64) on SBF: the syscall's `SolBytes`.
    unsafe {
        sys::sol_keccak256(slices.as_ptr() as *const u8, slices.len() as u64, out.as_mut_ptr());
    }
    out
}

#[inline(always)]
pub fn keccak256_into(slices: &[&[u8]], out: &mut [u8; 32]) {
    unsafe {
        sys::sol_keccak256(slices.as_ptr() as *const u8, slices.len() as u64, out.as_mut_ptr());
    }
}

#[inline(always)]
pub fn sha256(slices: &[&[u8]]) -> [u8; 32] {
    let mut out = [0u8; 32];
    unsafe {
        sys::sol_sha256(slices.as_ptr() as *const u8, slices.len() as u64, out.as_mut_ptr());
    }
    out
}

#[inline(always)]
pub fn poseidon(inputs: &[[u8; 32]]) -> Result<[u8; 32], CryptoError> {
    let mut slices: [&[u8]; POSEIDON_MAX_INPUTS] = [&[]; POSEIDON_MAX_INPUTS];
    for (slot, input) in slices.iter_mut().zip(inputs.iter()) {
        *slot = input.as_slice();
    }
    let mut out = [0u8; 32];
    let rc = unsafe {
        sys::sol_poseidon(
            POSEIDON_PARAMETERS_BN254_X5,
            POSEIDON_BIG_ENDIAN,
            slices.as_ptr() as *const u8,
            inputs.len() as u64,
            out.as_mut_ptr(),
        )
    };
    if rc == 0 {
        Ok(out)
    } else {
        Err(CryptoError::PoseidonInvalidInput)
    }
}

#[inline(always)]
fn group_op(op: u64, input: &[u8], out: &mut [u8]) -> Result<(), CryptoError> {
    let rc = unsafe {
        sys::sol_alt_bn128_group_op(op, input.as_ptr(), input.len() as u64, out.as_mut_ptr())
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(CryptoError::Bn254)
    }
}

#[inline(always)]
pub fn g1_add(input: &[u8; 128]) -> Result<[u8; 64], CryptoError> {
    let mut out = [0u8; 64];
    group_op(ALT_BN128_ADD, input, &mut out)?;
    Ok(out)
}

#[inline(always)]
pub fn g1_mul(input: &[u8; 96]) -> Result<[u8; 64], CryptoError> {
    let mut out = [0u8; 64];
    group_op(ALT_BN128_MUL, input, &mut out)?;
    Ok(out)
}

#[inline(always)]
pub fn pairing(input: &[u8]) -> Result<bool, CryptoError> {
    let mut out = [0u8; 32];
    group_op(ALT_BN128_PAIRING, input, &mut out)?;
    Ok(out[31] == 1 && out[..31].iter().all(|b| *b == 0))
}

#[inline(always)]
fn compression(op: u64, input: &[u8], out: &mut [u8]) -> Result<(), CryptoError> {
    let rc = unsafe {
        sys::sol_alt_bn128_compression(op, input.as_ptr(), input.len() as u64, out.as_mut_ptr())
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(CryptoError::Bn254)
    }
}

#[inline(always)]
pub fn g1_decompress(input: &[u8; 32]) -> Result<[u8; 64], CryptoError> {
    let mut out = [0u8; 64];
    compression(ALT_BN128_G1_DECOMPRESS, input, &mut out)?;
    Ok(out)
}

#[inline(always)]
pub fn g2_decompress(input: &[u8; 64]) -> Result<[u8; 128], CryptoError> {
    let mut out = [0u8; 128];
    compression(ALT_BN128_G2_DECOMPRESS, input, &mut out)?;
    Ok(out)
}

#[inline(always)]
pub fn g1_add_into(input: &[u8; 128], out: &mut [u8; 64]) -> Result<(), CryptoError> {
    group_op(ALT_BN128_ADD, input, out)
}

#[inline(always)]
pub fn g1_mul_into(input: &[u8; 96], out: &mut [u8; 64]) -> Result<(), CryptoError> {
    group_op(ALT_BN128_MUL, input, out)
}

#[inline(always)]
pub fn copy(dst: &mut [u8], src: &[u8]) {
    let n = if dst.len() < src.len() { dst.len() } else { src.len() };
    // `&mut` and `&` never overlap, as `sol_memcpy_` requires.
    unsafe { sys::sol_memcpy_(dst.as_mut_ptr(), src.as_ptr(), n as u64) };
}
