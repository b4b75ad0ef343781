//! Anchor interface of `programs/inference-attestation`. The handler is a stub: the real
//! program is the pinocchio crate. This crate exists to generate the IDL
//! (`npm run build:idl`) and to let `tests/agreement.rs` prove both sides share
//! discriminators, layouts and error numbers.
#![allow(unexpected_cfgs)]
use anchor_lang::prelude::*;

declare_id!("FxXeprHwuCbhYTh9aLxvV6SWxiX2WbgqJtsXRQE61wiN");

/// `device_registry`, whose accounts this program reads and whose `advance_device` it calls.
pub const DEVICE_REGISTRY_ID: Pubkey = pubkey!("6vJtcUJ94Mdzfy59mknp4BJqQRDubqo4Y1EarcGmCoin");

/// Seed of the PDA `["attestation"]` that signs `advance_device` (the only signer
/// device_registry accepts for it). In the IDL's `constants` and idls/constants.ts.
#[constant]
pub const ATTESTATION_SEED: &[u8] = b"attestation";

#[program]
pub mod inference_attestation {
    use super::*;

    /// Verifies a Groth16 proof of one inference for a seq above the device's and records it:
    /// rebuilds `P` from the public fields, the network and the device, verifies against the
    /// model's key, then CPIs `device_registry::advance_device` (device seq -> `seq`, record
    /// leaf appended, device_registry's `RecordAttested` event: this program emits none).
    /// Remaining accounts: the device tree proof nodes, bottom-up, minus the canopy.
    pub fn submit_attestation(
        ctx: Context<SubmitAttestation>,
        args: SubmitAttestationArgs,
    ) -> Result<()> {
        let _ = (ctx, args);
        err!(AttestationError::InterfaceOnly)
    }
}

/// device_registry's `DeviceLeaf` (declared here with the same layout): `DeviceLeafV0`
/// without the network, which is the network account.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq)]
pub struct DeviceLeaf {
    pub device: Pubkey,
    pub owner: Pubkey,
    /// The maker account (PDA).
    pub maker: Pubkey,
    pub bjj_key_hash: [u8; 32],
    pub model_id: u32,
    pub seq: u64,
    /// 1 = active, 2 = revoked.
    pub status: u8,
}

/// device_registry's `DeviceLeafRef`: a device leaf as it is in the tree, with the root its
/// proof was made against.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq)]
pub struct DeviceLeafRef {
    pub leaf: DeviceLeaf,
    pub leaf_index: u32,
    pub root: [u8; 32],
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq)]
pub struct SubmitAttestationArgs {
    /// Groth16 proof: A (64) || B (128, EIP-197 order) || C (64), big-endian; A as the
    /// prover produced it (the program negates it).
    pub proof: [u8; 256],
    /// The device leaf as it is now.
    pub current: DeviceLeafRef,
    /// The reading's seq: above `current.leaf.seq` (gaps allowed).
    pub seq: u64,
    /// Unix seconds: at most 300 s ahead of the cluster clock, at most 7 days behind.
    pub timestamp: i64,
    /// Commitment to the readings and salt, a field element (< r), big-endian.
    pub input_commitment: [u8; 32],
    pub class: u8,
    pub score: i64,
}

#[derive(Accounts)]
pub struct SubmitAttestation<'info> {
    /// An oracle of the network, or anyone when the network is permissionless.
    pub submitter: Signer<'info>,
    /// CHECK: device_registry `Network` (owner and discriminator checked by the program).
    /// Read-only: attestations on one network lock only their own trees.
    pub network: UncheckedAccount<'info>,
    /// CHECK: device_registry `Model` of the device's model id, on the same network.
    pub model: UncheckedAccount<'info>,
    /// CHECK: a device tree of the network (header authority = network).
    #[account(mut)]
    pub device_tree: UncheckedAccount<'info>,
    /// CHECK: a record tree of the network (header authority = `network.record_trees_authority`).
    #[account(mut)]
    pub record_tree: UncheckedAccount<'info>,
    /// CHECK: this program's PDA `["attestation"]`, which signs `advance_device`.
    #[account(seeds = [b"attestation"], bump)]
    pub attestation_authority: UncheckedAccount<'info>,
    /// CHECK: the device registry program.
    #[account(address = DEVICE_REGISTRY_ID)]
    pub device_registry: UncheckedAccount<'info>,
    /// This program. Unused since the attestation's event is device_registry's
    /// `RecordAttested`; kept so that the accounts are those clients already build.
    /// CHECK: not read.
    #[account(address = crate::ID)]
    pub program: UncheckedAccount<'info>,
}

/// Legacy: what programs built before device_registry's `RecordAttested` emitted for each
/// attestation (the record leaf is at `record_index` in `record_tree`; device_registry's
/// `RecordAppended` in the same transaction carries the full leaf). No longer emitted; kept
/// so that readers decode those transactions.
///
/// `submitter` is whoever signed the transaction. Groth16 proofs are malleable and not bound
/// to the submitter: a front-runner can copy a pending attestation and land it first (same
/// record, other `submitter`). Nothing may credit `submitter` on the strength of this event.
#[event]
pub struct AttestationSubmitted {
    pub network: Pubkey,
    pub device: Pubkey,
    pub model_id: u32,
    pub seq: u64,
    pub record_tree: Pubkey,
    pub record_index: u32,
    pub public_input: [u8; 32],
    pub submitter: Pubkey,
}

/// Same order and numbers as `programs/inference-attestation/src/error.rs` (from 6000).
#[error_code]
pub enum AttestationError {
    #[msg("Submitter is not in the network's oracle set and the network is not permissionless")]
    NotAnOracle,
    #[msg("Account is not owned by the device registry program")]
    InvalidAccountOwner,
    #[msg("Account data is not the expected device registry account")]
    InvalidAccountData,
    #[msg("Model belongs to another network")]
    WrongNetwork,
    #[msg("Model is not active")]
    ModelInactive,
    #[msg("Model account does not match the device's model id")]
    ModelMismatch,
    #[msg("Device is revoked")]
    DeviceRevoked,
    #[msg("bjj_key_hash and input_commitment must be BN254 scalar field elements (< r)")]
    InvalidFieldElement,
    #[msg("Groth16 proof does not verify for this model and these public fields")]
    InvalidProof,
    #[msg("Groth16 proof bytes are not valid alt_bn128 points")]
    MalformedProof,
    #[msg("Instruction arguments could not be decoded")]
    InvalidArguments,
    #[msg("Device sequence number cannot advance past u64::MAX")]
    SeqOverflow,
    #[msg("Program account is not the device registry")]
    WrongRegistryProgram,
    #[msg("Attestation authority is not this program's PDA HwTA59Tf23bZWDpP5cYf5mzwy2KzzXuHeGVDHf2BWZDz")]
    InvalidAttestationAuthority,
    #[msg("Device tree is not a device tree of this network")]
    WrongDeviceTree,
    #[msg("Record tree is not a record tree of this network")]
    WrongRecordTree,
    #[msg("Model verifying key is not valid")]
    InvalidVerifyingKey,
    /// No longer raised (device_registry returned the record index before its
    /// `RecordAttested` event carried it); the number stays reserved.
    #[msg("Device registry did not return the record leaf index")]
    MissingRecordIndex,
    #[msg("Reading seq is not above the device's current seq: it was recorded already or a later reading was")]
    StaleSeq,
    #[msg("Reading timestamp is more than 300 s ahead of the cluster clock or more than 7 days behind it")]
    TimestampOutOfRange,
    #[msg("Event instructions can only be emitted by this program")]
    NotEventAuthority,
    #[msg("Class is not below the model's number of classes")]
    ClassOutOfRange,
    #[msg("Interface crate only: the program is programs/inference-attestation")]
    InterfaceOnly = 6999,
}
