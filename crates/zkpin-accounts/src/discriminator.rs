//! Anchor discriminators, computed at compile time: `sha256("<namespace>:<Name>")[..8]`.

const fn first8(preimage: &[u8]) -> [u8; 8] {
    let h = sha2_const_stable::Sha256::new().update(preimage).finalize();
    [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]
}

/// `prefix || name` in a fixed buffer, usable in const context (at most 64 bytes).
const fn preimage(prefix: &[u8], name: &[u8]) -> ([u8; 64], usize) {
    let mut buf = [0u8; 64];
    let mut i = 0;
    while i < prefix.len() {
        buf[i] = prefix[i];
        i += 1;
    }
    let mut j = 0;
    while j < name.len() {
        buf[i + j] = name[j];
        j += 1;
    }
    (buf, i + j)
}

const fn hash_prefixed(prefix: &[u8], name: &str) -> [u8; 8] {
    let (buf, len) = preimage(prefix, name.as_bytes());
    first8(buf.split_at(len).0)
}

/// Instruction discriminator: `sha256("global:<snake_case_name>")[..8]`.
pub const fn instruction(name: &str) -> [u8; 8] {
    hash_prefixed(b"global:", name)
}

/// Account discriminator: `sha256("account:<Name>")[..8]`.
pub const fn account(name: &str) -> [u8; 8] {
    hash_prefixed(b"account:", name)
}

/// Event discriminator: `sha256("event:<Name>")[..8]`.
pub const fn event(name: &str) -> [u8; 8] {
    hash_prefixed(b"event:", name)
}

/// Anchor's event-instruction tag as it appears in instruction data (`EVENT_IX_TAG_LE`):
/// Anchor's `EVENT_IX_TAG` is the u64 read big-endian from `sha256("anchor:event")[..8]`
/// (`0x1d9acb512ea545e4`), written little-endian, i.e. those 8 bytes reversed.
pub const fn event_ix_tag() -> [u8; 8] {
    let h = first8(b"anchor:event");
    [h[7], h[6], h[5], h[4], h[3], h[2], h[1], h[0]]
}
