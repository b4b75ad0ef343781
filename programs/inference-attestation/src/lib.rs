//! zkpin inference attestation (pinocchio, Anchor wire format).
//!
//! One instruction, `submit_attestation`: an oracle (or anyone, on a permissionless network)
//! submits a Groth16 proof that a registered model ran on readings the device signed. The
//! program rebuilds the single public input `P` from plain fields with `sol_poseidon`,
//! verifies the proof against the model's verifying key (`crates/zkpin-groth16`), then CPIs
//! `device_registry::advance_device` with its PDA `["attestation"]` as signer, which moves the
//! device's seq up to the reading's, appends the record leaf (so a reading is recorded
//! once) and emits the attestation's one event, `RecordAttested`; this program emits none
//! (`events.rs`).
//!
//! `lib.rs` only dispatches. The Anchor interface crate (`interface/inference-attestation`)
//! declares the same instruction, accounts, legacy event and errors and generates
//! `idls/inference_attestation.json`; its tests check that both agree.
#![no_std]

pub mod args;
pub mod error;
pub mod events;
pub mod instructions;
pub mod registry;

use pinocchio::{error::ProgramError, AccountView, Address, ProgramResult};

/// This program's id, chosen per deployment at build time (`zkpin_accounts`' build script:
/// Anchor.toml's localnet id unless `ZKPIN_INFERENCE_ATTESTATION_ID` is set).
pub const ID: Address = zkpin_accounts::ATTESTATION_PROGRAM_ID;

/// The PDA `["attestation"]` that signs `advance_device` for this program, and its bump
/// (derived by the same build script; device_registry checks the same constant).
pub use zkpin_accounts::{ATTESTATION_AUTHORITY, ATTESTATION_BUMP, ATTESTATION_SEED};

#[cfg(target_arch = "bpf")]
mod entrypoint {
    pinocchio::program_entrypoint!(super::process_instruction);
    pinocchio::no_allocator!();
    pinocchio::nostd_panic_handler!();
}

pub fn process_instruction(
    _program_id: &Address,
    accounts: &mut [AccountView],
    data: &[u8],
) -> ProgramResult {
    if data.len() < 8 {
        return Err(ProgramError::InvalidInstructionData);
    }
    let (disc, args) = data.split_at(8);
    let disc: [u8; 8] = [disc[0], disc[1], disc[2], disc[3], disc[4], disc[5], disc[6], disc[7]];
    use instructions::*;
    // A direct call, not a table of fn pointers: upstream LLVM's BPF backend cannot lower
    // `Result`-returning functions whose address is taken.
    match disc {
        submit_attestation::DISCRIMINATOR => submit_attestation::process(accounts, args),
        zkpin_accounts::events::EVENT_IX_TAG => events::process_event(accounts),
        _ => Err(ProgramError::InvalidInstructionData),
    }
}
