//! Anchor discriminators, computed at compile time: `sha256("<namespace>:<Name>")[..8]`.

const fn first8(preimage: &[u8]) -> [u8; 8] {
    let h = sha2_const_stable::Sha256::new().update(preimage).finalize();
    [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]
}

/// Instruction discriminator: `sha256("global:<snake_case_name>")[..8]`.
pub const fn instruction(name: &str) -> [u8; 8] {
    first8(concat_bytes::<64>(b"global:", name.as_bytes()).as_slice_const())
}

/// Account discriminator: `sha256("account:<Name>")[..8]`.
pub const fn account(name: &str) -> [u8; 8] {
    first8(concat_bytes::<64>(b"account:", name.as_bytes()).as_slice_const())
}

/// Event discriminator: `sha256("event:<Name>")[..8]`.
pub const fn event(name: &str) -> [u8; 8] {
    first8(concat_bytes::<64>(b"event:", name.as_bytes()).as_slice_const())
}

/// A fixed buffer holding `a || b`, usable in const context.
struct Concat<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Concat<N> {
    const fn as_slice_const(&self) -> &[u8] {
        let (head, _) = self.buf.split_at(self.len);
        head
    }
}

const fn concat_bytes<const N: usize>(a: &[u8], b: &[u8]) -> Concat<N> {
    let mut buf = [0u8; N];
    let mut i = 0;
    while i < a.len() {
        buf[i] = a[i];
        i += 1;
    }
    let mut j = 0;
    while j < b.len() {
        buf[i + j] = b[j];
        j += 1;
    }
    Concat { buf, len: a.len() + b.len() }
}
