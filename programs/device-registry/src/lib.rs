//! zkpin device registry (pinocchio, Anchor wire format).
//!
//! `lib.rs` only dispatches: each instruction lives in `instructions/<verb>_<noun>.rs`,
//! account layouts in `state/`, errors in `error.rs`. The Anchor interface crate
//! (`interface/device-registry`) declares the same instructions, accounts, events and errors
//! and generates `idls/device_registry.json`; `interface/device-registry/tests` checks that
//! both agree.
#![no_std]

extern crate alloc;

pub mod discriminator;
pub mod error;
pub mod events;
pub mod instructions;
pub mod state;

use pinocchio::{error::ProgramError, AccountView, Address, ProgramResult};

/// `6vJtcUJ94Mdzfy59mknp4BJqQRDubqo4Y1EarcGmCoin` (Anchor.toml, sdk/src/program-ids.ts).
pub const ID: Address = Address::new_from_array([
    87, 242, 114, 21, 46, 253, 121, 247, 218, 232, 126, 140, 196, 250, 99, 249, 204, 84, 185, 61,
    11, 206, 247, 161, 69, 193, 249, 230, 11, 60, 161, 7,
]);

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
    match disc {
        instructions::initialize_network::DISCRIMINATOR => {
            instructions::initialize_network::process(program_id, accounts, args)
        }
        _ => Err(ProgramError::InvalidInstructionData),
    }
}
