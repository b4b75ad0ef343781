//! `register_device(args: RegisterDeviceArgs { device, bjj_key_hash, model_id, serial,
//! expires_at })`: appends a device leaf (seq 0, Active) to the given device tree, any of the
//! network's (header authority = the network; clients spread devices over them).
//!
//! The instruction right before this one must be the Ed25519 precompile with two signatures
//! (docs/contracts.md): the device key over its claim (possession, and consent to this owner)
//! and the maker's authority key over its approval `serial`. The approval is single-use: its
//! bit in the maker's approval page is set here, and an approval past `expires_at` is refused.
//! Accounts: `[owner (signer), network (writable), maker (writable), model, device_tree
//! (writable), approval_page (writable, PDA ["approvals", maker, serial / 65536 as u32 LE]),
//! instructions sysvar, program (this program: events)]`.
use pinocchio::{
    error::ProgramError,
    sysvars::{clock::Clock, Sysvar},
    AccountView, ProgramResult,
};
use zkpin_accounts::{
    discriminator,
    leaf::{DeviceLeaf, STATUS_ACTIVE},
    state::{approval_page::page_of, ApprovalPage, Maker, Model, Network},
};
use zkpin_cmt::MerkleTreeAccount;
use zkpin_encoding::{ApprovalMessage, ClaimMessage};

use crate::{
    args::Reader,
    checks,
    ed25519::{self, Expected},
    error::RegistryError,
    events::{self, device_event, TreeChange, DEVICE_REGISTERED},
    tree,
};

pub const DISCRIMINATOR: [u8; 8] = discriminator::instruction("register_device");
pub fn process(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let [owner, network, maker, model, device_tree, approval_page, sysvar, _program, ..] = accounts
    else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let mut r = Reader::new(data);
    let device = r.array::<32>()?;
    let bjj_key_hash = r.array::<32>()?;
    let model_id = r.u32()?;
    let serial = r.u32()?;
    let expires_at = r.i64()?;
    r.finish()?;
    checks::signer(owner)?;
    checks::field_element(bjj_key_hash)?;
    checks::owned(network)?;
    checks::owned(maker)?;
    checks::owned(model)?;
    checks::owned(device_tree)?;
    checks::owned(approval_page).map_err(|_| RegistryError::ApprovalPageMismatch)?;
    if expires_at <= Clock::get()?.unix_timestamp {
        return Err(RegistryError::ApprovalExpired.into());
    }

    let network_key = network.address().to_bytes();
    let maker_key = maker.address().to_bytes();
    let owner_key = owner.address().to_bytes();
    let tree_key = device_tree.address().to_bytes();
    // Network is checked to be one (the tree's authority below is compared with its address).
    Network::load(&network.try_borrow()?).ok_or(RegistryError::InvalidAccountData)?;
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
    let claim = ClaimMessage {
        network: network_key,
        device: *device,
        owner: owner_key,
        maker: maker_key,
        serial,
    }
    .to_bytes();
    let approval = ApprovalMessage {
        network: network_key,
        maker: maker_key,
        device: *device,
        bjj_key_hash: *bjj_key_hash,
        model_id,
        serial,
        expires_at,
    }
    .to_bytes();
    ed25519::verify_previous(
        sysvar,
        &Expected { keys: [device, &maker_authority], messages: [&claim, &approval] },
    )?;
    take_approval(approval_page, &maker_key, serial)?;

    let (leaf_index, tree_seq) = {
        let mut d = device_tree.try_borrow_mut()?;
        let mut t = MerkleTreeAccount::load(&mut d[..]).map_err(|_| RegistryError::InvalidTree)?;
        if t.authority() != &network_key {
            return Err(RegistryError::WrongDeviceTree.into());
        }
        t.append(&leaf.hash(&network_key))
            .map_err(|e| tree::cmt_error(e, RegistryError::DeviceTreeFull))?;
        (t.rightmost_index() - 1, t.sequence_number())
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
    let at = TreeChange { network: &network_key, tree: &tree_key, leaf_index, tree_seq };
    let ev = device_event(DEVICE_REGISTERED, &at, &leaf);
    events::emit(&ev, network)
}

/// Sets the bit of approval `serial` in the maker's page; `ApprovalUsed` if it was set.
fn take_approval(page: &mut AccountView, maker: &[u8; 32], serial: u32) -> ProgramResult {
    let mut d = page.try_borrow_mut()?;
    let p = ApprovalPage::load_mut(&mut d).ok_or(RegistryError::ApprovalPageMismatch)?;
    if &p.maker != maker || p.page() != page_of(serial) {
        return Err(RegistryError::ApprovalPageMismatch.into());
    }
    // Only `init_approval_page` writes an ApprovalPage, at the PDA of (maker, page): the one
    // account of this program holding these two fields, so no re-derivation is needed.
    if !p.take(serial) {
        return Err(RegistryError::ApprovalUsed.into());
    }
    Ok(())
}
