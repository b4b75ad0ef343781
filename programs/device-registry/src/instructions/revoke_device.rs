//! `revoke_device(args: RevokeDeviceArgs { leaf, leaf_index, root })`: marks a device
//! revoked; no attestation is accepted for it afterwards. Signed by the device owner or the
//! network authority.
//! Accounts: `[signer, network, device_tree (writable), program (this
//! program: events), ...proof nodes]`.
use pinocchio::{error::ProgramError, AccountView, ProgramResult};
use zkpin_accounts::{
    discriminator,
    leaf::{DeviceLeaf, DeviceLeafRef, STATUS_ACTIVE, STATUS_REVOKED},
    state::Network,
};

use crate::{
    args::Reader,
    checks,
    device::{self, Replace},
    error::RegistryError,
    events::{self, device_event, TreeChange, DEVICE_UPDATED},
};

pub const DISCRIMINATOR: [u8; 8] = discriminator::instruction("revoke_device");

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let [signer, network, device_tree, _program, proof @ ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let mut r = Reader::new(data);
    let old = DeviceLeafRef::read(&mut r)?;
    r.finish()?;
    checks::signer(signer)?;
    checks::owned(network)?;
    let authority =
        Network::load(&network.try_borrow()?).ok_or(RegistryError::InvalidAccountData)?.authority;
    let key = signer.address().as_ref();
    if key != old.leaf.owner && key != authority {
        return Err(RegistryError::NotDeviceOwner.into());
    }
    if old.leaf.status != STATUS_ACTIVE {
        return Err(RegistryError::DeviceRevoked.into());
    }
    let network_key = network.address().to_bytes();
    let new = DeviceLeaf { status: STATUS_REVOKED, ..old.leaf };
    let tree_seq = device::replace(
        device_tree,
        &Replace { network_key: &network_key, old: &old, new_leaf: &new.hash(&network_key) },
        proof,
    )?;
    let tree_key = device_tree.address().to_bytes();
    let at =
        TreeChange { network: &network_key, tree: &tree_key, leaf_index: old.leaf_index, tree_seq };
    let ev = device_event(DEVICE_UPDATED, &at, &new);
    events::emit(&ev, network)
}
