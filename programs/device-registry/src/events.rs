//! This program's Anchor events, emitted as self-CPIs (`zkpin_accounts::events`): instruction
//! data `EVENT_IX_TAG || discriminator || borsh(fields)`, signed by the network account (a PDA
//! of this program, so only this program can sign for it). Every event's first field is that
//! network, and [`process_event`] accepts an event instruction only when its signer is a
//! `Network` of this program equal to that field: an event cannot be forged, and cannot be
//! hidden by truncating the transaction's logs.
use pinocchio::{cpi::Seed, error::ProgramError, AccountView, ProgramResult};
use zkpin_accounts::{
    discriminator,
    leaf::DeviceLeaf,
    state::{network::NETWORK_SEED, Network},
    EventWriter,
};

use crate::{checks, error::RegistryError, leaf::RECORD_LEAF_LEN, ID};

pub const NETWORK_INITIALIZED: [u8; 8] = discriminator::event("NetworkInitialized");
pub const ORACLES_SET: [u8; 8] = discriminator::event("OraclesSet");
pub const MAKER_ADDED: [u8; 8] = discriminator::event("MakerAdded");
pub const MAKER_ACTIVE_SET: [u8; 8] = discriminator::event("MakerActiveSet");
pub const MODEL_REGISTERED: [u8; 8] = discriminator::event("ModelRegistered");
pub const MODEL_ACTIVE_SET: [u8; 8] = discriminator::event("ModelActiveSet");
pub const TREE_INITIALIZED: [u8; 8] = discriminator::event("TreeInitialized");
pub const DEVICE_REGISTERED: [u8; 8] = discriminator::event("DeviceRegistered");
pub const DEVICE_UPDATED: [u8; 8] = discriminator::event("DeviceUpdated");
pub const RECORD_ATTESTED: [u8; 8] = discriminator::event("RecordAttested");
// `RecordAppended` (and inference_attestation's `AttestationSubmitted`) were what an
// attestation emitted before `RecordAttested` took their place: the interface crate keeps
// them so that readers still decode older transactions; this program no longer emits them.

/// Emits `ev` as a self-CPI signed by `network` (an initialized `Network` of this program,
/// not mutably borrowed).
pub fn emit(ev: &EventWriter, network: &AccountView) -> ProgramResult {
    let mut authority = [0u8; 32];
    let bump = {
        let d = network.try_borrow()?;
        let n = Network::load(&d).ok_or(RegistryError::InvalidAccountData)?;
        zkpin_crypto::copy(&mut authority, &n.authority);
        [n.bump]
    };
    let seeds = [Seed::from(NETWORK_SEED), Seed::from(&authority), Seed::from(&bump)];
    ev.emit(&ID, network, &seeds)
}

/// The event instruction (`EVENT_IX_TAG || event`): only this program, through [`emit`], can
/// make it succeed.
pub fn process_event(accounts: &[AccountView], data: &[u8]) -> ProgramResult {
    let [signer, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let forged = || ProgramError::from(RegistryError::NotEventAuthority);
    if !signer.is_signer() {
        return Err(forged());
    }
    checks::owned(signer).map_err(|_| forged())?;
    if Network::load(&signer.try_borrow()?).is_none() {
        return Err(forged());
    }
    // data = EVENT_IX_TAG (8) || discriminator (8) || network (32) || ...
    if data.get(16..48) != Some(signer.address().as_ref()) {
        return Err(forged());
    }
    Ok(())
}

/// Where a tree change happened: the tree of `network`, the leaf index, and the tree's
/// sequence number after the change.
pub struct TreeChange<'a> {
    pub network: &'a [u8; 32],
    pub tree: &'a [u8; 32],
    pub leaf_index: u32,
    pub tree_seq: u64,
}

/// `{ network, tree, leaf_index: u32, tree_seq: u64, leaf: DeviceLeaf }`: the full leaf and
/// the tree's sequence number after the change, so a follower can rebuild device trees from
/// events alone and detect a missed one.
pub fn device_event(disc: [u8; 8], at: &TreeChange, leaf: &DeviceLeaf) -> EventWriter {
    let mut ev = EventWriter::new(disc, 64 + 4 + 8 + 141);
    ev.bytes(at.network).bytes(at.tree).u32(at.leaf_index).u64(at.tree_seq);
    device_leaf(&mut ev, leaf);
    ev
}

/// borsh(DeviceLeaf).
#[inline(always)]
fn device_leaf(ev: &mut EventWriter, leaf: &DeviceLeaf) {
    ev.bytes(leaf.device)
        .bytes(leaf.owner)
        .bytes(leaf.maker)
        .bytes(leaf.bjj_key_hash)
        .u32(leaf.model_id)
        .u64(leaf.seq)
        .u8(leaf.status);
}

/// What `advance_device` changed for one attestation, in [`record_attested`].
pub struct RecordAttested<'a> {
    /// The device tree (and the network), the device's leaf index, the tree's seq after.
    pub device: TreeChange<'a>,
    /// The new device leaf (its seq is the record's).
    pub leaf: &'a DeviceLeaf<'a>,
    pub record_tree: &'a [u8; 32],
    pub record_index: u32,
    pub record_tree_seq: u64,
    /// borsh(RecordLeafV0).
    pub record: &'a [u8; RECORD_LEAF_LEN],
    /// Who signed `submit_attestation` (passed by inference_attestation).
    pub submitter: &'a [u8; 32],
}

/// Bytes of `RecordAttested`'s fields.
pub const RECORD_ATTESTED_LEN: usize = 32 * 2 + 4 + 8 + 141 + 32 + 4 + 8 + RECORD_LEAF_LEN + 32;

/// `RecordAttested { network, device_tree, device_leaf_index: u32, device_tree_seq: u64, leaf:
/// DeviceLeaf, record_tree, record_index: u32, record_tree_seq: u64, record: RecordLeaf,
/// submitter }`: one event for both tree changes of an attestation (a `DeviceUpdated` and a
/// `RecordAppended` in one, plus the submitter), so an attestation pays for one self-CPI.
pub fn record_attested(a: &RecordAttested) -> EventWriter {
    let mut ev = EventWriter::new(RECORD_ATTESTED, RECORD_ATTESTED_LEN);
    ev.bytes(a.device.network).bytes(a.device.tree).u32(a.device.leaf_index).u64(a.device.tree_seq);
    device_leaf(&mut ev, a.leaf);
    ev.bytes(a.record_tree)
        .u32(a.record_index)
        .u64(a.record_tree_seq)
        .bytes(a.record)
        .bytes(a.submitter);
    ev
}

/// What `register_model` registered, in [`model_registered`].
pub struct ModelRegistered<'a> {
    pub network: &'a [u8; 32],
    pub model: &'a [u8; 32],
    pub model_id: u32,
    pub version: u32,
    pub onnx_sha256: &'a [u8; 32],
    pub circuit_sha256: &'a [u8; 32],
    pub window: u16,
    pub classes: u8,
}

/// `ModelRegistered { network, model, model_id: u32, version: u32, onnx_sha256,
/// circuit_sha256, window: u16, classes: u8 }`.
pub fn model_registered(m: &ModelRegistered) -> EventWriter {
    let mut ev = EventWriter::new(MODEL_REGISTERED, 32 * 4 + 8 + 3);
    ev.bytes(m.network)
        .bytes(m.model)
        .u32(m.model_id)
        .u32(m.version)
        .bytes(m.onnx_sha256)
        .bytes(m.circuit_sha256)
        .u16(m.window)
        .u8(m.classes);
    ev
}
