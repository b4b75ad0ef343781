//! Device and record leaves as instruction arguments; their encodings and hashes are
//! `zkpin-encoding`'s (docs/contracts.md).
use pinocchio::error::ProgramError;

use crate::args::Reader;

pub const STATUS_ACTIVE: u8 = 1;
pub const STATUS_REVOKED: u8 = 2;
pub use zkpin_encoding::{DEVICE_LEAF_V0_SIZE as DEVICE_LEAF_LEN, RECORD_LEAF_V0_SIZE as RECORD_LEAF_LEN};
use zkpin_encoding::DeviceLeafV0;

/// `DeviceLeafV0` without its network (which comes from the network account). Borsh layout of
/// the interface crate's `DeviceLeaf` argument.
#[derive(Clone, Copy)]
pub struct DeviceLeaf<'a> {
    pub device: &'a [u8; 32],
    pub owner: &'a [u8; 32],
    pub maker: &'a [u8; 32],
    pub bjj_key_hash: &'a [u8; 32],
    pub model_id: u32,
    pub seq: u64,
    pub status: u8,
}

impl<'a> DeviceLeaf<'a> {
    pub fn read(r: &mut Reader<'a>) -> Result<Self, ProgramError> {
        Ok(Self {
            device: r.array()?,
            owner: r.array()?,
            maker: r.array()?,
            bjj_key_hash: r.array()?,
            model_id: r.u32()?,
            seq: r.u64()?,
            status: r.u8()?,
        })
    }

    /// The full `DeviceLeafV0` of this device in `network`.
    pub fn to_v0(&self, network: &[u8; 32]) -> DeviceLeafV0 {
        DeviceLeafV0 {
            network: *network,
            device: *self.device,
            owner: *self.owner,
            maker: *self.maker,
            bjj_key_hash: *self.bjj_key_hash,
            model_id: self.model_id,
            seq: self.seq,
            status: self.status,
        }
    }

    /// The tree leaf: keccak256 of the `DeviceLeafV0` bytes.
    pub fn hash(&self, network: &[u8; 32]) -> [u8; 32] {
        self.to_v0(network).hash()
    }
}

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
