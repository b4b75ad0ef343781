//! `ApprovalPage`: one page of a maker's approval bitmap (PDA `["approvals", maker, page u32
//! LE]`). Bit `serial % SERIALS_PER_PAGE` of page `serial / SERIALS_PER_PAGE` is set when the
//! maker's approval `serial` registers a device, so each approval registers at most one device
//! leaf, ever (revocation, transfer and tree rotation cannot bring an approval back). One bit
//! per device keeps uniqueness within the rent budget: 16 pages (0.93 SOL) cover 1,048,576
//! devices.
pub const APPROVALS_SEED: &[u8] = b"approvals";
pub const PAGE_BYTES: usize = 8192;
pub const SERIALS_PER_PAGE: u32 = (PAGE_BYTES * 8) as u32;

#[repr(C)]
pub struct ApprovalPage {
    discriminator: [u8; 8],
    pub maker: [u8; 32],
    page: [u8; 4],
    pub bump: u8,
    _pad: [u8; 3],
    pub bits: [u8; PAGE_BYTES],
}

super::account!(ApprovalPage);

impl ApprovalPage {
    pub fn page(&self) -> u32 {
        u32::from_le_bytes(self.page)
    }
    pub fn set_page(&mut self, v: u32) {
        self.page = v.to_le_bytes();
    }
    /// Sets the bit of `serial` (which must be on this page); false if it was already set.
    pub fn take(&mut self, serial: u32) -> bool {
        let bit = (serial % SERIALS_PER_PAGE) as usize;
        let (byte, mask) = (bit / 8, 1u8 << (bit % 8));
        if self.bits[byte] & mask != 0 {
            return false;
        }
        self.bits[byte] |= mask;
        true
    }
}

/// The page holding `serial`.
pub const fn page_of(serial: u32) -> u32 {
    serial / SERIALS_PER_PAGE
}
