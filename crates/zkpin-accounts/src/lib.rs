//! What both zkpin programs need to agree on, byte for byte, in one no_std crate:
//!
//! - the Anchor wire format: [`discriminator`]s, the borsh argument [`Reader`] and the
//!   [`events`] log line;
//! - device_registry's account layouts ([`state`]: `Network`, `Maker`, `Model`), which
//!   device_registry writes and inference_attestation reads, and its program id
//!   ([`REGISTRY_ID`]);
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

use pinocchio::Address;

/// device_registry's program id, `6vJtcUJ94Mdzfy59mknp4BJqQRDubqo4Y1EarcGmCoin` (Anchor.toml,
/// sdk/src/program-ids.ts).
pub const REGISTRY_ID: Address = Address::new_from_array([
    87, 242, 114, 21, 46, 253, 121, 247, 218, 232, 126, 140, 196, 250, 99, 249, 204, 84, 185, 61,
    11, 206, 247, 161, 69, 193, 249, 230, 11, 60, 161, 7,
]);

#[cfg(test)]
mod tests;
