//! `Maker`: a hardware maker approved by the network (PDA `["maker", network, authority]`).
//! Its `authority` key signs device approvals (the second Ed25519 signature of
//! `register_device`).
use pinocchio::error::ProgramError;

use crate::{discriminator, error::RegistryError};

pub const MAKER_SEED: &[u8] = b"maker";
pub const MAX_NAME_LEN: usize = 32;

#[repr(C)]
pub struct Maker {
    discriminator: [u8; 8],
    pub network: [u8; 32],
    pub authority: [u8; 32],
    /// UTF-8, zero-padded.
    pub name: [u8; MAX_NAME_LEN],
    pub active: u8,
    pub bump: u8,
    devices: [u8; 8],
}

impl Maker {
    pub const DISCRIMINATOR: [u8; 8] = discriminator::account("Maker");
    pub const LEN: usize = core::mem::size_of::<Self>();

    pub fn load(data: &[u8]) -> Result<&Self, ProgramError> {
        crate::state::check_layout(data, Self::LEN, &Self::DISCRIMINATOR)?;
        Ok(unsafe { &*(data.as_ptr() as *const Self) })
    }
    pub fn load_mut(data: &mut [u8]) -> Result<&mut Self, ProgramError> {
        crate::state::check_layout(data, Self::LEN, &Self::DISCRIMINATOR)?;
        Ok(unsafe { &mut *(data.as_mut_ptr() as *mut Self) })
    }
    pub fn init(data: &mut [u8]) -> Result<&mut Self, ProgramError> {
        crate::state::init_layout(data, Self::LEN, &Self::DISCRIMINATOR)?;
        Ok(unsafe { &mut *(data.as_mut_ptr() as *mut Self) })
    }
    pub fn devices(&self) -> u64 {
        u64::from_le_bytes(self.devices)
    }
    pub fn set_devices(&mut self, v: u64) {
        self.devices = v.to_le_bytes();
    }
    pub fn require_active(&self) -> Result<(), ProgramError> {
        if self.active == 1 {
            Ok(())
        } else {
            Err(RegistryError::MakerInactive.into())
        }
    }
}
