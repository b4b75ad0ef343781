//! `memcpy`, `memmove`, `memset`, `memcmp` and `bcmp` for SBF programs, through the
//! `sol_mem*_` syscalls (feature `mem-builtins`; enable it in exactly one crate of a
//! program, normally the program itself through this crate).
//!
//! Why: with `-Zbuild-std` the `compiler_builtins` crate (which would define these) is not
//! part of the LTO module that `sbpf-linker` links, so any copy whose length is not a
//! compile-time constant (`copy_from_slice` on a run-time range, moving a large value)
//! fails to link with "Symbol memcpy is missing". Solana's own toolchain maps them to the
//! same syscalls.
use solana_define_syscall::definitions as sys;

/// # Safety
/// C `memcpy` contract: valid, non-overlapping regions of `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    sys::sol_memcpy_(dst, src, n as u64);
    dst
}

/// # Safety
/// C `memmove` contract: valid regions of `n` bytes (may overlap).
#[no_mangle]
pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    sys::sol_memmove_(dst, src, n as u64);
    dst
}

/// # Safety
/// C `memset` contract: a valid region of `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memset(s: *mut u8, c: i32, n: usize) -> *mut u8 {
    sys::sol_memset_(s, c as u8, n as u64);
    s
}

/// # Safety
/// C `memcmp` contract: valid regions of `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut result = 0i32;
    sys::sol_memcmp_(a, b, n as u64, &mut result);
    result
}

/// # Safety
/// C `bcmp` contract: valid regions of `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    memcmp(a, b, n)
}
