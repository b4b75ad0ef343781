//! What this program checks in and calls in `device_registry`: account ownership, device tree
//! headers, and the `advance_device` CPI signed by the PDA `["attestation"]`. The registry's
//! `Network` and `Model` layouts are `zkpin_accounts::state`'s, the very ones the registry
//! writes.
use core::{mem::MaybeUninit, slice};

use pinocchio::{
    cpi::{invoke_signed_unchecked, CpiAccount, Seed, Signer},
    error::ProgramError,
    instruction::{InstructionAccount, InstructionView},
    AccountView,
};
use zkpin_accounts::{discriminator, leaf::DEVICE_LEAF_REF_LEN, REGISTRY_ID};
use zkpin_crypto::copy;

use crate::{error::AttestationError, ATTESTATION_BUMP, ATTESTATION_SEED};

/// The account is owned by device_registry.
#[inline(always)]
pub fn check_owner(account: &AccountView) -> Result<(), ProgramError> {
    if account.owned_by(&REGISTRY_ID) {
        Ok(())
    } else {
        Err(AttestationError::InvalidAccountOwner.into())
    }
}

/// SPL Account Compression header (docs/contracts.md): the authority at bytes 10..42.
/// device_registry sets it to the network for device trees (and to a PDA for record trees).
const TREE_HEADER_LEN: usize = 56;
const TREE_AUTHORITY: core::ops::Range<usize> = 10..42;
const ACCOUNT_TYPE_CONCURRENT_MERKLE_TREE: u8 = 1;

/// The tree account is a registry-owned concurrent Merkle tree whose header authority is
/// `authority`: the network for one of its device trees, `network.record_trees_authority`
/// for one of its record trees (only device_registry's `init_tree` writes it); else
/// `InvalidAccountOwner` or `wrong`.
pub fn check_tree(
    tree: &AccountView,
    authority: &[u8; 32],
    wrong: AttestationError,
) -> Result<(), ProgramError> {
    check_owner(tree)?;
    let data = tree.try_borrow()?;
    if data.len() < TREE_HEADER_LEN
        || data[0] != ACCOUNT_TYPE_CONCURRENT_MERKLE_TREE
        || &data[TREE_AUTHORITY] != authority
    {
        return Err(wrong.into());
    }
    Ok(())
}

pub const ADVANCE_DEVICE_DISCRIMINATOR: [u8; 8] = discriminator::instruction("advance_device");
/// `RecordLeafV0`: device, model_id u32, seq u64, timestamp i64, input_commitment, class u8,
/// score i64, public_input.
pub const RECORD_LEAF_LEN: usize = zkpin_encoding::RECORD_LEAF_V0_SIZE;
/// `advance_device` data: discriminator, borsh(DeviceLeafRef), borsh(RecordLeaf), submitter.
pub const ADVANCE_DEVICE_DATA_LEN: usize = 8 + DEVICE_LEAF_REF_LEN + RECORD_LEAF_LEN + 32;
/// `advance_device` data: discriminator || borsh(DeviceLeafRef) (the submitter's bytes,
/// unchanged) || borsh(RecordLeafV0) (`zkpin_encoding::RecordLeafV0::write_bytes` layout,
/// written here with `sol_memcpy_` copies; a host test checks both agree) || submitter (the
/// `submit_attestation` signer, which device_registry puts in its `RecordAttested` event).
#[repr(C, align(8))]
pub struct AdvanceDeviceData {
    bytes: [u8; ADVANCE_DEVICE_DATA_LEN],
}

/// Offsets of the record leaf and of the submitter in [`AdvanceDeviceData`].
const RECORD: usize = 8 + DEVICE_LEAF_REF_LEN;
const SUBMITTER: usize = RECORD + RECORD_LEAF_LEN;

impl AdvanceDeviceData {
    #[inline(always)]
    pub fn new(
        current: &[u8; DEVICE_LEAF_REF_LEN],
        record: &RecordLeafRef,
        submitter: &[u8; 32],
    ) -> Self {
        let mut d = Self { bytes: [0; ADVANCE_DEVICE_DATA_LEN] };
        let b = &mut d.bytes;
        b[..8].copy_from_slice(&ADVANCE_DEVICE_DISCRIMINATOR);
        copy(&mut b[8..RECORD], current);
        copy(&mut b[RECORD..RECORD + 32], record.device);
        b[RECORD + 32..RECORD + 36].copy_from_slice(&record.model_id.to_le_bytes());
        b[RECORD + 36..RECORD + 44].copy_from_slice(&record.seq.to_le_bytes());
        b[RECORD + 44..RECORD + 52].copy_from_slice(&record.timestamp.to_le_bytes());
        copy(&mut b[RECORD + 52..RECORD + 84], record.input_commitment);
        b[RECORD + 84] = record.class;
        b[RECORD + 85..RECORD + 93].copy_from_slice(&record.score.to_le_bytes());
        copy(&mut b[RECORD + 93..SUBMITTER], record.public_input);
        copy(&mut b[SUBMITTER..], submitter);
        d
    }

    pub fn as_bytes(&self) -> &[u8; ADVANCE_DEVICE_DATA_LEN] {
        &self.bytes
    }
}

/// `RecordLeafV0` fields by reference (no copies until they are written).
pub struct RecordLeafRef<'a> {
    pub device: &'a [u8; 32],
    pub model_id: u32,
    pub seq: u64,
    pub timestamp: i64,
    pub input_commitment: &'a [u8; 32],
    pub class: u8,
    pub score: i64,
    pub public_input: &'a [u8; 32],
}

/// Most proof nodes device_registry accepts (`tree::proof_nodes`).
pub const MAX_PROOF_NODES: usize = 32;
/// authority, network, device tree, record tree, device_registry (its events), proof nodes.
const FIXED_CPI_ACCOUNTS: usize = 5;
const MAX_CPI_ACCOUNTS: usize = FIXED_CPI_ACCOUNTS + MAX_PROOF_NODES;

/// The accounts and data of one `advance_device` call.
pub struct AdvanceDevice<'a> {
    pub authority: &'a AccountView,
    pub network: &'a AccountView,
    pub device_tree: &'a AccountView,
    pub record_tree: &'a AccountView,
    /// device_registry's program account: it emits its events as self-CPIs.
    pub registry_program: &'a AccountView,
    /// Device tree proof nodes, bottom-up, minus the canopy (read-only).
    pub proof: &'a [AccountView],
    pub data: &'a AdvanceDeviceData,
}

/// CPIs `advance_device` with the PDA `["attestation"]` as signer (device_registry fails
/// the whole transaction if it refuses: a CPI's error is not returned to the caller).
///
/// The caller must hold no borrow of any of these accounts' data (the CPI is invoked
/// unchecked: the metas are built from the very account views passed, so pinocchio's
/// address and borrow checks would only re-check that).
#[inline(never)]
pub fn advance_device(cpi: &AdvanceDevice) -> Result<(), ProgramError> {
    let n = cpi.proof.len();
    if n > MAX_PROOF_NODES {
        return Err(AttestationError::InvalidArguments.into());
    }
    let mut metas = [const { MaybeUninit::<InstructionAccount>::uninit() }; MAX_CPI_ACCOUNTS];
    let mut accounts = [const { MaybeUninit::<CpiAccount>::uninit() }; MAX_CPI_ACCOUNTS];
    let fixed = [
        (cpi.authority, false, true),
        (cpi.network, false, false),
        (cpi.device_tree, true, false),
        (cpi.record_tree, true, false),
        (cpi.registry_program, false, false),
    ];
    for (i, (view, writable, signer)) in fixed.into_iter().enumerate() {
        metas[i].write(InstructionAccount::new(view.address(), writable, signer));
        CpiAccount::init_from_account_view(view, &mut accounts[i]);
    }
    for (i, view) in cpi.proof.iter().enumerate() {
        metas[FIXED_CPI_ACCOUNTS + i].write(InstructionAccount::readonly(view.address()));
        CpiAccount::init_from_account_view(view, &mut accounts[FIXED_CPI_ACCOUNTS + i]);
    }
    let len = FIXED_CPI_ACCOUNTS + n;
    // SAFETY: the first FIXED_CPI_ACCOUNTS + n entries of both arrays were initialized above.
    let (metas, accounts) = unsafe {
        (
            slice::from_raw_parts(metas.as_ptr() as *const InstructionAccount, len),
            slice::from_raw_parts(accounts.as_ptr() as *const CpiAccount, len),
        )
    };
    let ix =
        InstructionView { program_id: &REGISTRY_ID, data: cpi.data.as_bytes(), accounts: metas };
    let bump = [ATTESTATION_BUMP];
    let seeds = [Seed::from(ATTESTATION_SEED), Seed::from(&bump)];
    // SAFETY: no borrow of these accounts is alive (see above).
    unsafe { invoke_signed_unchecked(&ix, accounts, &[Signer::from(&seeds)]) };
    Ok(())
}
