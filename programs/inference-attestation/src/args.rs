//! Borsh reading of `submit_attestation`'s arguments, in place and without allocation.
use pinocchio::error::ProgramError;

use crate::error::AttestationError;

pub const PROOF_LEN: usize = 256;
/// Borsh size of `DeviceLeaf`: device, owner, maker, bjj_key_hash, model_id u32, seq u64,
/// status u8.
pub const DEVICE_LEAF_LEN: usize = 32 * 4 + 4 + 8 + 1;
/// Borsh size of `DeviceLeafRef`: leaf, leaf_index u32, root.
pub const DEVICE_LEAF_REF_LEN: usize = DEVICE_LEAF_LEN + 4 + 32;
/// Borsh size of `SubmitAttestationArgs`.
pub const SUBMIT_ATTESTATION_ARGS_LEN: usize = PROOF_LEN + DEVICE_LEAF_REF_LEN + 8 + 32 + 1 + 8;

/// A cursor over borsh bytes; every read fails with `InvalidArguments` when short.
pub struct Reader<'a> {
    data: &'a [u8],
}

fn bad() -> ProgramError {
    AttestationError::InvalidArguments.into()
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], ProgramError> {
        if self.data.len() < n {
            return Err(bad());
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Ok(head)
    }
    pub fn array<const N: usize>(&mut self) -> Result<&'a [u8; N], ProgramError> {
        let s = self.take(N)?;
        // SAFETY: `s` has exactly N bytes; [u8; N] has alignment 1.
        Ok(unsafe { &*(s.as_ptr() as *const [u8; N]) })
    }
    pub fn u8(&mut self) -> Result<u8, ProgramError> {
        Ok(self.take(1)?[0])
    }
    pub fn u32(&mut self) -> Result<u32, ProgramError> {
        Ok(u32::from_le_bytes(*self.array::<4>()?))
    }
    pub fn u64(&mut self) -> Result<u64, ProgramError> {
        Ok(u64::from_le_bytes(*self.array::<8>()?))
    }
    pub fn i64(&mut self) -> Result<i64, ProgramError> {
        Ok(i64::from_le_bytes(*self.array::<8>()?))
    }
    /// Fails on trailing bytes.
    pub fn finish(&self) -> Result<(), ProgramError> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(bad())
        }
    }
}

/// `DeviceLeaf` (device_registry's argument type; `DeviceLeafV0` without the network).
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

/// `DeviceLeafRef { leaf, leaf_index, root }`, with its raw borsh bytes, which are forwarded
/// unchanged to `advance_device`.
#[derive(Clone, Copy)]
pub struct DeviceLeafRef<'a> {
    pub leaf: DeviceLeaf<'a>,
    pub leaf_index: u32,
    pub root: &'a [u8; 32],
    pub bytes: &'a [u8; DEVICE_LEAF_REF_LEN],
}

impl<'a> DeviceLeafRef<'a> {
    pub fn read(r: &mut Reader<'a>) -> Result<Self, ProgramError> {
        let bytes = r.array::<DEVICE_LEAF_REF_LEN>()?;
        let mut f = Reader::new(bytes);
        let leaf = DeviceLeaf {
            device: f.array()?,
            owner: f.array()?,
            maker: f.array()?,
            bjj_key_hash: f.array()?,
            model_id: f.u32()?,
            seq: f.u64()?,
            status: f.u8()?,
        };
        Ok(Self { leaf, leaf_index: f.u32()?, root: f.array()?, bytes })
    }
}

/// `SubmitAttestationArgs { proof, current, timestamp, input_commitment, class, score }`.
pub struct SubmitAttestationArgs<'a> {
    /// Groth16 proof, 256 bytes (docs/contracts.md; A as the prover produced it).
    pub proof: &'a [u8; PROOF_LEN],
    /// The device leaf as it is in the tree now (seq n-1).
    pub current: DeviceLeafRef<'a>,
    pub timestamp: i64,
    pub input_commitment: &'a [u8; 32],
    pub class: u8,
    pub score: i64,
}

impl<'a> SubmitAttestationArgs<'a> {
    pub fn parse(data: &'a [u8]) -> Result<Self, ProgramError> {
        let mut r = Reader::new(data);
        let args = Self {
            proof: r.array()?,
            current: DeviceLeafRef::read(&mut r)?,
            timestamp: r.i64()?,
            input_commitment: r.array()?,
            class: r.u8()?,
            score: r.i64()?,
        };
        r.finish()?;
        Ok(args)
    }
}
