//! zkpin device registry (pinocchio, Anchor wire format).
//!
//! `lib.rs` only dispatches: each instruction lives in `instructions/<verb>_<noun>.rs`,
//! account layouts in `zkpin_accounts::state` (shared with
//! inference_attestation, which reads them), errors in `error.rs`. The Anchor interface crate
//! (`interface/device-registry`) declares the same instructions, accounts, events and errors
//! and generates `idls/device_registry.json`; `interface/device-registry/tests` checks that
//! both agree.
#![no_std]

extern crate alloc;

pub mod args;
pub mod checks;
pub mod device;
pub mod ed25519;
pub mod error;
pub mod events;
pub mod instructions;
pub mod leaf;
pub mod pda;
pub mod tree;

use pinocchio::{error::ProgramError, AccountView, Address, ProgramResult};

/// This program's id, chosen per deployment at build time (`zkpin_accounts`' build script:
/// Anchor.toml's localnet id unless `ZKPIN_DEVICE_REGISTRY_ID` is set).
pub const ID: Address = zkpin_accounts::REGISTRY_ID;

#[cfg(target_arch = "bpf")]
mod entrypoint {
    pinocchio::program_entrypoint!(super::process_instruction);
    pinocchio::default_allocator!();
    pinocchio::nostd_panic_handler!();
}

pub fn process_instruction(
    program_id: &Address,
    accounts: &mut [AccountView],
    data: &[u8],
) -> ProgramResult {
    if data.len() < 8 {
        return Err(ProgramError::InvalidInstructionData);
    }
    let (disc, args) = data.split_at(8);
    let disc: [u8; 8] = [disc[0], disc[1], disc[2], disc[3], disc[4], disc[5], disc[6], disc[7]];
    use instructions::*;
    // Direct calls, not a table of fn pointers: upstream LLVM's BPF backend cannot lower
    // `Result`-returning functions whose address is taken ("aggregate returns").
    let _ = program_id;
    match disc {
        initialize_network::DISCRIMINATOR => initialize_network::process(accounts, args),
        set_oracles::DISCRIMINATOR => set_oracles::process(accounts, args),
        add_maker::DISCRIMINATOR => add_maker::process(accounts, args),
        set_maker_active::DISCRIMINATOR => set_maker_active::process(accounts, args),
        register_model::DISCRIMINATOR => register_model::process(accounts, args),
        set_model_active::DISCRIMINATOR => set_model_active::process(accounts, args),
        init_tree::DISCRIMINATOR => init_tree::process(accounts, args),
        register_device::DISCRIMINATOR => register_device::process(accounts, args),
        transfer_device::DISCRIMINATOR => transfer_device::process(accounts, args),
        revoke_device::DISCRIMINATOR => revoke_device::process(accounts, args),
        advance_device::DISCRIMINATOR => advance_device::process(accounts, args),
        init_approval_page::DISCRIMINATOR => init_approval_page::process(accounts, args),
        zkpin_accounts::events::EVENT_IX_TAG => events::process_event(accounts, data),
        _ => Err(ProgramError::InvalidInstructionData),
    }
}
