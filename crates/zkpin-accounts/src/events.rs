//! Anchor-compatible events: `sol_log_data` of one blob `discriminator || borsh(fields)`,
//! which Anchor's `EventParser` reads from the `Program data:` log line.
use alloc::vec::Vec;

/// Logs `event` (discriminator and borsh fields) as one `Program data:` line. Does nothing
/// off-chain.
#[inline(always)]
pub fn log(event: &[u8]) {
    #[cfg(target_arch = "bpf")]
    unsafe {
        let fields: [&[u8]; 1] = [event];
        pinocchio::syscalls::sol_log_data(fields.as_ptr() as *const u8, 1);
    }
    #[cfg(not(target_arch = "bpf"))]
    let _ = event;
}

/// Builds an event of variable length on the heap (for programs with an allocator).
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
        log(&self.buf);
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }
}
