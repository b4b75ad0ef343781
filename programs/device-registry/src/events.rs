//! This program's Anchor events (`zkpin_accounts::EventWriter`: one `sol_log_data` blob
//! `discriminator || borsh(fields)`).
use zkpin_accounts::{discriminator, leaf::DeviceLeaf, EventWriter};

pub const NETWORK_INITIALIZED: [u8; 8] = discriminator::event("NetworkInitialized");
pub const ORACLES_SET: [u8; 8] = discriminator::event("OraclesSet");
pub const MAKER_ADDED: [u8; 8] = discriminator::event("MakerAdded");
pub const MAKER_ACTIVE_SET: [u8; 8] = discriminator::event("MakerActiveSet");
pub const MODEL_REGISTERED: [u8; 8] = discriminator::event("ModelRegistered");
pub const MODEL_ACTIVE_SET: [u8; 8] = discriminator::event("ModelActiveSet");
pub const TREE_INITIALIZED: [u8; 8] = discriminator::event("TreeInitialized");
pub const DEVICE_REGISTERED: [u8; 8] = discriminator::event("DeviceRegistered");
pub const DEVICE_UPDATED: [u8; 8] = discriminator::event("DeviceUpdated");
pub const RECORD_APPENDED: [u8; 8] = discriminator::event("RecordAppended");

/// `{ network, tree, leaf_index: u32, leaf: DeviceLeaf }`: the full leaf, so the indexer can
/// rebuild device trees from events alone.
pub fn device_event(
    disc: [u8; 8],
    network: &[u8; 32],
    tree: &[u8; 32],
    leaf_index: u32,
    leaf: &DeviceLeaf,
) -> EventWriter {
    let mut ev = EventWriter::new(disc, 64 + 4 + 141);
    ev.bytes(network)
        .bytes(tree)
        .u32(leaf_index)
        .bytes(leaf.device)
        .bytes(leaf.owner)
        .bytes(leaf.maker)
        .bytes(leaf.bjj_key_hash)
        .u32(leaf.model_id)
        .u64(leaf.seq)
        .u8(leaf.status);
    ev
}
