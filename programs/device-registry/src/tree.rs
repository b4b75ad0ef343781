//! The network's concurrent Merkle trees (crate `zkpin-cmt`, SPL Account Compression
//! layout). Device trees have the network as header authority; record trees the PDA
//! `["record_trees", network]`, so one kind can never be used as the other.
use pinocchio::{error::ProgramError, AccountView, Address};
use zkpin_cmt::{CmtError, MerkleTreeAccount, Node};

use crate::{checks, error::RegistryError, ID};

pub const RECORD_TREES_SEED: &[u8] = b"record_trees";

pub fn cmt_error(e: CmtError, full: RegistryError) -> ProgramError {
    match e {
        CmtError::TreeFull => full.into(),
        CmtError::RootNotFound
        | CmtError::LeafContentsModified
        | CmtError::InvalidProof
        | CmtError::ProofTooLong
        | CmtError::LeafIndexOutOfBounds => RegistryError::InvalidDeviceProof.into(),
        _ => RegistryError::InvalidTree.into(),
    }
}

/// Header authority of the network's record trees.
pub fn record_trees_authority(network: &Address) -> Address {
    Address::find_program_address(&[RECORD_TREES_SEED, network.as_ref()], &ID).0
}

/// Checks the tree account belongs to this program and has `authority` in its header.
pub fn check_tree(tree: &AccountView, authority: &[u8; 32]) -> Result<(), ProgramError> {
    checks::owned(tree)?;
    let data = tree.try_borrow()?;
    let t = MerkleTreeAccount::load(&data[..]).map_err(|_| RegistryError::InvalidTree)?;
    if !t.is_initialized() {
        return Err(RegistryError::InvalidTree.into());
    }
    if t.authority() != authority {
        return Err(RegistryError::WrongDeviceTree.into());
    }
    Ok(())
}

/// Proof nodes passed as remaining accounts (their addresses are the nodes).
pub fn proof_nodes<'a>(
    accounts: &'a [AccountView],
    out: &'a mut [Node; 32],
) -> Result<&'a [Node], ProgramError> {
    if accounts.len() > out.len() {
        return Err(RegistryError::InvalidDeviceProof.into());
    }
    for (slot, a) in out.iter_mut().zip(accounts) {
        // One `sol_memcpy_` (an inlined copy of an alignment-1 array costs about two
        // instructions per byte).
        zkpin_crypto::copy(slot, a.address().as_ref());
    }
    Ok(&out[..accounts.len()])
}
