//! Anchor-compatible events: `sol_log_data` of one blob `discriminator || borsh(fields)`,
//! which Anchor's `EventParser` reads from the `Program data:` log line.
use alloc::vec::Vec;

use crate::discriminator;

pub struct EventWriter {
    buf: Vec<u8>,
}

impl EventWriter {
    pub fn new(disc: [u8; 8], capacity: usize) -> Self {
        let mut buf = Vec::with_capacity(8 + capacity);
        buf.extend_from_slice(&disc);
        Self { buf }
    }
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(b);
        self
    }
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    pub fn emit(&self) {
        #[cfg(target_arch = "bpf")]
        unsafe {
            let fields: [&[u8]; 1] = [&self.buf];
            pinocchio::syscalls::sol_log_data(fields.as_ptr() as *const u8, 1);
        }
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }
}

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
    leaf: &crate::leaf::DeviceLeaf,
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
