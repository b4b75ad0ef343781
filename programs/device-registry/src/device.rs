//! Replacing a device leaf in a device tree: shared by transfer, revoke and advance, which
//! all start with a `DeviceLeafRef` (the current leaf, its index and the root the proof, in
//! the remaining accounts, was made against).
use pinocchio::{error::ProgramError, AccountView};
use zkpin_accounts::leaf::DeviceLeafRef;
use zkpin_cmt::{MerkleTreeAccount, Node, SetLeafArgs};

use crate::{checks, error::RegistryError, tree};

pub struct Replace<'a> {
    pub network_key: &'a [u8; 32],
    pub old: &'a DeviceLeafRef<'a>,
    /// The new leaf's tree leaf (`DeviceLeaf::hash` or `DeviceLeafRef::leaf_hash_with_seq`).
    pub new_leaf: &'a [u8; 32],
}

/// Checks `old` is in `device_tree` (a device tree of `network_key`) with the proof in
/// `proof_accounts`, and replaces it by `new`. Returns the tree's sequence number after the
/// change.
pub fn replace(
    device_tree: &mut AccountView,
    change: &Replace,
    proof_accounts: &[AccountView],
) -> Result<u64, ProgramError> {
    let Replace { network_key, old, new_leaf } = *change;
    checks::owned(device_tree)?;
    let mut nodes: [Node; 32] = [[0; 32]; 32];
    let proof = tree::proof_nodes(proof_accounts, &mut nodes)?;
    let mut d = device_tree.try_borrow_mut()?;
    let mut t = MerkleTreeAccount::load(&mut d[..]).map_err(|_| RegistryError::InvalidTree)?;
    if t.authority() != network_key {
        return Err(RegistryError::WrongDeviceTree.into());
    }
    t.set_leaf(&SetLeafArgs {
        current_root: *old.root,
        previous_leaf: old.leaf_hash(network_key),
        new_leaf: *new_leaf,
        proof,
        index: old.leaf_index,
    })
    .map_err(|e| tree::cmt_error(e, RegistryError::DeviceTreeFull))?;
    Ok(t.sequence_number())
}
