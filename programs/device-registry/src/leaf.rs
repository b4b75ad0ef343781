//! The record leaf as an instruction argument (`advance_device`); its encoding and hash are
//! `zkpin-encoding`'s (docs/contracts.md). The device leaf arguments are
//! `zkpin_accounts::leaf`'s.
use pinocchio::error::ProgramError;

use crate::args::Reader;

pub use zkpin_encoding::RECORD_LEAF_V0_SIZE as RECORD_LEAF_LEN;

/// `RecordLeafV0` as borsh bytes (the argument is already in leaf layout).
#[derive(Clone, Copy)]
pub struct RecordLeaf<'a> {
    pub bytes: &'a [u8; RECORD_LEAF_LEN],
}

impl<'a> RecordLeaf<'a> {
    pub fn read(r: &mut Reader<'a>) -> Result<Self, ProgramError> {
        Ok(Self { bytes: r.array()? })
    }
    pub fn device(&self) -> &[u8] {
        &self.bytes[..32]
    }
    pub fn model_id(&self) -> u32 {
        u32::from_le_bytes([self.bytes[32], self.bytes[33], self.bytes[34], self.bytes[35]])
    }
    pub fn seq(&self) -> u64 {
        let mut s = [0u8; 8];
        s.copy_from_slice(&self.bytes[36..44]);
        u64::from_le_bytes(s)
    }
    /// The tree leaf: keccak256 of the `RecordLeafV0` bytes.
    pub fn hash(&self) -> [u8; 32] {
        zkpin_crypto::keccak256(&[self.bytes])
    }
}
