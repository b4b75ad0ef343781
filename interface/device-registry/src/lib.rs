//! Anchor interface of `programs/device-registry`. Handlers are stubs: the real program is
//! the pinocchio crate. This crate exists to generate the IDL (`npm run build:idl`) and to
//! let `tests/agreement.rs` prove both sides share discriminators, sizes and layouts.
#![allow(unexpected_cfgs)]
use anchor_lang::prelude::*;

declare_id!("6vJtcUJ94Mdzfy59mknp4BJqQRDubqo4Y1EarcGmCoin");

pub const MAX_ORACLES: usize = 8;

// Constants clients need, in the IDL's `constants` (and, through `npm run build:idl`, in
// idls/constants.ts). `tests/agreement.rs` proves each equals the program's value.

/// Seed of the network PDA `["network", authority]`.
#[constant]
pub const NETWORK_SEED: &[u8] = b"network";
/// Seed of a maker PDA `["maker", network, maker authority]`.
#[constant]
pub const MAKER_SEED: &[u8] = b"maker";
/// Seed of a model PDA `["model", network, model id u32 LE]`.
#[constant]
pub const MODEL_SEED: &[u8] = b"model";
/// Seed of an approval page PDA `["approvals", maker, page u32 LE]`.
#[constant]
pub const APPROVALS_SEED: &[u8] = b"approvals";
/// Seed of the PDA `["record_trees", network]` that is the authority of record trees.
#[constant]
pub const RECORD_TREES_SEED: &[u8] = b"record_trees";
/// `DeviceLeaf.status` of a device that can attest.
#[constant]
pub const DEVICE_STATUS_ACTIVE: u8 = 1;
/// `DeviceLeaf.status` of a revoked device (final).
#[constant]
pub const DEVICE_STATUS_REVOKED: u8 = 2;
/// `InitTreeArgs.kind` of a device tree.
#[constant]
pub const TREE_KIND_DEVICE: u8 = 0;
/// `InitTreeArgs.kind` of a record tree.
#[constant]
pub const TREE_KIND_RECORD: u8 = 1;
/// Serials per approval page: one bit each in its 8,192-byte bitmap.
#[constant]
pub const SERIALS_PER_APPROVAL_PAGE: u32 = 65_536;
/// Bytes of an `ApprovalPage` account (discriminator, maker, page, bump, padding, bitmap):
/// the rent an approval page needs. The bitmap is its last `SERIALS_PER_APPROVAL_PAGE / 8` bytes.
#[constant]
pub const APPROVAL_PAGE_SIZE: u32 = (8 + ApprovalPage::INIT_SPACE) as u32;
/// Bytes of a `DeviceLeafV0` (network || borsh(DeviceLeaf)), the preimage of a device leaf.
#[constant]
pub const DEVICE_LEAF_V0_SIZE: u32 = 173;
/// Bytes of a `RecordLeafV0` (borsh(RecordLeaf)), the preimage of a record leaf.
#[constant]
pub const RECORD_LEAF_V0_SIZE: u32 = 125;
/// Largest `Model.window` (readings per inference): 15 Poseidon chunks of 31 readings.
#[constant]
pub const MAX_WINDOW: u16 = 465;
/// Fewest `Model.classes` a model may have.
#[constant]
pub const MIN_CLASSES: u8 = 2;

#[program]
pub mod device_registry {
    use super::*;

    /// Creates the network PDA `["network", authority]` with its oracle set.
    pub fn initialize_network(
        _ctx: Context<InitializeNetwork>,
        _args: InitializeNetworkArgs,
    ) -> Result<()> {
        err!(RegistryError::InterfaceOnly)
    }

    /// Replaces the oracle set and the permissionless flag.
    pub fn set_oracles(_ctx: Context<SetOracles>, _args: InitializeNetworkArgs) -> Result<()> {
        err!(RegistryError::InterfaceOnly)
    }

    /// Approves a maker whose `authority` key signs device approvals.
    pub fn add_maker(_ctx: Context<AddMaker>, _args: AddMakerArgs) -> Result<()> {
        err!(RegistryError::InterfaceOnly)
    }

    /// Suspends or resumes a maker.
    pub fn set_maker_active(_ctx: Context<SetMakerActive>, _active: bool) -> Result<()> {
        err!(RegistryError::InterfaceOnly)
    }

    /// Registers a model version with its Groth16 verifying key (576 bytes, docs/contracts.md)
    /// and its shape: `window` in `1..=MAX_WINDOW`, `classes` in `MIN_CLASSES..=255`.
    pub fn register_model(_ctx: Context<RegisterModel>, _args: RegisterModelArgs) -> Result<()> {
        err!(RegistryError::InterfaceOnly)
    }

    /// Retires or re-enables a model version.
    pub fn set_model_active(_ctx: Context<SetModelActive>, _active: bool) -> Result<()> {
        err!(RegistryError::InterfaceOnly)
    }

    /// Initializes a client-created tree account as a device (kind 0) or record (kind 1) tree
    /// of the network: one more shard (a network keeps several trees of each kind; a full one
    /// refuses appends, and a new one takes over).
    pub fn init_tree(_ctx: Context<InitTree>, _args: InitTreeArgs) -> Result<()> {
        err!(RegistryError::InterfaceOnly)
    }

    /// Appends a device leaf; needs the Ed25519 precompile instruction right before it with
    /// the device's signature over its claim (naming the owner) and the maker's over its
    /// approval `serial`, which can register one device leaf, ever.
    pub fn register_device(_ctx: Context<RegisterDevice>, _args: RegisterDeviceArgs) -> Result<()> {
        err!(RegistryError::InterfaceOnly)
    }

    /// Hands a device to a new owner (proof nodes as remaining accounts).
    pub fn transfer_device(_ctx: Context<UpdateDevice>, _args: TransferDeviceArgs) -> Result<()> {
        err!(RegistryError::InterfaceOnly)
    }

    /// Revokes a device (owner or network authority; proof nodes as remaining accounts).
    pub fn revoke_device(_ctx: Context<UpdateDevice>, _args: DeviceLeafRef) -> Result<()> {
        err!(RegistryError::InterfaceOnly)
    }

    /// CPI from inference_attestation only: the device's seq moves up to the record's (which
    /// must be above it), the record leaf is appended, and one `RecordAttested` event says
    /// both (with `submitter`, which only inference_attestation can pass).
    pub fn advance_device(_ctx: Context<AdvanceDevice>, _args: AdvanceDeviceArgs) -> Result<()> {
        err!(RegistryError::InterfaceOnly)
    }

    /// Creates page `page` of a maker's approval bitmap (serials `page * 65536` to
    /// `page * 65536 + 65535`), paid by the maker's authority.
    pub fn init_approval_page(_ctx: Context<InitApprovalPage>, _page: u32) -> Result<()> {
        err!(RegistryError::InterfaceOnly)
    }
}

/// A device leaf (`DeviceLeafV0` without the network, which is the network account).
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

/// `RecordLeafV0`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq)]
pub struct RecordLeaf {
    pub device: Pubkey,
    pub model_id: u32,
    pub seq: u64,
    pub timestamp: i64,
    pub input_commitment: [u8; 32],
    pub class: u8,
    pub score: i64,
    pub public_input: [u8; 32],
}

/// A device leaf as it is in the tree, with the root its proof was made against.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq)]
pub struct DeviceLeafRef {
    pub leaf: DeviceLeaf,
    pub leaf_index: u32,
    pub root: [u8; 32],
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq)]
pub struct TransferDeviceArgs {
    pub current: DeviceLeafRef,
    pub new_owner: Pubkey,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq)]
pub struct AdvanceDeviceArgs {
    pub current: DeviceLeafRef,
    pub record: RecordLeaf,
    /// Who signed `submit_attestation`: trusted because only inference_attestation's PDA
    /// may call, and only after it checked that signature.
    pub submitter: Pubkey,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq)]
pub struct AddMakerArgs {
    pub authority: Pubkey,
    /// At most 32 bytes of UTF-8.
    pub name: String,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq)]
pub struct RegisterModelArgs {
    pub model_id: u32,
    pub version: u32,
    pub onnx_sha256: [u8; 32],
    pub circuit_sha256: [u8; 32],
    pub vk: [u8; 576],
    /// Readings per inference, `1..=MAX_WINDOW`.
    pub window: u16,
    /// Number of classes, `MIN_CLASSES..=255`.
    pub classes: u8,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq)]
pub struct InitTreeArgs {
    /// 0 = device tree, 1 = record tree.
    pub kind: u8,
    pub max_depth: u32,
    pub max_buffer_size: u32,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq)]
pub struct RegisterDeviceArgs {
    /// The device's ed25519 key.
    pub device: Pubkey,
    /// Poseidon(Ax, Ay) of the device's BabyJubJub key, big-endian.
    pub bjj_key_hash: [u8; 32],
    pub model_id: u32,
    /// The maker's approval number: bit `serial` of the maker's approval bitmap.
    pub serial: u32,
    /// Unix seconds after which the approval cannot be used.
    pub expires_at: i64,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq)]
pub struct InitializeNetworkArgs {
    /// Oracles allowed to submit attestations (at most 8, distinct).
    pub oracles: Vec<Pubkey>,
    /// When true, anyone may submit attestations.
    pub permissionless: bool,
}

#[derive(Accounts)]
pub struct InitializeNetwork<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        init,
        payer = authority,
        space = 8 + Network::INIT_SPACE,
        seeds = [b"network", authority.key().as_ref()],
        bump
    )]
    pub network: Account<'info, Network>,
    pub system_program: Program<'info, System>,
    /// CHECK: this program: its events are self-CPIs (Anchor's `emit_cpi` format, signed by
    /// the network account).
    #[account(address = crate::ID)]
    pub program: UncheckedAccount<'info>,
}

#[derive(Accounts)]
pub struct SetOracles<'info> {
    pub authority: Signer<'info>,
    #[account(mut, has_one = authority)]
    pub network: Account<'info, Network>,
    /// CHECK: this program: its events are self-CPIs (Anchor's `emit_cpi` format, signed by
    /// the network account).
    #[account(address = crate::ID)]
    pub program: UncheckedAccount<'info>,
}

#[derive(Accounts)]
#[instruction(args: AddMakerArgs)]
pub struct AddMaker<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(mut, has_one = authority)]
    pub network: Account<'info, Network>,
    #[account(
        init,
        payer = authority,
        space = 8 + Maker::INIT_SPACE,
        seeds = [b"maker", network.key().as_ref(), args.authority.as_ref()],
        bump
    )]
    pub maker: Account<'info, Maker>,
    pub system_program: Program<'info, System>,
    /// CHECK: this program: its events are self-CPIs (Anchor's `emit_cpi` format, signed by
    /// the network account).
    #[account(address = crate::ID)]
    pub program: UncheckedAccount<'info>,
}

#[derive(Accounts)]
pub struct SetMakerActive<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority)]
    pub network: Account<'info, Network>,
    #[account(mut, has_one = network)]
    pub maker: Account<'info, Maker>,
    /// CHECK: this program: its events are self-CPIs (Anchor's `emit_cpi` format, signed by
    /// the network account).
    #[account(address = crate::ID)]
    pub program: UncheckedAccount<'info>,
}

#[derive(Accounts)]
#[instruction(args: RegisterModelArgs)]
pub struct RegisterModel<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(mut, has_one = authority)]
    pub network: Account<'info, Network>,
    #[account(
        init,
        payer = authority,
        space = 8 + Model::INIT_SPACE,
        seeds = [b"model", network.key().as_ref(), args.model_id.to_le_bytes().as_ref()],
        bump
    )]
    pub model: Account<'info, Model>,
    pub system_program: Program<'info, System>,
    /// CHECK: this program: its events are self-CPIs (Anchor's `emit_cpi` format, signed by
    /// the network account).
    #[account(address = crate::ID)]
    pub program: UncheckedAccount<'info>,
}

#[derive(Accounts)]
pub struct SetModelActive<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority)]
    pub network: Account<'info, Network>,
    #[account(mut, has_one = network)]
    pub model: Account<'info, Model>,
    /// CHECK: this program: its events are self-CPIs (Anchor's `emit_cpi` format, signed by
    /// the network account).
    #[account(address = crate::ID)]
    pub program: UncheckedAccount<'info>,
}

#[derive(Accounts)]
pub struct InitTree<'info> {
    pub authority: Signer<'info>,
    #[account(mut, has_one = authority)]
    pub network: Account<'info, Network>,
    /// CHECK: zeroed account created by the client with this program as owner; the program
    /// writes the SPL Account Compression layout into it. It must sign, so only its creator
    /// can initialize it.
    #[account(mut, signer)]
    pub tree: UncheckedAccount<'info>,
    /// CHECK: this program: its events are self-CPIs (Anchor's `emit_cpi` format, signed by
    /// the network account).
    #[account(address = crate::ID)]
    pub program: UncheckedAccount<'info>,
}

#[derive(Accounts)]
pub struct RegisterDevice<'info> {
    pub owner: Signer<'info>,
    #[account(mut)]
    pub network: Account<'info, Network>,
    #[account(mut, has_one = network)]
    pub maker: Account<'info, Maker>,
    #[account(has_one = network)]
    pub model: Account<'info, Model>,
    /// CHECK: a device tree of this network (header authority = network), any of its shards.
    #[account(mut)]
    pub device_tree: UncheckedAccount<'info>,
    /// The maker's approval page holding bit `serial` (PDA `["approvals", maker, serial /
    /// 65536 as u32 LE]`).
    #[account(mut, has_one = maker)]
    pub approval_page: Account<'info, ApprovalPage>,
    /// CHECK: instructions sysvar (Ed25519 precompile introspection).
    #[account(address = anchor_lang::solana_program::sysvar::instructions::ID)]
    pub instructions: UncheckedAccount<'info>,
    /// CHECK: this program: its events are self-CPIs (Anchor's `emit_cpi` format, signed by
    /// the network account).
    #[account(address = crate::ID)]
    pub program: UncheckedAccount<'info>,
}

#[derive(Accounts)]
#[instruction(page: u32)]
pub struct InitApprovalPage<'info> {
    /// The maker's authority (pays).
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(has_one = authority)]
    pub maker: Account<'info, Maker>,
    #[account(
        init,
        payer = authority,
        space = 8 + ApprovalPage::INIT_SPACE,
        seeds = [b"approvals", maker.key().as_ref(), page.to_le_bytes().as_ref()],
        bump
    )]
    pub approval_page: Account<'info, ApprovalPage>,
    pub system_program: Program<'info, System>,
}

#[derive(Accounts)]
pub struct UpdateDevice<'info> {
    pub signer: Signer<'info>,
    pub network: Account<'info, Network>,
    /// CHECK: a device tree of this network (header authority = network).
    #[account(mut)]
    pub device_tree: UncheckedAccount<'info>,
    /// CHECK: this program: its events are self-CPIs (Anchor's `emit_cpi` format, signed by
    /// the network account).
    #[account(address = crate::ID)]
    pub program: UncheckedAccount<'info>,
}

#[derive(Accounts)]
pub struct AdvanceDevice<'info> {
    /// PDA `["attestation"]` of inference_attestation.
    pub attestation_authority: Signer<'info>,
    /// Read-only: attestations on one network lock only their own trees.
    pub network: Account<'info, Network>,
    /// CHECK: a device tree of this network (header authority = network).
    #[account(mut)]
    pub device_tree: UncheckedAccount<'info>,
    /// CHECK: a record tree of this network (header authority = `network.record_trees_authority`).
    #[account(mut)]
    pub record_tree: UncheckedAccount<'info>,
    /// CHECK: this program: its events are self-CPIs (Anchor's `emit_cpi` format, signed by
    /// the network account).
    #[account(address = crate::ID)]
    pub program: UncheckedAccount<'info>,
}

/// An approved hardware maker (PDA `["maker", network, authority]`).
#[account]
#[derive(InitSpace, Debug, PartialEq)]
pub struct Maker {
    pub network: Pubkey,
    /// Key that signs device approvals.
    pub authority: Pubkey,
    /// UTF-8, zero-padded.
    pub name: [u8; 32],
    pub active: bool,
    pub bump: u8,
    pub devices: u64,
}

/// One page of a maker's approval bitmap (PDA `["approvals", maker, page u32 LE]`): bit
/// `serial % 65536` is set once approval `serial` has registered a device.
#[account]
#[derive(InitSpace, Debug, PartialEq)]
pub struct ApprovalPage {
    pub maker: Pubkey,
    pub page: u32,
    pub bump: u8,
    pub padding: [u8; 3],
    pub bits: [u8; 8192],
}

/// A model version (PDA `["model", network, model_id LE]`).
#[account]
#[derive(InitSpace, Debug, PartialEq)]
pub struct Model {
    pub network: Pubkey,
    pub model_id: u32,
    pub version: u32,
    pub active: bool,
    pub bump: u8,
    pub onnx_sha256: [u8; 32],
    pub circuit_sha256: [u8; 32],
    /// alpha G1 | beta G2 | gamma G2 | delta G2 | IC0 G1 | IC1 G1 (docs/contracts.md).
    pub vk: [u8; 576],
    /// Readings per inference (the reading message's `n`), `1..=MAX_WINDOW`.
    pub window: u16,
    /// Number of classes; a record's class is below it.
    pub classes: u8,
}

/// Root account of a zkpin network.
#[account]
#[derive(InitSpace, Debug, PartialEq)]
pub struct Network {
    pub authority: Pubkey,
    pub oracles: [Pubkey; MAX_ORACLES],
    pub oracle_count: u8,
    pub permissionless: bool,
    pub bump: u8,
    /// The device tree `init_tree` added last. `register_device` appends to any device tree of
    /// the network (header authority = the network): the trees are shards.
    pub device_tree: Pubkey,
    /// The record tree `init_tree` added last. `advance_device` appends to any record tree
    /// whose header authority is `record_trees_authority`.
    pub record_tree: Pubkey,
    pub device_trees: u32,
    pub record_trees: u32,
    pub devices: u64,
    /// Retired (0): was the record count, which made the network writable in every
    /// attestation. The count is the sum of the record trees' leaf counts.
    pub retired_records: u64,
    pub makers: u32,
    pub models: u32,
    /// PDA `["record_trees", network]`, header authority of the network's record trees (set
    /// by the first record `init_tree`).
    pub record_trees_authority: Pubkey,
    pub reserved: [u8; 32],
}

#[event]
pub struct NetworkInitialized {
    pub network: Pubkey,
    pub authority: Pubkey,
    pub oracles: Vec<Pubkey>,
    pub permissionless: bool,
}

#[event]
pub struct OraclesSet {
    pub network: Pubkey,
    pub oracles: Vec<Pubkey>,
    pub permissionless: bool,
}

#[event]
pub struct MakerAdded {
    pub network: Pubkey,
    pub maker: Pubkey,
    pub authority: Pubkey,
    pub name: String,
}

#[event]
pub struct MakerActiveSet {
    pub network: Pubkey,
    pub maker: Pubkey,
    pub active: bool,
}

#[event]
pub struct ModelRegistered {
    pub network: Pubkey,
    pub model: Pubkey,
    pub model_id: u32,
    pub version: u32,
    pub onnx_sha256: [u8; 32],
    pub circuit_sha256: [u8; 32],
    pub window: u16,
    pub classes: u8,
}

#[event]
pub struct ModelActiveSet {
    pub network: Pubkey,
    pub model: Pubkey,
    pub active: bool,
}

#[event]
pub struct TreeInitialized {
    pub network: Pubkey,
    pub tree: Pubkey,
    pub kind: u8,
    pub max_depth: u32,
    pub max_buffer_size: u32,
    pub canopy_depth: u32,
    /// 1 for the network's first tree of this kind, then 2, ...
    pub number: u32,
}

/// A device leaf appended (full leaf: trees can be rebuilt from events alone).
#[event]
pub struct DeviceRegistered {
    pub network: Pubkey,
    pub tree: Pubkey,
    pub leaf_index: u32,
    /// The tree's sequence number after this change (one more per change: a gap means a
    /// missed event).
    pub tree_seq: u64,
    pub leaf: DeviceLeaf,
}

/// A device leaf replaced by `transfer_device` or `revoke_device`: the new leaf. (Programs
/// built before `RecordAttested` emitted it for an attestation's seq advance too.)
#[event]
pub struct DeviceUpdated {
    pub network: Pubkey,
    pub tree: Pubkey,
    pub leaf_index: u32,
    /// The tree's sequence number after this change (one more per change: a gap means a
    /// missed event).
    pub tree_seq: u64,
    pub leaf: DeviceLeaf,
}

/// Legacy: a record leaf appended by an attestation, as programs built before
/// `RecordAttested` emitted it (with a `DeviceUpdated` for the device's new seq). No longer
/// emitted; kept so that readers decode those transactions.
#[event]
pub struct RecordAppended {
    pub network: Pubkey,
    pub tree: Pubkey,
    pub leaf_index: u32,
    /// The record tree's sequence number after the append.
    pub tree_seq: u64,
    pub record: RecordLeaf,
}

/// One attestation recorded by `advance_device`: the device leaf's new version (its seq is
/// the record's) and the record leaf appended, with both trees' sequence numbers after the
/// change, and who submitted it. Apply it as a device update and a record append.
///
/// `submitter` is whoever signed `submit_attestation`. Groth16 proofs are malleable and not
/// bound to the submitter: a front-runner can copy a pending attestation and land it first
/// (same record, other `submitter`). Nothing may credit `submitter` on the strength of this
/// event alone.
#[event]
pub struct RecordAttested {
    pub network: Pubkey,
    pub device_tree: Pubkey,
    pub device_leaf_index: u32,
    /// The device tree's sequence number after the change.
    pub device_tree_seq: u64,
    /// The new device leaf.
    pub leaf: DeviceLeaf,
    pub record_tree: Pubkey,
    pub record_index: u32,
    /// The record tree's sequence number after the append.
    pub record_tree_seq: u64,
    pub record: RecordLeaf,
    pub submitter: Pubkey,
}

/// Same order and numbers as `programs/device-registry/src/error.rs` (from 6000).
#[error_code]
pub enum RegistryError {
    #[msg("Signer is not the network authority")]
    Unauthorized,
    #[msg("Account is not the expected program-derived address")]
    InvalidPda,
    #[msg("Account is already initialized")]
    AlreadyInitialized,
    #[msg("At most 8 oracles per network")]
    TooManyOracles,
    #[msg("Oracle keys must be distinct")]
    DuplicateOracle,
    #[msg("Instruction arguments could not be decoded")]
    InvalidArguments,
    #[msg("Account is not owned by the expected program")]
    InvalidAccountOwner,
    #[msg("Account data is not of the expected type")]
    InvalidAccountData,
    #[msg("Maker is not active")]
    MakerInactive,
    #[msg("Model is not active")]
    ModelInactive,
    #[msg("Model account does not match the model id")]
    ModelMismatch,
    #[msg("Account belongs to another network")]
    WrongNetwork,
    #[msg("Device is revoked")]
    DeviceRevoked,
    #[msg("Name is longer than 32 bytes")]
    NameTooLong,
    #[msg("Verifying key points are not valid alt_bn128 points")]
    InvalidVerifyingKey,
    #[msg("Tree depth, buffer size or account size is not supported")]
    InvalidTreeSize,
    #[msg("Device tree is not one of this network's device trees")]
    WrongDeviceTree,
    #[msg("Record tree is not one of this network's record trees")]
    WrongRecordTree,
    #[msg("Device tree is full: the authority must initialize the next one")]
    DeviceTreeFull,
    #[msg("Record tree is full: the authority must initialize the next one")]
    RecordTreeFull,
    #[msg("The instruction before this one must be the Ed25519 precompile")]
    MissingEd25519Instruction,
    #[msg("Ed25519 instruction must hold 2 signatures whose offsets point into itself")]
    InvalidEd25519Instruction,
    #[msg("Ed25519 signatures must be by the device key, then the maker key")]
    Ed25519KeyMismatch,
    #[msg("Ed25519 signatures must cover the device's claim, then the maker's approval")]
    Ed25519MessageMismatch,
    #[msg("Device leaf and proof do not match the device tree")]
    InvalidDeviceProof,
    #[msg("Only the inference attestation program may advance a device")]
    NotAttestationAuthority,
    #[msg("Record sequence number must be above the device's current one")]
    SeqMismatch,
    #[msg("Record does not belong to this device or its model")]
    RecordDeviceMismatch,
    #[msg("Signer is not the device owner")]
    NotDeviceOwner,
    #[msg("Value is not a BN254 scalar field element")]
    InvalidFieldElement,
    #[msg("Account is not an initialized tree of this program")]
    InvalidTree,
    #[msg("This maker approval was already used: ask the maker for a new one")]
    ApprovalUsed,
    #[msg("This maker approval has expired: ask the maker for a new one")]
    ApprovalExpired,
    #[msg("Approval page is missing or is not the maker's page for this serial: the maker must create it (init_approval_page)")]
    ApprovalPageMismatch,
    #[msg("Event instructions can only be emitted by this program")]
    NotEventAuthority,
    #[msg("Signer is not the maker's authority")]
    NotMakerAuthority,
    #[msg("Model window must be 1..=465 readings and classes 2..=255")]
    InvalidModelShape,
    #[msg("Interface crate only: the program is programs/device-registry")]
    InterfaceOnly = 6999,
}
