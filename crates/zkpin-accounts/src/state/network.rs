//! `Network`: the root account of a zkpin network (PDA `["network", authority]`).
pub const MAX_ORACLES: usize = 8;
pub const NETWORK_SEED: &[u8] = b"network";

#[repr(C)]
pub struct Network {
    discriminator: [u8; 8],
    pub authority: [u8; 32],
    pub oracles: [[u8; 32]; MAX_ORACLES],
    pub oracle_count: u8,
    pub permissionless: u8,
    pub bump: u8,
    /// The device tree `init_tree` added last. `register_device` appends to any device tree
    /// of the network (header authority = the network): the trees are shards.
    pub device_tree: [u8; 32],
    /// The record tree `init_tree` added last. `advance_device` appends to any record tree
    /// whose header authority is `record_trees_authority`.
    pub record_tree: [u8; 32],
    device_trees: [u8; 4],
    record_trees: [u8; 4],
    devices: [u8; 8],
    /// Retired: was the record count, written by every attestation (which made the network a
    /// writable account of each one). Now 0; a network's record count is the sum of its
    /// record trees' leaf counts.
    pub retired_records: [u8; 8],
    makers: [u8; 4],
    models: [u8; 4],
    /// PDA `["record_trees", network]`, the header authority of this network's record trees
    /// (set by the first record `init_tree`; zero before), so that membership of a record tree
    /// is one comparison.
    pub record_trees_authority: [u8; 32],
    pub reserved: [u8; 32],
}

super::account!(Network);

impl Network {
    /// Whether `key` may submit attestations: any key on a permissionless network, else one
    /// of the oracles.
    pub fn may_submit(&self, key: &[u8; 32]) -> bool {
        if self.permissionless != 0 {
            return true;
        }
        let n = (self.oracle_count as usize).min(MAX_ORACLES);
        self.oracles[..n].iter().any(|o| o == key)
    }

    pub fn devices(&self) -> u64 {
        u64::from_le_bytes(self.devices)
    }
    pub fn set_devices(&mut self, v: u64) {
        self.devices = v.to_le_bytes();
    }
    pub fn device_trees(&self) -> u32 {
        u32::from_le_bytes(self.device_trees)
    }
    pub fn set_device_trees(&mut self, v: u32) {
        self.device_trees = v.to_le_bytes();
    }
    pub fn record_trees(&self) -> u32 {
        u32::from_le_bytes(self.record_trees)
    }
    pub fn set_record_trees(&mut self, v: u32) {
        self.record_trees = v.to_le_bytes();
    }
    pub fn makers(&self) -> u32 {
        u32::from_le_bytes(self.makers)
    }
    pub fn set_makers(&mut self, v: u32) {
        self.makers = v.to_le_bytes();
    }
    pub fn models(&self) -> u32 {
        u32::from_le_bytes(self.models)
    }
    pub fn set_models(&mut self, v: u32) {
        self.models = v.to_le_bytes();
    }
}
