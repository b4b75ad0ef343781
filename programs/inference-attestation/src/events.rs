//! Anchor-compatible events emitted as self-CPIs (the `emit_cpi!` format, see
//! `zkpin_accounts::events`): instruction data `EVENT_IX_TAG || discriminator ||
//! borsh(fields)`, signed by this program's PDA `["attestation"]`, which only this program can
//! sign for. Kept in the transaction's inner instructions whatever happens to its logs.
use pinocchio::{cpi::Seed, error::ProgramError, AccountView, ProgramResult};
use zkpin_accounts::{discriminator, events};
use zkpin_crypto::copy;

use crate::{
    error::AttestationError, ATTESTATION_AUTHORITY, ATTESTATION_BUMP, ATTESTATION_SEED, ID,
};

/// 8-byte alignment lets the zero fill use 8-byte stores.
#[repr(C, align(8))]
struct Aligned<T>(T);

pub const ATTESTATION_SUBMITTED: [u8; 8] = discriminator::event("AttestationSubmitted");

/// `AttestationSubmitted { network, device, model_id: u32, seq: u64, record_tree,
/// record_index: u32, public_input: [u8; 32], submitter }`.
///
/// `submitter` is whoever signed the transaction. Groth16 proofs are malleable (anyone can
/// re-randomize a valid proof, or negate A and B) and are not bound to the submitter, so a
/// front-runner can copy a pending attestation and submit it first: the record is the same,
/// the `submitter` is not. Nothing may credit `submitter` (rewards) on the strength of this
/// event alone.
pub struct AttestationSubmitted<'a> {
    pub network: &'a [u8; 32],
    pub device: &'a [u8; 32],
    pub model_id: u32,
    pub seq: u64,
    pub record_tree: &'a [u8; 32],
    pub record_index: u32,
    pub public_input: &'a [u8; 32],
    pub submitter: &'a [u8; 32],
}

pub const ATTESTATION_SUBMITTED_LEN: usize = 8 + 32 + 32 + 4 + 8 + 32 + 4 + 32 + 32;
/// The event instruction's data: `EVENT_IX_TAG || event`.
pub const EVENT_DATA_LEN: usize = 8 + ATTESTATION_SUBMITTED_LEN;

impl AttestationSubmitted<'_> {
    /// The event bytes: discriminator, then the borsh fields in declaration order.
    /// (32-byte fields are copied with `sol_memcpy_`: an inlined byte copy costs about
    /// two instructions per byte.)
    pub fn to_bytes(&self, out: &mut [u8; ATTESTATION_SUBMITTED_LEN]) {
        out[..8].copy_from_slice(&ATTESTATION_SUBMITTED);
        copy(&mut out[8..40], self.network);
        copy(&mut out[40..72], self.device);
        out[72..76].copy_from_slice(&self.model_id.to_le_bytes());
        out[76..84].copy_from_slice(&self.seq.to_le_bytes());
        copy(&mut out[84..116], self.record_tree);
        out[116..120].copy_from_slice(&self.record_index.to_le_bytes());
        copy(&mut out[120..152], self.public_input);
        copy(&mut out[152..184], self.submitter);
    }

    /// Emits the event as a self-CPI signed by `authority` (the PDA `["attestation"]`).
    pub fn emit(&self, authority: &AccountView) -> Result<(), ProgramError> {
        let mut buf = Aligned([0u8; EVENT_DATA_LEN]);
        let buf = &mut buf.0;
        buf[..8].copy_from_slice(&events::EVENT_IX_TAG);
        // The rest is exactly ATTESTATION_SUBMITTED_LEN bytes, so this never fails.
        let event: &mut [u8; ATTESTATION_SUBMITTED_LEN] =
            (&mut buf[8..]).try_into().map_err(|_| AttestationError::InvalidArguments)?;
        self.to_bytes(event);
        let bump = [ATTESTATION_BUMP];
        let seeds = [Seed::from(ATTESTATION_SEED), Seed::from(&bump)];
        events::emit_cpi(&ID, authority, &seeds, buf)
    }
}

/// The event instruction: accepted only when signed by this program's PDA `["attestation"]`,
/// i.e. only from [`AttestationSubmitted::emit`].
pub fn process_event(accounts: &[AccountView]) -> ProgramResult {
    match accounts.first() {
        Some(a) if a.is_signer() && a.address() == &ATTESTATION_AUTHORITY => Ok(()),
        _ => Err(AttestationError::NotEventAuthority.into()),
    }
}
