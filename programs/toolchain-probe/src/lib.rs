//! Toolchain probe: one instruction per toolchain fact the zkpin programs rely on.
//!
//! Each instruction is selected by the first data byte and reports what it computed through
//! `sol_set_return_data` (or the log), so a LiteSVM test can assert the exact output
//! (`tests/toolchain-probe.test.ts`). Results and limits are written up in
//! `docs/toolchain.md`. The program only exists on the SBF target; on the host it is empty.
#![cfg_attr(target_arch = "bpf", no_std)]

#[cfg(target_arch = "bpf")]
mod probe;
