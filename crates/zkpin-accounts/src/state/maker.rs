//! `Maker`: a hardware maker approved by the network (PDA `["maker", network, authority]`).
//! Its `authority` key signs device approvals (the second Ed25519 signature of
//! `register_device`).
pub const MAKER_SEED: &[u8] = b"maker";
pub const MAX_NAME_LEN: usize = 32;

#[repr(C)]
pub struct Maker {
    discriminator: [u8; 8],
    pub network: [u8; 32],
    pub authority: [u8; 32],
    /// UTF-8, zero-padded.
    pub name: [u8; MAX_NAME_LEN],
    pub active: u8,
    pub bump: u8,
    devices: [u8; 8],
}

super::account!(Maker);

impl Maker {
    pub fn is_active(&self) -> bool {
        self.active == 1
    }
    pub fn devices(&self) -> u64 {
        u64::from_le_bytes(self.devices)
    }
    pub fn set_devices(&mut self, v: u64) {
        self.devices = v.to_le_bytes();
    }
}
