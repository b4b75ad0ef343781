//! `init_tree(args: InitTreeArgs { kind, max_depth, max_buffer_size })`: initializes a
//! client-created, zeroed tree account (owner = this program) as one more device tree (kind 0)
//! or record tree (kind 1) of the network. The canopy depth follows from the account size.
//! A network keeps several trees of each kind (shards): `register_device` appends to any of its
//! device trees and `advance_device` to any of its record trees, each proven a member by its
//! header authority (the network for device trees, the PDA `["record_trees", network]` for
//! record trees), which only this instruction writes. A full tree refuses appends; adding a
//! tree is how a network grows, and leaves in earlier device trees stay usable.
//! The tree account must sign: it is a keypair account created by the client, and only its
//! creator may initialize it (otherwise an account created in one transaction and initialized
//! in a later one could be taken by another network's authority in between).
//! Accounts: `[authority (signer), network (writable), tree (writable, signer), program (this
//! program: events)]`.
use pinocchio::{
    error::ProgramError,
    sysvars::{clock::Clock, Sysvar},
    AccountView, ProgramResult,
};
use zkpin_accounts::{discriminator, state::Network, EventWriter};
use zkpin_cmt::{CmtError, InitializeArgs, MerkleTreeAccount};

use crate::{
    args::Reader,
    checks,
    error::RegistryError,
    events::{self, TREE_INITIALIZED},
    tree,
};

pub const DISCRIMINATOR: [u8; 8] = discriminator::instruction("init_tree");
pub const KIND_DEVICE: u8 = 0;
pub const KIND_RECORD: u8 = 1;

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let [authority, network, tree_account, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let mut r = Reader::new(data);
    let kind = r.u8()?;
    let max_depth = r.u32()?;
    let max_buffer_size = r.u32()?;
    r.finish()?;
    if kind > KIND_RECORD {
        return Err(RegistryError::InvalidArguments.into());
    }
    checks::owned(network)?;
    checks::owned(tree_account)?;
    checks::signer(tree_account)?;
    let network_key = network.address().to_bytes();
    let tree_key = tree_account.address().to_bytes();
    checks::network_authority(
        Network::load(&network.try_borrow()?).ok_or(RegistryError::InvalidAccountData)?,
        authority,
    )?;

    let header_authority = if kind == KIND_DEVICE {
        network_key
    } else {
        tree::record_trees_authority(network.address()).to_bytes()
    };
    let canopy_depth = {
        let mut d = tree_account.try_borrow_mut()?;
        let args = InitializeArgs {
            max_depth,
            max_buffer_size,
            authority: header_authority,
            creation_slot: Clock::get()?.slot,
        };
        let t = MerkleTreeAccount::initialize(&mut d[..], &args).map_err(|e| match e {
            CmtError::TreeAlreadyInitialized => RegistryError::AlreadyInitialized,
            _ => RegistryError::InvalidTreeSize,
        })?;
        t.canopy_depth()
    };

    let number = {
        let mut d = network.try_borrow_mut()?;
        let state = Network::load_mut(&mut d).ok_or(RegistryError::InvalidAccountData)?;
        if kind == KIND_DEVICE {
            state.device_tree = tree_key;
            state.set_device_trees(state.device_trees().wrapping_add(1));
            state.device_trees()
        } else {
            state.record_tree = tree_key;
            state.record_trees_authority = header_authority;
            state.set_record_trees(state.record_trees().wrapping_add(1));
            state.record_trees()
        }
    };

    let mut ev = EventWriter::new(TREE_INITIALIZED, 32 * 2 + 1 + 4 * 4);
    ev.bytes(&network_key)
        .bytes(&tree_key)
        .u8(kind)
        .u32(max_depth)
        .u32(max_buffer_size)
        .u32(canopy_depth)
        .u32(number);
    events::emit(&ev, network)
}
