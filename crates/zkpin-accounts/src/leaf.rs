//! The device leaf as an instruction argument: `DeviceLeaf` (`DeviceLeafV0` without its
//! network, which comes from the network account) and `DeviceLeafRef { leaf, leaf_index,
//! root }`, in the borsh layout of device_registry's interface crate. Their encodings and
//! hashes are `zkpin-encoding`'s (docs/contracts.md).
use pinocchio::error::ProgramError;
use zkpin_encoding::DeviceLeafV0;

use crate::Reader;

/// Device leaf status `Active`.
pub const STATUS_ACTIVE: u8 = 1;
/// Device leaf status `Revoked`.
pub const STATUS_REVOKED: u8 = 2;

/// Borsh size of `DeviceLeaf`: device, owner, maker, bjj_key_hash, model_id u32, seq u64,
/// status u8.
pub const DEVICE_LEAF_LEN: usize = 32 * 4 + 4 + 8 + 1;
/// Borsh size of `DeviceLeafRef`: leaf, leaf_index u32, root.
pub const DEVICE_LEAF_REF_LEN: usize = DEVICE_LEAF_LEN + 4 + 32;
/// Offset of `seq` in the `DeviceLeaf` borsh bytes (after four keys and `model_id`).
const SEQ_OFFSET: usize = 32 * 4 + 4;

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
    pub fn read<const ERR: u32>(r: &mut Reader<'a, ERR>) -> Result<Self, ProgramError> {
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

/// `DeviceLeafRef { leaf, leaf_index, root }`: a device leaf as it is in a device tree now
/// (the root the proof was made against), with its raw borsh bytes (inference_attestation
/// forwards them unchanged to `advance_device`).
#[derive(Clone, Copy)]
pub struct DeviceLeafRef<'a> {
    pub leaf: DeviceLeaf<'a>,
    pub leaf_index: u32,
    pub root: &'a [u8; 32],
    pub bytes: &'a [u8; DEVICE_LEAF_REF_LEN],
}

impl<'a> DeviceLeafRef<'a> {
    pub fn read<const ERR: u32>(r: &mut Reader<'a, ERR>) -> Result<Self, ProgramError> {
        let bytes = r.array::<DEVICE_LEAF_REF_LEN>()?;
        let mut f = Reader::<ERR>::new(bytes);
        let leaf = DeviceLeaf::read(&mut f)?;
        Ok(Self { leaf, leaf_index: f.u32()?, root: f.array()?, bytes })
    }

    /// The tree leaf of this device in `network`: keccak256 of the `DeviceLeafV0` bytes,
    /// which are `network || borsh(DeviceLeaf)`, hashed straight from the argument bytes
    /// (the same value as `self.leaf.hash(network)`, without rebuilding the leaf).
    #[inline(always)]
    pub fn leaf_hash(&self, network: &[u8; 32]) -> [u8; 32] {
        zkpin_crypto::keccak256(&[network, &self.bytes[..DEVICE_LEAF_LEN]])
    }

    /// The tree leaf of the same device with its seq set to `seq` (the leaf
    /// `advance_device` writes): `DeviceLeaf { seq, ..self.leaf }.hash(network)`.
    #[inline(always)]
    pub fn leaf_hash_with_seq(&self, network: &[u8; 32], seq: u64) -> [u8; 32] {
        zkpin_crypto::keccak256(&[
            network,
            &self.bytes[..SEQ_OFFSET],
            &seq.to_le_bytes(),
            &self.bytes[SEQ_OFFSET + 8..DEVICE_LEAF_LEN],
        ])
    }
}
