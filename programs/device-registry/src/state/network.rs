//! `Network`: the root account of a zkpin network (PDA `["network", authority]`).
//! Byte layout = Anchor borsh layout of the interface crate's `Network` (8-byte
//! discriminator, then fields in order, no padding), read and written in place.
use pinocchio::error::ProgramError;

use crate::{discriminator, error::RegistryError};

pub const MAX_ORACLES: usize = 8;
pub const NETWORK_SEED: &[u8] = b"network";

#[repr(C)]
pub struct Network {
    discriminator: [u8; 8],
    pub authority: [u8; 32],
    pub oracles: [[u8; 32]; MAX_ORACLES],
    pub oracle_count: u8,
    pub permissionless: u8,
    pub bump: u8,
    /// Device tree that `register_device` appends to.
    pub device_tree: [u8; 32],
    /// Record tree that `submit_attestation` appends to.
    pub record_tree: [u8; 32],
    device_trees: [u8; 4],
    record_trees: [u8; 4],
    devices: [u8; 8],
    records: [u8; 8],
    makers: [u8; 4],
    models: [u8; 4],
    pub reserved: [u8; 64],
}

impl Network {
    pub const DISCRIMINATOR: [u8; 8] = discriminator::account("Network");
    pub const LEN: usize = core::mem::size_of::<Self>();

    /// Views initialized account data as a `Network`.
    /// Views initialized account data as a `Network`.
    pub fn load(data: &[u8]) -> Result<&Self, ProgramError> {
        crate::state::check_layout(data, Self::LEN, &Self::DISCRIMINATOR)?;
        // SAFETY: size checked; every field is a byte array (alignment 1).
        Ok(unsafe { &*(data.as_ptr() as *const Self) })
    }

    pub fn load_mut(data: &mut [u8]) -> Result<&mut Self, ProgramError> {
        crate::state::check_layout(data, Self::LEN, &Self::DISCRIMINATOR)?;
        Ok(unsafe { &mut *(data.as_mut_ptr() as *mut Self) })
    }

    /// Writes the discriminator into zeroed data of the right size and returns the view.
    pub fn init(data: &mut [u8]) -> Result<&mut Self, ProgramError> {
        crate::state::init_layout(data, Self::LEN, &Self::DISCRIMINATOR)?;
        Ok(unsafe { &mut *(data.as_mut_ptr() as *mut Self) })
    }

    pub fn require_authority(&self, signer: &pinocchio::AccountView) -> Result<(), ProgramError> {
        if !signer.is_signer() {
            return Err(ProgramError::MissingRequiredSignature);
        }
        if signer.address().as_ref() != self.authority {
            return Err(RegistryError::Unauthorized.into());
        }
        Ok(())
    }

    pub fn is_oracle(&self, key: &[u8; 32]) -> bool {
        self.oracles[..self.oracle_count as usize].iter().any(|o| o == key)
    }

    pub fn devices(&self) -> u64 {
        u64::from_le_bytes(self.devices)
    }
    pub fn set_devices(&mut self, v: u64) {
        self.devices = v.to_le_bytes();
    }
    pub fn records(&self) -> u64 {
        u64::from_le_bytes(self.records)
    }
    pub fn set_records(&mut self, v: u64) {
        self.records = v.to_le_bytes();
    }
    pub fn device_trees(&self) -> u32 {
        u32::from_le_bytes(self.device_trees)
    }
    pub fn set_device_trees(&mut self, v: u32) {
        self.device_trees = v.to_le_bytes();
    }
    pub fn record_trees(&self) -> u32 {
        u32::from_le_bytes(self.record_trees)
    }
    pub fn set_record_trees(&mut self, v: u32) {
        self.record_trees = v.to_le_bytes();
    }
    pub fn makers(&self) -> u32 {
        u32::from_le_bytes(self.makers)
    }
    pub fn set_makers(&mut self, v: u32) {
        self.makers = v.to_le_bytes();
    }
    pub fn models(&self) -> u32 {
        u32::from_le_bytes(self.models)
    }
    pub fn set_models(&mut self, v: u32) {
        self.models = v.to_le_bytes();
    }
}
