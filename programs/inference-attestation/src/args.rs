//! Borsh reading of `submit_attestation`'s arguments, in place and without allocation.
use pinocchio::error::ProgramError;
use zkpin_accounts::leaf::{DeviceLeafRef, DEVICE_LEAF_REF_LEN};

use crate::error::AttestationError;

pub const PROOF_LEN: usize = 256;
/// Borsh size of `SubmitAttestationArgs`.
pub const SUBMIT_ATTESTATION_ARGS_LEN: usize = PROOF_LEN + DEVICE_LEAF_REF_LEN + 8 + 8 + 32 + 1 + 8;

/// A cursor over borsh bytes; every read fails with `InvalidArguments` when short.
pub type Reader<'a> = zkpin_accounts::Reader<'a, { AttestationError::InvalidArguments as u32 }>;

/// `SubmitAttestationArgs { proof, current, seq, timestamp, input_commitment, class, score }`.
pub struct SubmitAttestationArgs<'a> {
    /// Groth16 proof, 256 bytes (docs/contracts.md; A as the prover produced it).
    pub proof: &'a [u8; PROOF_LEN],
    /// The device leaf as it is in the tree now.
    pub current: DeviceLeafRef<'a>,
    /// The reading's seq: above the leaf's (gaps allowed).
    pub seq: u64,
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
            seq: r.u64()?,
            timestamp: r.i64()?,
            input_commitment: r.array()?,
            class: r.u8()?,
            score: r.i64()?,
        };
        r.finish()?;
        Ok(args)
    }
}
