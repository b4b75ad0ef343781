//! Device and record leaves (docs/contracts.md): the bytes the trees hash.
use pinocchio::error::ProgramError;

use crate::args::Reader;

pub const STATUS_ACTIVE: u8 = 1;
pub const STATUS_REVOKED: u8 = 2;
pub const DEVICE_LEAF_LEN: usize = 173;
pub const RECORD_LEAF_LEN: usize = 125;

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

    /// The 173 borsh bytes of `DeviceLeafV0`.
    pub fn bytes(&self, network: &[u8; 32]) -> [u8; DEVICE_LEAF_LEN] {
        let mut b = [0u8; DEVICE_LEAF_LEN];
        b[..32].copy_from_slice(network);
        b[32..64].copy_from_slice(self.device);
        b[64..96].copy_from_slice(self.owner);
        b[96..128].copy_from_slice(self.maker);
        b[128..160].copy_from_slice(self.bjj_key_hash);
        b[160..164].copy_from_slice(&self.model_id.to_le_bytes());
        b[164..172].copy_from_slice(&self.seq.to_le_bytes());
        b[172] = self.status;
        b
    }

    /// keccak256 of the leaf bytes.
    pub fn hash(&self, network: &[u8; 32]) -> [u8; 32] {
        zkpin_crypto::keccak256(&[&self.bytes(network)])
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
    pub fn hash(&self) -> [u8; 32] {
        zkpin_crypto::keccak256(&[self.bytes])
    }
}
