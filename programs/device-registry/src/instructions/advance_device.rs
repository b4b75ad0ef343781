//! `advance_device(args: AdvanceDeviceArgs { leaf, leaf_index, root, record })`: called only
//! by `inference_attestation` (through CPI, signed by its PDA `["attestation"]`) after it
//! verified a proof. Moves the device leaf's seq up to the record's seq n (n must be above the
//! leaf's: the same reading can never be recorded twice, and a reading that could not be
//! proved leaves a gap instead of blocking later ones) and appends the record leaf to the
//! given record tree, any of the network's (header authority = `record_trees_authority`).
//! Returns (return data) the record's leaf index, u32 LE.
//! The network is read-only: two attestations conflict only when they share a device tree or
//! a record tree, so a network with K trees of each kind takes K attestations in parallel.
//! Accounts: `[attestation authority (signer), network, device_tree (writable), record_tree
//! (writable), program (this program: events), ...proof nodes]`.
use pinocchio::{error::ProgramError, AccountView, ProgramResult};
use zkpin_accounts::{
    discriminator,
    leaf::{DeviceLeaf, DeviceLeafRef, STATUS_ACTIVE},
    state::Network,
    EventWriter,
};
use zkpin_cmt::MerkleTreeAccount;

use crate::{
    args::Reader,
    checks,
    device::{self, Replace},
    error::RegistryError,
    events::{device_event, NetworkSigner, TreeChange, DEVICE_UPDATED, RECORD_APPENDED},
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
    let at = TreeChange {
        network: &network_key,
        tree: &device_tree_key,
        leaf_index: old.leaf_index,
        tree_seq: device_tree_seq,
    };
    let signer = NetworkSigner::load(network)?;
    let ev = device_event(DEVICE_UPDATED, &at, &new);
    signer.emit(&ev, network)?;
    let mut ev = EventWriter::new(RECORD_APPENDED, 32 * 2 + 4 + 8 + 125);
    ev.bytes(&network_key)
        .bytes(&record_tree_key)
        .u32(record_index)
        .u64(record_tree_seq)
        .bytes(record.bytes);
    signer.emit(&ev, network)?;
    #[cfg(target_arch = "bpf")]
    unsafe {
        let idx = record_index.to_le_bytes();
        pinocchio::syscalls::sol_set_return_data(idx.as_ptr(), 4);
    }
    Ok(())
}
