//! Anchor-compatible events: `sol_log_data` of one blob `discriminator || borsh(fields)`,
//! which Anchor's `EventParser` reads from the `Program data:` log line.
use zkpin_accounts::{discriminator, events};
use zkpin_crypto::copy;

/// 8-byte alignment lets the zero fill use 8-byte stores.
#[repr(C, align(8))]
struct Aligned<T>(T);

pub const ATTESTATION_SUBMITTED: [u8; 8] = discriminator::event("AttestationSubmitted");

/// `AttestationSubmitted { network, device, model_id: u32, seq: u64, record_tree,
/// record_index: u32, public_input: [u8; 32], submitter }`.
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

    pub fn emit(&self) {
        let mut buf = Aligned([0u8; ATTESTATION_SUBMITTED_LEN]);
        let buf = &mut buf.0;
        self.to_bytes(buf);
        events::log(buf);
    }
}
