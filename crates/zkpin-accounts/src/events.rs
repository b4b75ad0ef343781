//! Anchor-compatible events emitted as self-CPIs (the format of Anchor's `emit_cpi!`): the
//! program invokes itself with instruction data `EVENT_IX_TAG || discriminator ||
//! borsh(fields)` and one account, a PDA of the program that only the program can sign for.
//!
//! Why not `sol_log_data`: a transaction's log messages are truncated past the log limit while
//! the transaction still executes, so an event in the logs can be hidden by whoever builds the
//! transaction. Inner instructions are part of the transaction's record whatever its logs
//! hold, so followers rebuild every tree from them (docs/contracts.md, "Events").
use alloc::vec::Vec;
use pinocchio::{
    cpi::{invoke_signed_unchecked, CpiAccount, Seed, Signer},
    error::ProgramError,
    instruction::{InstructionAccount, InstructionView},
    AccountView, Address,
};

/// Anchor's `EVENT_IX_TAG` (`0x1d9acb512ea545e4`) as little-endian bytes (`e4 45 a5 2e 51 cb
/// 9a 1d`): the first 8 bytes of every event instruction.
pub const EVENT_IX_TAG: [u8; 8] = crate::discriminator::event_ix_tag();

/// Builds an event `EVENT_IX_TAG || discriminator || fields` on the heap (for programs with an
/// allocator). The buffer is zeroed once at its announced size (one `sol_memset_`) and
/// fields are written at a cursor, 32-byte fields with one `sol_memcpy_` each (an inlined
/// copy of a byte array, alignment 1, costs about two instructions per byte); it grows if a
/// writer announced too little.
pub struct EventWriter {
    buf: Vec<u8>,
    len: usize,
}

impl EventWriter {
    pub fn new(disc: [u8; 8], capacity: usize) -> Self {
        let mut buf = alloc::vec![0u8; 16 + capacity];
        buf[..8].copy_from_slice(&EVENT_IX_TAG);
        buf[8..16].copy_from_slice(&disc);
        Self { buf, len: 16 }
    }
    /// The next `n` bytes of the buffer (grown when needed), the cursor moved past them.
    #[inline(always)]
    fn next(&mut self, n: usize) -> &mut [u8] {
        let at = self.len;
        if self.buf.len() < at + n {
            self.buf.resize(at + n, 0);
        }
        self.len = at + n;
        &mut self.buf[at..at + n]
    }
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        zkpin_crypto::copy(self.next(b.len()), b);
        self
    }
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.next(1)[0] = v;
        self
    }
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.next(2).copy_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.next(4).copy_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.next(8).copy_from_slice(&v.to_le_bytes());
        self
    }
    /// The event instruction's data (`EVENT_IX_TAG || discriminator || fields`).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
    /// The event without the tag (`discriminator || fields`), as Anchor's coder decodes it.
    pub fn event(&self) -> &[u8] {
        &self.buf[8..self.len]
    }
    /// Emits the event: see [`emit_cpi`].
    pub fn emit(
        &self,
        program_id: &Address,
        signer: &AccountView,
        seeds: &[Seed],
    ) -> Result<(), ProgramError> {
        emit_cpi(program_id, signer, seeds, self.as_bytes())
    }
}

/// Invokes `program_id` (the running program, which must be among the instruction's
/// accounts) with `data` (`EVENT_IX_TAG || event`) and one read-only signer account, `signer`,
/// a PDA of the program signed with `seeds` (the bump included).
///
/// The caller must hold no mutable borrow of `signer`'s data.
#[inline(never)]
pub fn emit_cpi(
    program_id: &Address,
    signer: &AccountView,
    seeds: &[Seed],
    data: &[u8],
) -> Result<(), ProgramError> {
    if signer.is_borrowed_mut() {
        return Err(ProgramError::AccountBorrowFailed);
    }
    let metas = [InstructionAccount::new(signer.address(), false, true)];
    let mut account = core::mem::MaybeUninit::<CpiAccount>::uninit();
    CpiAccount::init_from_account_view(signer, &mut account);
    // SAFETY: initialized just above.
    let accounts = [unsafe { account.assume_init() }];
    let ix = InstructionView { program_id, data, accounts: &metas };
    // SAFETY: `signer` is not mutably borrowed (checked above); the runtime checks the rest.
    unsafe { invoke_signed_unchecked(&ix, &accounts, &[Signer::from(seeds)]) };
    Ok(())
}
