//! This program emits no event: an attestation's one event, `RecordAttested`, is emitted by
//! device_registry inside the `advance_device` CPI (with the submitter this program passes
//! it). Programs built before that emitted `AttestationSubmitted` here as a self-CPI signed by
//! the PDA `["attestation"]`; the interface crate keeps that type so that readers still decode
//! those transactions.
use pinocchio::{AccountView, ProgramResult};

use crate::{error::AttestationError, ATTESTATION_AUTHORITY};

/// The event instruction (`EVENT_IX_TAG || event`): accepted only when signed by this
/// program's PDA `["attestation"]`, which this program no longer signs one with, so an
/// `AttestationSubmitted` can never be forged in a new transaction.
pub fn process_event(accounts: &[AccountView]) -> ProgramResult {
    match accounts.first() {
        Some(a) if a.is_signer() && a.address() == &ATTESTATION_AUTHORITY => Ok(()),
        _ => Err(AttestationError::NotEventAuthority.into()),
    }
}
