//! `advance_device(args: AdvanceDeviceArgs { current, record, submitter })`: called only by
//! `inference_attestation` (through CPI, signed by its PDA `["attestation"]`) after it
//! verified a proof. Moves the device leaf's seq up to the record's seq n (n must be above the
//! leaf's: the same reading can never be recorded twice, and a reading that could not be
//! proved leaves a gap instead of blocking later ones) and appends the record leaf to the
//! given record tree, any of the network's (header authority = `record_trees_authority`).
//! Emits one event, `RecordAttested` (both tree changes and `submitter`, the
//! `submit_attestation` signer, which only the attestation program can pass here).
//! The network is read-only: two attestations conflict only when they share a device tree or
//! a record tree, so a network with K trees of each kind takes K attestations in parallel.
//! Accounts: `[attestation authority (signer), network, device_tree (writable), record_tree
//! (writable), program (this program: events), ...proof nodes]`.
use pinocchio::{error::ProgramError, AccountView, ProgramResult};
use zkpin_accounts::{
    discriminator,
    leaf::{DeviceLeaf, DeviceLeafRef, STATUS_ACTIVE},
    state::Network,
};
use zkpin_cmt::MerkleTreeAccount;

use crate::{
    args::Reader,
    checks,
    device::{self, Replace},
    error::RegistryError,
    events::{self, record_attested, RecordAttested, TreeChange},
    leaf::RecordLeaf,
    tree,
};

pub const DISCRIMINATOR: [u8; 8] = discriminator::instruction("advance_device");

/// PDA `["attestation"]` of the inference attestation program (per deployment: see
/// `zkpin_accounts`' build script).
pub use zkpin_accounts::ATTESTATION_AUTHORITY;

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let [authority, network, device_tree, record_tree, _program, proof @ ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    if !authority.is_signer() || authority.address() != &ATTESTATION_AUTHORITY {
        return Err(RegistryError::NotAttestationAuthority.into());
    }
    let mut r = Reader::new(data);
    let old = DeviceLeafRef::read(&mut r)?;
    let record = RecordLeaf::read(&mut r)?;
    let submitter: &[u8; 32] = r.array()?;
    r.finish()?;
    if old.leaf.status != STATUS_ACTIVE {
        return Err(RegistryError::DeviceRevoked.into());
    }
    if record.device() != old.leaf.device || record.model_id() != old.leaf.model_id {
        return Err(RegistryError::RecordDeviceMismatch.into());
    }
    let next = record.seq();
    if next <= old.leaf.seq {
        return Err(RegistryError::SeqMismatch.into());
    }

    checks::owned(network)?;
    checks::owned(record_tree)?;
    let network_key = network.address().to_bytes();
    let record_tree_key = record_tree.address().to_bytes();
    let record_trees_authority = Network::load(&network.try_borrow()?)
        .ok_or(RegistryError::InvalidAccountData)?
        .record_trees_authority;

    let new = DeviceLeaf { seq: next, ..old.leaf };
    let device_tree_seq = device::replace(
        device_tree,
        &Replace {
            network_key: &network_key,
            old: &old,
            new_leaf: &old.leaf_hash_with_seq(&network_key, next),
        },
        proof,
    )?;

    let (record_index, record_tree_seq) = {
        let mut d = record_tree.try_borrow_mut()?;
        let mut t = MerkleTreeAccount::load(&mut d[..]).map_err(|_| RegistryError::InvalidTree)?;
        // Only init_tree writes a header authority: this is a record tree of this network
        // (a device tree has the network itself; another network's has its own PDA).
        if t.authority() != &record_trees_authority {
            return Err(RegistryError::WrongRecordTree.into());
        }
        t.append(&record.hash()).map_err(|e| tree::cmt_error(e, RegistryError::RecordTreeFull))?;
        (t.rightmost_index() - 1, t.sequence_number())
    };

    let device_tree_key = device_tree.address().to_bytes();
    let ev = record_attested(&RecordAttested {
        device: TreeChange {
            network: &network_key,
            tree: &device_tree_key,
            leaf_index: old.leaf_index,
            tree_seq: device_tree_seq,
        },
        leaf: &new,
        record_tree: &record_tree_key,
        record_index,
        record_tree_seq,
        record: record.bytes,
        submitter,
    });
    events::emit(&ev, network)
}
