//! Byte encodings shared by the programs, the oracle and the SDK (`docs/contracts.md`):
//! the `DeviceLeafV0` / `RecordLeafV0` borsh layouts and their keccak256 leaf hashes, the
//! signed device messages (reading v3, maker approval, device claim), the mapping of signed
//! integers and 32-byte keys into the BN254 scalar field, and the Groth16 public input `P`.
//!
//! Golden vectors: `tests/vectors/encodings.json`, written and checked by this crate's
//! tests (`UPDATE_VECTORS=1 cargo test -p zkpin-encoding` regenerates it) and read by the
//! TypeScript SDK's tests.
//!
//! Functions returning arrays are `#[inline(always)]` (upstream LLVM's BPF backend rejects
//! out-of-line functions returning aggregates); `write_*` variants fill a caller buffer.
#![no_std]

pub use zkpin_crypto::{CryptoError, BN254_R};

/// Size of the borsh bytes of [`DeviceLeafV0`].
pub const DEVICE_LEAF_V0_SIZE: usize = 173;
/// Size of the borsh bytes of [`RecordLeafV0`].
pub const RECORD_LEAF_V0_SIZE: usize = 125;
/// Size of the signed bytes of a [`ReadingMessage`] without its readings: the message of
/// `n` readings is `READING_MESSAGE_FIXED_SIZE + n` bytes ([`reading_message_size`]).
pub const READING_MESSAGE_FIXED_SIZE: usize = 294;
/// Size of the largest [`ReadingMessage`] (`MAX_WINDOW` readings).
pub const READING_MESSAGE_MAX_SIZE: usize = READING_MESSAGE_FIXED_SIZE + MAX_WINDOW;
/// Size of the signed bytes of an [`ApprovalMessage`].
pub const APPROVAL_MESSAGE_SIZE: usize = 160;
/// Size of the signed bytes of a [`ClaimMessage`].
pub const CLAIM_MESSAGE_SIZE: usize = 148;
/// Domain tag of reading messages (v3: any window size).
pub const READING_DOMAIN: &[u8; 16] = b"zkpin/v3/reading";
/// Domain tag of the retired v2 reading message (always 16 readings), which decoders refuse
/// with [`EncodingError::RetiredReadingVersion`].
pub const READING_DOMAIN_V2: &[u8; 16] = b"zkpin/v2/reading";
/// Domain tag of a maker's device approval.
pub const APPROVAL_DOMAIN: &[u8; 16] = b"zkpin/v2/approve";
/// Domain tag of a device's onboarding claim (names its owner).
pub const CLAIM_DOMAIN: &[u8; 16] = b"zkpin/v2/onboard";
/// Largest window (number of int8 readings) a model may take and a reading message may carry:
/// 15 chunks of [`READINGS_PER_CHUNK`] readings, so that the chunks and the salt are
/// Poseidon's 16 inputs. The model account's `window` is `1..=MAX_WINDOW` (device_registry
/// `register_model`); the IDL constant `MAX_WINDOW` (idls/constants.ts) is this value.
pub const MAX_WINDOW: usize = 465;
/// Readings packed into one field element of the input commitment (31 bytes < r).
pub const READINGS_PER_CHUNK: usize = 31;
/// Offset of the readings in a reading message (after tag, network, device, seq, timestamp,
/// model_id and `n`).
const READINGS_AT: usize = 102;

/// Size of the signed bytes of a [`ReadingMessage`] of `n` readings: `294 + n`.
pub const fn reading_message_size(n: usize) -> usize {
    READING_MESSAGE_FIXED_SIZE + n
}
/// Number of Poseidon inputs of the public input `P`: the packed header's three chunks,
/// `bjj_key_hash` and `input_commitment`.
pub const PUBLIC_INPUT_FIELDS: usize = 5;
/// Bytes of the header `P` packs: `network (32) || device (32) || model_id u32 BE ||
/// seq u64 BE || timestamp + 2^63 u64 BE || class u8 || score + 2^63 u64 BE`.
pub const PUBLIC_INPUT_HEADER_LEN: usize = 93;
/// Bytes per chunk of the header (a chunk is `< 2^248 < r`, as the readings' chunks).
pub const PUBLIC_INPUT_CHUNK: usize = 31;
/// Order `l` of BabyJubJub's prime-order subgroup, big-endian: a canonical EdDSA-Poseidon
/// signature scalar is `< l`.
pub const BABYJUB_L: [u8; 32] = [
    0x06, 0x0c, 0x89, 0xce, 0x5c, 0x26, 0x34, 0x05, 0x37, 0x0a, 0x08, 0xb6, 0xd0, 0x30, 0x2b, 0x0b,
    0xab, 0x3e, 0xed, 0xb8, 0x39, 0x20, 0xee, 0x0a, 0x67, 0x72, 0x97, 0xdc, 0x39, 0x21, 0x26, 0xf1,
];

/// Errors of this crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodingError {
    /// A byte buffer of the wrong length.
    InvalidLength,
    /// A device status byte other than 1 (active) or 2 (revoked).
    InvalidStatus,
    /// A 32-byte value that must be a field element is `>= r`.
    NotAFieldElement,
    /// Poseidon failed (cannot happen for canonical inputs).
    Poseidon,
    /// A BabyJubJub signature scalar `s` that is `>= l`.
    NotASubgroupScalar,
    /// A reading message tagged `"zkpin/v2/reading"`: the retired 16-reading format, which
    /// the device must replace with v3 (`"zkpin/v3/reading"`, docs/contracts.md).
    RetiredReadingVersion,
    /// A reading message whose tag is not `"zkpin/v3/reading"` (nor the retired v2 tag).
    UnknownDomain,
    /// A reading window of 0 or more than [`MAX_WINDOW`] readings.
    InvalidWindow,
}

/// Device status stored in [`DeviceLeafV0::status`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum DeviceStatus {
    Active = 1,
    Revoked = 2,
}

impl TryFrom<u8> for DeviceStatus {
    type Error = EncodingError;
    fn try_from(v: u8) -> Result<Self, EncodingError> {
        match v {
            1 => Ok(Self::Active),
            2 => Ok(Self::Revoked),
            _ => Err(EncodingError::InvalidStatus),
        }
    }
}

/// A device in the device tree. Borsh: the fields in order, integers little-endian.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceLeafV0 {
    pub network: [u8; 32],
    /// The device's ed25519 public key.
    pub device: [u8; 32],
    pub owner: [u8; 32],
    pub maker: [u8; 32],
    /// `Poseidon(Ax, Ay)` of the device's BabyJubJub key, big-endian.
    pub bjj_key_hash: [u8; 32],
    pub model_id: u32,
    pub seq: u64,
    /// [`DeviceStatus`] as a byte (1 active, 2 revoked).
    pub status: u8,
}

impl DeviceLeafV0 {
    /// Writes the 173 borsh bytes.
    pub fn write_bytes(&self, out: &mut [u8; DEVICE_LEAF_V0_SIZE]) {
        out[..32].copy_from_slice(&self.network);
        out[32..64].copy_from_slice(&self.device);
        out[64..96].copy_from_slice(&self.owner);
        out[96..128].copy_from_slice(&self.maker);
        out[128..160].copy_from_slice(&self.bjj_key_hash);
        out[160..164].copy_from_slice(&self.model_id.to_le_bytes());
        out[164..172].copy_from_slice(&self.seq.to_le_bytes());
        out[172] = self.status;
    }

    /// The 173 borsh bytes.
    #[inline(always)]
    pub fn to_bytes(&self) -> [u8; DEVICE_LEAF_V0_SIZE] {
        let mut out = [0u8; DEVICE_LEAF_V0_SIZE];
        self.write_bytes(&mut out);
        out
    }

    /// Parses the 173 borsh bytes (any status byte; see [`DeviceStatus`]).
    #[inline(always)]
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EncodingError> {
        if bytes.len() != DEVICE_LEAF_V0_SIZE {
            return Err(EncodingError::InvalidLength);
        }
        Ok(Self {
            network: arr32(bytes, 0),
            device: arr32(bytes, 32),
            owner: arr32(bytes, 64),
            maker: arr32(bytes, 96),
            bjj_key_hash: arr32(bytes, 128),
            model_id: u32::from_le_bytes(arr(bytes, 160)),
            seq: u64::from_le_bytes(arr(bytes, 164)),
            status: bytes[172],
        })
    }

    /// The tree leaf: keccak256 of the borsh bytes (hashed from the fields, no buffer).
    #[inline(always)]
    pub fn hash(&self) -> [u8; 32] {
        zkpin_crypto::keccak256(&[
            &self.network,
            &self.device,
            &self.owner,
            &self.maker,
            &self.bjj_key_hash,
            &self.model_id.to_le_bytes(),
            &self.seq.to_le_bytes(),
            &[self.status],
        ])
    }
}

/// An attested inference result in a record tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordLeafV0 {
    pub device: [u8; 32],
    pub model_id: u32,
    pub seq: u64,
    pub timestamp: i64,
    pub input_commitment: [u8; 32],
    pub class: u8,
    pub score: i64,
    pub public_input: [u8; 32],
}

impl RecordLeafV0 {
    /// Writes the 125 borsh bytes.
    pub fn write_bytes(&self, out: &mut [u8; RECORD_LEAF_V0_SIZE]) {
        out[..32].copy_from_slice(&self.device);
        out[32..36].copy_from_slice(&self.model_id.to_le_bytes());
        out[36..44].copy_from_slice(&self.seq.to_le_bytes());
        out[44..52].copy_from_slice(&self.timestamp.to_le_bytes());
        out[52..84].copy_from_slice(&self.input_commitment);
        out[84] = self.class;
        out[85..93].copy_from_slice(&self.score.to_le_bytes());
        out[93..125].copy_from_slice(&self.public_input);
    }

    /// The 125 borsh bytes.
    #[inline(always)]
    pub fn to_bytes(&self) -> [u8; RECORD_LEAF_V0_SIZE] {
        let mut out = [0u8; RECORD_LEAF_V0_SIZE];
        self.write_bytes(&mut out);
        out
    }

    /// Parses the 125 borsh bytes.
    #[inline(always)]
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EncodingError> {
        if bytes.len() != RECORD_LEAF_V0_SIZE {
            return Err(EncodingError::InvalidLength);
        }
        Ok(Self {
            device: arr32(bytes, 0),
            model_id: u32::from_le_bytes(arr(bytes, 32)),
            seq: u64::from_le_bytes(arr(bytes, 36)),
            timestamp: i64::from_le_bytes(arr(bytes, 44)),
            input_commitment: arr32(bytes, 52),
            class: bytes[84],
            score: i64::from_le_bytes(arr(bytes, 85)),
            public_input: arr32(bytes, 93),
        })
    }

    /// The tree leaf: keccak256 of the borsh bytes.
    #[inline(always)]
    pub fn hash(&self) -> [u8; 32] {
        zkpin_crypto::keccak256(&[
            &self.device,
            &self.model_id.to_le_bytes(),
            &self.seq.to_le_bytes(),
            &self.timestamp.to_le_bytes(),
            &self.input_commitment,
            &[self.class],
            &self.score.to_le_bytes(),
            &self.public_input,
        ])
    }
}

/// The readings of one window: `1..=MAX_WINDOW` int8 values, held in place (no allocator:
/// the type is `Copy` and usable on-chain).
#[derive(Clone, Copy)]
pub struct Readings {
    len: u16,
    values: [i8; MAX_WINDOW],
}

impl Readings {
    /// `values` as a window; [`EncodingError::InvalidWindow`] unless `1 <= len <= MAX_WINDOW`.
    pub fn new(values: &[i8]) -> Result<Self, EncodingError> {
        if values.is_empty() || values.len() > MAX_WINDOW {
            return Err(EncodingError::InvalidWindow);
        }
        let mut r = Self { len: values.len() as u16, values: [0; MAX_WINDOW] };
        r.values[..values.len()].copy_from_slice(values);
        Ok(r)
    }

    /// The window size `n`.
    #[allow(clippy::len_without_is_empty)] // never empty
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn as_slice(&self) -> &[i8] {
        &self.values[..self.len()]
    }
}

impl core::ops::Deref for Readings {
    type Target = [i8];
    fn deref(&self) -> &[i8] {
        self.as_slice()
    }
}

impl PartialEq for Readings {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Readings {}

impl core::fmt::Debug for Readings {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// The bytes a device signs (ed25519) for one reading window (v3): the reading, the device's
/// BabyJubJub public key `(ax, ay)` and its EdDSA-Poseidon signature `(r8x, r8y, s)` over
/// `msg` (docs/contracts.md), all field values big-endian and canonical.
///
/// Layout (`294 + n` bytes): `"zkpin/v3/reading" || network || device || seq u64 LE ||
/// timestamp i64 LE || model_id u32 LE || n u16 LE || readings [n] i8 || salt || ax || ay ||
/// r8x || r8y || s`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadingMessage {
    pub network: [u8; 32],
    pub device: [u8; 32],
    pub seq: u64,
    pub timestamp: i64,
    pub model_id: u32,
    /// `n = readings.len()`, `1..=MAX_WINDOW`.
    pub readings: Readings,
    pub salt: [u8; 32],
    /// `< r`
    pub bjj_ax: [u8; 32],
    /// `< r`
    pub bjj_ay: [u8; 32],
    /// `< r`
    pub bjj_r8x: [u8; 32],
    /// `< r`
    pub bjj_r8y: [u8; 32],
    /// `< l`
    pub bjj_s: [u8; 32],
}

impl ReadingMessage {
    /// The size of this message's signed bytes: `294 + n`.
    pub fn size(&self) -> usize {
        reading_message_size(self.readings.len())
    }

    /// Writes the `294 + n` signed bytes into `out[..self.size()]` and returns that length
    /// ([`EncodingError::InvalidLength`] when `out` is shorter). Writes the fields as they
    /// are; [`ReadingMessage::check_canonical`] says whether [`ReadingMessage::from_bytes`]
    /// would accept the result.
    pub fn write_bytes(&self, out: &mut [u8]) -> Result<usize, EncodingError> {
        let n = self.readings.len();
        let size = reading_message_size(n);
        if out.len() < size {
            return Err(EncodingError::InvalidLength);
        }
        out[..16].copy_from_slice(READING_DOMAIN);
        out[16..48].copy_from_slice(&self.network);
        out[48..80].copy_from_slice(&self.device);
        out[80..88].copy_from_slice(&self.seq.to_le_bytes());
        out[88..96].copy_from_slice(&self.timestamp.to_le_bytes());
        out[96..100].copy_from_slice(&self.model_id.to_le_bytes());
        out[100..READINGS_AT].copy_from_slice(&(n as u16).to_le_bytes());
        for (o, r) in out[READINGS_AT..READINGS_AT + n].iter_mut().zip(self.readings.iter()) {
            *o = *r as u8;
        }
        let mut at = READINGS_AT + n;
        for v in [&self.salt, &self.bjj_ax, &self.bjj_ay, &self.bjj_r8x, &self.bjj_r8y, &self.bjj_s]
        {
            out[at..at + 32].copy_from_slice(v);
            at += 32;
        }
        Ok(size)
    }

    /// The signed bytes, in a buffer of the largest size; the message is `bytes[..len]`.
    #[inline(always)]
    pub fn to_bytes(&self) -> ([u8; READING_MESSAGE_MAX_SIZE], usize) {
        let mut out = [0u8; READING_MESSAGE_MAX_SIZE];
        // The buffer holds any window.
        let len = self.write_bytes(&mut out).unwrap_or(0);
        (out, len)
    }

    /// Whether the BabyJubJub values are canonical: `ax, ay, r8x, r8y < r`
    /// ([`EncodingError::NotAFieldElement`]) and `s < l` ([`EncodingError::NotASubgroupScalar`]).
    pub fn check_canonical(&self) -> Result<(), EncodingError> {
        for v in [&self.bjj_ax, &self.bjj_ay, &self.bjj_r8x, &self.bjj_r8y] {
            if !zkpin_crypto::is_field_element(v) {
                return Err(EncodingError::NotAFieldElement);
            }
        }
        if !zkpin_crypto::lt_be(&self.bjj_s, &BABYJUB_L) {
            return Err(EncodingError::NotASubgroupScalar);
        }
        Ok(())
    }

    /// Parses the signed bytes of a v3 reading message. Refuses, in this order: a v2 tag
    /// ([`EncodingError::RetiredReadingVersion`]), any other tag but v3
    /// ([`EncodingError::UnknownDomain`]), bytes too short to hold `n`
    /// ([`EncodingError::InvalidLength`]), `n = 0` or `n > MAX_WINDOW`
    /// ([`EncodingError::InvalidWindow`]), a length other than `294 + n`
    /// ([`EncodingError::InvalidLength`]), and non-canonical BabyJubJub values
    /// ([`ReadingMessage::check_canonical`]); so accepted bytes are the one encoding of their
    /// fields.
    #[inline(always)]
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EncodingError> {
        if bytes.len() >= 16 && &bytes[..16] == READING_DOMAIN_V2 {
            return Err(EncodingError::RetiredReadingVersion);
        }
        if bytes.len() < 16 || &bytes[..16] != READING_DOMAIN {
            return Err(EncodingError::UnknownDomain);
        }
        if bytes.len() < READINGS_AT {
            return Err(EncodingError::InvalidLength);
        }
        let n = u16::from_le_bytes(arr(bytes, 100)) as usize;
        if n == 0 || n > MAX_WINDOW {
            return Err(EncodingError::InvalidWindow);
        }
        if bytes.len() != reading_message_size(n) {
            return Err(EncodingError::InvalidLength);
        }
        let mut readings = Readings { len: n as u16, values: [0; MAX_WINDOW] };
        for (r, b) in readings.values.iter_mut().zip(bytes[READINGS_AT..READINGS_AT + n].iter()) {
            *r = *b as i8;
        }
        let at = READINGS_AT + n;
        let m = Self {
            network: arr32(bytes, 16),
            device: arr32(bytes, 48),
            seq: u64::from_le_bytes(arr(bytes, 80)),
            timestamp: i64::from_le_bytes(arr(bytes, 88)),
            model_id: u32::from_le_bytes(arr(bytes, 96)),
            readings,
            salt: arr32(bytes, at),
            bjj_ax: arr32(bytes, at + 32),
            bjj_ay: arr32(bytes, at + 64),
            bjj_r8x: arr32(bytes, at + 96),
            bjj_r8y: arr32(bytes, at + 128),
            bjj_s: arr32(bytes, at + 160),
        };
        m.check_canonical()?;
        Ok(m)
    }
}

/// What a maker's authority key signs (ed25519) to approve one device, in bulk and before
/// any owner is known: `"zkpin/v2/approve" || network || maker (the Maker account) || device ||
/// bjj_key_hash || model_id u32 LE || serial u32 LE || expires_at i64 LE`.
///
/// `serial` is the approval's number among the maker's approvals: `register_device` sets bit
/// `serial` of the maker's approval bitmap, so an approval registers at most one leaf, ever.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApprovalMessage {
    pub network: [u8; 32],
    pub maker: [u8; 32],
    pub device: [u8; 32],
    pub bjj_key_hash: [u8; 32],
    pub model_id: u32,
    pub serial: u32,
    /// Unix seconds; the approval cannot be used at or after this time.
    pub expires_at: i64,
}

impl ApprovalMessage {
    /// Writes the 160 signed bytes.
    pub fn write_bytes(&self, out: &mut [u8; APPROVAL_MESSAGE_SIZE]) {
        out[..16].copy_from_slice(APPROVAL_DOMAIN);
        out[16..48].copy_from_slice(&self.network);
        out[48..80].copy_from_slice(&self.maker);
        out[80..112].copy_from_slice(&self.device);
        out[112..144].copy_from_slice(&self.bjj_key_hash);
        out[144..148].copy_from_slice(&self.model_id.to_le_bytes());
        out[148..152].copy_from_slice(&self.serial.to_le_bytes());
        out[152..160].copy_from_slice(&self.expires_at.to_le_bytes());
    }

    /// The 160 signed bytes.
    #[inline(always)]
    pub fn to_bytes(&self) -> [u8; APPROVAL_MESSAGE_SIZE] {
        let mut out = [0u8; APPROVAL_MESSAGE_SIZE];
        self.write_bytes(&mut out);
        out
    }

    /// Whether `bytes` are exactly this message's signed bytes (for checking what an
    /// Ed25519 precompile instruction signed, without building a copy).
    pub fn matches(&self, bytes: &[u8]) -> bool {
        bytes.len() == APPROVAL_MESSAGE_SIZE
            && &bytes[..16] == APPROVAL_DOMAIN
            && bytes[16..48] == self.network
            && bytes[48..80] == self.maker
            && bytes[80..112] == self.device
            && bytes[112..144] == self.bjj_key_hash
            && bytes[144..148] == self.model_id.to_le_bytes()
            && bytes[148..152] == self.serial.to_le_bytes()
            && bytes[152..160] == self.expires_at.to_le_bytes()
    }
}

/// What the device key signs (ed25519) when it is onboarded: its consent to `owner`, for the
/// maker's approval `serial`: `"zkpin/v2/onboard" || network || device || owner || maker ||
/// serial u32 LE`. Binding the owner keeps a front-runner who copies the approval from
/// registering the device to itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimMessage {
    pub network: [u8; 32],
    pub device: [u8; 32],
    pub owner: [u8; 32],
    pub maker: [u8; 32],
    pub serial: u32,
}

impl ClaimMessage {
    /// Writes the 148 signed bytes.
    pub fn write_bytes(&self, out: &mut [u8; CLAIM_MESSAGE_SIZE]) {
        out[..16].copy_from_slice(CLAIM_DOMAIN);
        out[16..48].copy_from_slice(&self.network);
        out[48..80].copy_from_slice(&self.device);
        out[80..112].copy_from_slice(&self.owner);
        out[112..144].copy_from_slice(&self.maker);
        out[144..148].copy_from_slice(&self.serial.to_le_bytes());
    }

    /// The 148 signed bytes.
    #[inline(always)]
    pub fn to_bytes(&self) -> [u8; CLAIM_MESSAGE_SIZE] {
        let mut out = [0u8; CLAIM_MESSAGE_SIZE];
        self.write_bytes(&mut out);
        out
    }

    /// Whether `bytes` are exactly this message's signed bytes.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        bytes.len() == CLAIM_MESSAGE_SIZE
            && &bytes[..16] == CLAIM_DOMAIN
            && bytes[16..48] == self.network
            && bytes[48..80] == self.device
            && bytes[80..112] == self.owner
            && bytes[112..144] == self.maker
            && bytes[144..148] == self.serial.to_le_bytes()
    }
}

/// An unsigned integer as a field element (32 bytes big-endian).
#[inline(always)]
pub fn field_from_u64(v: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[24..].copy_from_slice(&v.to_be_bytes());
    out
}

/// The scalar-field modulus r as big-endian u64 limbs (most significant first).
const R_LIMBS: [u64; 4] =
    [0x30644e72e131a029, 0xb85045b68181585d, 0x2833e84879b97091, 0x43e1f593f0000001];

/// A signed integer as a field element: `v` when `v >= 0`, `r - |v|` when `v < 0`.
#[inline(always)]
pub fn field_from_i64(v: i64) -> [u8; 32] {
    let mut out = [0u8; 32];
    write_field_i64(v, &mut out);
    out
}

/// [`field_from_i64`] into `out`.
#[inline(always)]
pub fn write_field_i64(v: i64, out: &mut [u8; 32]) {
    if v >= 0 {
        write_field_u64(v as u64, out);
        return;
    }
    // r - |v| on u64 limbs (|i64::MIN| = 2^63 fits in u64); only the low limb can borrow
    // and r's second-lowest limb is non-zero, so the borrow stops there.
    let (low, borrow) = R_LIMBS[3].overflowing_sub(v.unsigned_abs());
    let limbs = [R_LIMBS[0], R_LIMBS[1], R_LIMBS[2] - borrow as u64, low];
    for (i, limb) in limbs.iter().enumerate() {
        out[8 * i..8 * i + 8].copy_from_slice(&limb.to_be_bytes());
    }
}

/// [`field_from_u64`] into `out`.
#[inline(always)]
pub fn write_field_u64(v: u64, out: &mut [u8; 32]) {
    out[..24].fill(0);
    out[24..].copy_from_slice(&v.to_be_bytes());
}

/// The inverse of [`field_from_i64`]: `None` when the element is neither a small
/// non-negative value nor `r - x` for `x <= 2^63`.
pub fn field_to_i64(f: &[u8; 32]) -> Option<i64> {
    if f[..24].iter().all(|b| *b == 0) {
        let v = u64::from_be_bytes(arr(f, 24));
        return if v <= i64::MAX as u64 { Some(v as i64) } else { None };
    }
    // x = r - f must be in 1..=2^63.
    let mut x = [0u8; 32];
    let mut borrow = 0u16;
    let mut i = 32;
    while i > 0 {
        i -= 1;
        let d = (BN254_R[i] as u16).wrapping_sub(f[i] as u16).wrapping_sub(borrow);
        x[i] = d as u8;
        borrow = (d >> 15) & 1;
    }
    if borrow != 0 || x[..24].iter().any(|b| *b != 0) {
        return None;
    }
    let abs = u64::from_be_bytes(arr(&x, 24));
    if abs == 0 || abs > 1u64 << 63 {
        return None;
    }
    Some((abs as i64).wrapping_neg())
}

/// A 32-byte key (network address, device ed25519 key) as two field elements, written
/// into `hi` and `lo`: `uint128_be(k[0..16])` and `uint128_be(k[16..32])`, each 32 bytes
/// big-endian. Both halves are `< 2^128`, so the split is injective.
#[inline(always)]
pub fn write_key_fields(k: &[u8; 32], hi: &mut [u8; 32], lo: &mut [u8; 32]) {
    hi[..16].fill(0);
    zkpin_crypto::copy(&mut hi[16..], &k[..16]);
    lo[..16].fill(0);
    zkpin_crypto::copy(&mut lo[16..], &k[16..]);
}

/// The plain fields behind the public input `P`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicInputFields {
    /// The Network account's address.
    pub network: [u8; 32],
    /// The device's ed25519 public key (the device leaf's `device`).
    pub device: [u8; 32],
    /// `Poseidon(Ax, Ay)`, big-endian, `< r`.
    pub bjj_key_hash: [u8; 32],
    pub model_id: u32,
    pub seq: u64,
    pub timestamp: i64,
    /// `Poseidon(chunk_0, ..., chunk_{k-1}, salt)` of the readings from the circuit,
    /// big-endian, `< r`.
    pub input_commitment: [u8; 32],
    pub class: u8,
    pub score: i64,
}

impl PublicInputFields {
    /// The fields of a record leaf of `network` together with the device's `bjj_key_hash`
    /// (the device is the record's).
    pub fn from_record(network: &[u8; 32], record: &RecordLeafV0, bjj_key_hash: &[u8; 32]) -> Self {
        Self {
            network: *network,
            device: record.device,
            bjj_key_hash: *bjj_key_hash,
            model_id: record.model_id,
            seq: record.seq,
            timestamp: record.timestamp,
            input_commitment: record.input_commitment,
            class: record.class,
            score: record.score,
        }
    }

    /// The same fields by reference.
    #[inline(always)]
    pub fn as_refs(&self) -> PublicInputRefs<'_> {
        PublicInputRefs {
            network: &self.network,
            device: &self.device,
            bjj_key_hash: &self.bjj_key_hash,
            model_id: self.model_id,
            seq: self.seq,
            timestamp: self.timestamp,
            input_commitment: &self.input_commitment,
            class: self.class,
            score: self.score,
        }
    }

    /// The five Poseidon inputs in order: see [`PublicInputRefs::write_field_inputs`].
    pub fn write_field_inputs(
        &self,
        out: &mut [[u8; 32]; PUBLIC_INPUT_FIELDS],
    ) -> Result<(), EncodingError> {
        self.as_refs().write_field_inputs(out)
    }

    /// `P`: see [`PublicInputRefs::public_input`].
    #[inline(always)]
    pub fn public_input(&self) -> Result<[u8; 32], EncodingError> {
        self.as_refs().public_input()
    }
}

/// [`PublicInputFields`] by reference (what a program holds: its 32-byte fields are
/// argument or account bytes, and copying them costs about two instructions per byte).
/// The one definition of the Poseidon inputs and of `P`.
#[derive(Clone, Copy, Debug)]
pub struct PublicInputRefs<'a> {
    pub network: &'a [u8; 32],
    pub device: &'a [u8; 32],
    pub bjj_key_hash: &'a [u8; 32],
    pub model_id: u32,
    pub seq: u64,
    pub timestamp: i64,
    pub input_commitment: &'a [u8; 32],
    pub class: u8,
    pub score: i64,
}

impl PublicInputRefs<'_> {
    /// The header `P` packs (see [`PUBLIC_INPUT_HEADER_LEN`]): the keys as they are, the
    /// integers big-endian, the signed ones offset by 2^63 (so each keeps its 8 bytes).
    pub fn header(&self) -> [u8; PUBLIC_INPUT_HEADER_LEN] {
        let mut h = [0u8; PUBLIC_INPUT_HEADER_LEN];
        h[..32].copy_from_slice(self.network);
        h[32..64].copy_from_slice(self.device);
        h[64..].copy_from_slice(&self.header_tail());
        h
    }

    /// The header's last 29 bytes: model_id, seq, timestamp, class, score.
    #[inline(always)]
    fn header_tail(&self) -> [u8; 29] {
        let mut t = [0u8; 29];
        t[..4].copy_from_slice(&self.model_id.to_be_bytes());
        t[4..12].copy_from_slice(&self.seq.to_be_bytes());
        t[12..20].copy_from_slice(&offset_i64(self.timestamp).to_be_bytes());
        t[20] = self.class;
        t[21..].copy_from_slice(&offset_i64(self.score).to_be_bytes());
        t
    }

    /// The five Poseidon inputs in order: `k0, k1, k2` (the header's 31-byte chunks, each a
    /// big-endian integer below 2^248), `bjj_key_hash`, `input_commitment`.
    #[inline(always)]
    pub fn write_field_inputs(
        &self,
        out: &mut [[u8; 32]; PUBLIC_INPUT_FIELDS],
    ) -> Result<(), EncodingError> {
        if !zkpin_crypto::is_field_element(self.bjj_key_hash)
            || !zkpin_crypto::is_field_element(self.input_commitment)
        {
            return Err(EncodingError::NotAFieldElement);
        }
        let [k0, k1, k2, bjj, commitment] = out;
        // header[0..31] | header[31..62] | header[62..93], each after one zero byte.
        k0[0] = 0;
        zkpin_crypto::copy(&mut k0[1..], &self.network[..31]);
        k1[0] = 0;
        k1[1] = self.network[31];
        zkpin_crypto::copy(&mut k1[2..], &self.device[..30]);
        k2[0] = 0;
        k2[1] = self.device[30];
        k2[2] = self.device[31];
        let tail = self.header_tail();
        zkpin_crypto::copy(&mut k2[3..], &tail);
        zkpin_crypto::copy(bjj, self.bjj_key_hash);
        zkpin_crypto::copy(commitment, self.input_commitment);
        Ok(())
    }

    /// `P = Poseidon(k0, k1, k2, bjj_key_hash, input_commitment)`, where `k0 || k1 || k2` is
    /// the header (docs/contracts.md): `sol_poseidon` on-chain, `light-poseidon` on the host.
    #[inline(always)]
    pub fn public_input(&self) -> Result<[u8; 32], EncodingError> {
        let mut inputs = [[0u8; 32]; PUBLIC_INPUT_FIELDS];
        self.write_field_inputs(&mut inputs)?;
        zkpin_crypto::poseidon(&inputs).map_err(|_| EncodingError::Poseidon)
    }
}

/// A signed integer in P's header: `v + 2^63` as a u64 (order-preserving, 8 bytes).
#[inline(always)]
pub const fn offset_i64(v: i64) -> u64 {
    (v as u64) ^ (1 << 63)
}

/// `bjj_key_hash = Poseidon(Ax, Ay)` of a BabyJubJub public key (coordinates big-endian).
#[inline(always)]
pub fn bjj_key_hash(ax: &[u8; 32], ay: &[u8; 32]) -> Result<[u8; 32], EncodingError> {
    if !zkpin_crypto::is_field_element(ax) || !zkpin_crypto::is_field_element(ay) {
        return Err(EncodingError::NotAFieldElement);
    }
    zkpin_crypto::poseidon(&[*ax, *ay]).map_err(|_| EncodingError::Poseidon)
}

#[inline(always)]
fn arr<const N: usize>(bytes: &[u8], off: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[off..off + N]);
    out
}

#[inline(always)]
fn arr32(bytes: &[u8], off: usize) -> [u8; 32] {
    arr::<32>(bytes, off)
}

#[cfg(test)]
mod tests;
