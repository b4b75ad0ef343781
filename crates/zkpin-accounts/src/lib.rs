//! What both zkpin programs need to agree on, byte for byte, in one no_std crate:
//!
//! - the Anchor wire format: [`discriminator`]s, the borsh argument [`Reader`] and the
//!   [`events`] log line;
//! - device_registry's account layouts ([`state`]: `Network`, `Maker`, `Model`), which
//!   device_registry writes and inference_attestation reads;
//! - both program ids and the attestation signer PDA ([`REGISTRY_ID`],
//!   [`ATTESTATION_PROGRAM_ID`], [`ATTESTATION_AUTHORITY`]), chosen per deployment at build time;
//! - the `DeviceLeaf` / `DeviceLeafRef` instruction arguments ([`leaf`]).
//!
//! Failures keep each program's own error numbers: a [`Reader`] carries the program's
//! `InvalidArguments` code as a const parameter, and the account views return `None`, which
//! the program turns into its own named error.
#![no_std]

extern crate alloc;

pub mod discriminator;
pub mod events;
pub mod leaf;
pub mod reader;
pub mod state;

pub use events::EventWriter;
pub use reader::Reader;

/// Program ids and the attestation signer PDA, generated per build from Anchor.toml or the
/// deployment's `ZKPIN_*_ID` variables (`build.rs`).
mod program_ids {
    use pinocchio::Address;
    include!(concat!(env!("OUT_DIR"), "/program_ids.rs"));
}
pub use program_ids::{
    ATTESTATION_AUTHORITY, ATTESTATION_BUMP, ATTESTATION_PROGRAM_ID, ATTESTATION_SEED, REGISTRY_ID,
};

#[cfg(test)]
mod tests;
