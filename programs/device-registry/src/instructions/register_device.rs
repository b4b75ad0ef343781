//! `register_device(args: RegisterDeviceArgs { device, bjj_key_hash, model_id })`: appends a
//! device leaf (seq 0, Active) to the network's current device tree.
//!
//! The instruction right before this one must be the Ed25519 precompile with two signatures
//! over the canonical onboarding message (docs/contracts.md): the device key (possession)
//! and the maker's authority key (approval).
//! Accounts: `[owner (signer), network (writable), maker (writable), model, device_tree
//! (writable), instructions sysvar]`.
use pinocchio::{error::ProgramError, AccountView, ProgramResult};
use zkpin_accounts::{
    discriminator,
    leaf::{DeviceLeaf, STATUS_ACTIVE},
    state::{Maker, Model, Network},
};
use zkpin_cmt::MerkleTreeAccount;
use zkpin_encoding::OnboardingMessage;

use crate::{
    args::Reader,
    checks,
    ed25519::{self, Expected},
    error::RegistryError,
    events::{device_event, DEVICE_REGISTERED},
    tree,
};

pub const DISCRIMINATOR: [u8; 8] = discriminator::instruction("register_device");
pub fn process(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let [owner, network, maker, model, device_tree, sysvar, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let mut r = Reader::new(data);
    let device = r.array::<32>()?;
    let bjj_key_hash = r.array::<32>()?;
    let model_id = r.u32()?;
    r.finish()?;
    checks::signer(owner)?;
    checks::field_element(bjj_key_hash)?;
    checks::owned(network)?;
    checks::owned(maker)?;
    checks::owned(model)?;
    checks::owned(device_tree)?;

    let network_key = network.address().to_bytes();
    let maker_key = maker.address().to_bytes();
    let owner_key = owner.address().to_bytes();
    let tree_key = device_tree.address().to_bytes();
    {
        let d = network.try_borrow()?;
        let n = Network::load(&d).ok_or(RegistryError::InvalidAccountData)?;
        if n.device_tree != tree_key {
            return Err(RegistryError::WrongDeviceTree.into());
        }
    }
    let maker_authority = {
        let d = maker.try_borrow()?;
        let m = Maker::load(&d).ok_or(RegistryError::InvalidAccountData)?;
        if m.network != network_key {
            return Err(RegistryError::WrongNetwork.into());
        }
        checks::maker_active(m)?;
        m.authority
    };
    {
        let d = model.try_borrow()?;
        let m = Model::load(&d).ok_or(RegistryError::InvalidAccountData)?;
        if m.network != network_key {
            return Err(RegistryError::WrongNetwork.into());
        }
        if m.model_id() != model_id {
            return Err(RegistryError::ModelMismatch.into());
        }
        checks::model_active(m)?;
    }

    let leaf = DeviceLeaf {
        device,
        owner: &owner_key,
        maker: &maker_key,
        bjj_key_hash,
        model_id,
        seq: 0,
        status: STATUS_ACTIVE,
    };
    let message = OnboardingMessage {
        network: network_key,
        device: *device,
        owner: owner_key,
        maker: maker_key,
        bjj_key_hash: *bjj_key_hash,
        model_id,
    }
    .to_bytes();
    ed25519::verify_previous(
        sysvar,
        &Expected { keys: [device, &maker_authority], message: &message },
    )?;

    let leaf_index = {
        let mut d = device_tree.try_borrow_mut()?;
        let mut t = MerkleTreeAccount::load(&mut d[..]).map_err(|_| RegistryError::InvalidTree)?;
        if t.authority() != &network_key {
            return Err(RegistryError::WrongDeviceTree.into());
        }
        t.append(&leaf.hash(&network_key))
            .map_err(|e| tree::cmt_error(e, RegistryError::DeviceTreeFull))?;
        t.rightmost_index() - 1
    };

    {
        let mut d = network.try_borrow_mut()?;
        let n = Network::load_mut(&mut d).ok_or(RegistryError::InvalidAccountData)?;
        n.set_devices(n.devices().wrapping_add(1));
    }
    {
        let mut d = maker.try_borrow_mut()?;
        let m = Maker::load_mut(&mut d).ok_or(RegistryError::InvalidAccountData)?;
        m.set_devices(m.devices().wrapping_add(1));
    }
    device_event(DEVICE_REGISTERED, &network_key, &tree_key, leaf_index, &leaf).emit();
    Ok(())
}
