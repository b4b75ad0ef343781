//! `Model`: one registered model version (PDA `["model", network, model_id u32 LE]`) with the
//! Groth16 verifying key (docs/contracts.md, 576 bytes) its proofs are checked against, and
//! the model's shape: its window (readings per inference) and its number of classes.
pub const MODEL_SEED: &[u8] = b"model";
pub const VK_LEN: usize = 576;
/// Largest window a model may take (`zkpin_encoding::MAX_WINDOW`).
pub const MAX_WINDOW: u16 = zkpin_encoding::MAX_WINDOW as u16;
/// Fewest classes a model may have (a classifier chooses between at least two).
pub const MIN_CLASSES: u8 = 2;

#[repr(C)]
pub struct Model {
    discriminator: [u8; 8],
    pub network: [u8; 32],
    model_id: [u8; 4],
    version: [u8; 4],
    pub active: u8,
    pub bump: u8,
    /// sha256 of the ONNX file.
    pub onnx_sha256: [u8; 32],
    /// sha256 of the circuit artifacts (r1cs, wasm, zkey).
    pub circuit_sha256: [u8; 32],
    pub vk: [u8; VK_LEN],
    /// Readings per inference, u16 LE, `1..=MAX_WINDOW`.
    window: [u8; 2],
    /// Number of classes, `MIN_CLASSES..=255`; a record's class is below it.
    pub classes: u8,
}

super::account!(Model);

impl Model {
    pub fn is_active(&self) -> bool {
        self.active == 1
    }
    pub fn model_id(&self) -> u32 {
        u32::from_le_bytes(self.model_id)
    }
    pub fn set_model_id(&mut self, v: u32) {
        self.model_id = v.to_le_bytes();
    }
    pub fn version(&self) -> u32 {
        u32::from_le_bytes(self.version)
    }
    pub fn set_version(&mut self, v: u32) {
        self.version = v.to_le_bytes();
    }
    pub fn window(&self) -> u16 {
        u16::from_le_bytes(self.window)
    }
    pub fn set_window(&mut self, v: u16) {
        self.window = v.to_le_bytes();
    }
}

/// Whether `window` and `classes` are a model shape `register_model` accepts:
/// `1 <= window <= MAX_WINDOW` and `MIN_CLASSES <= classes`.
pub const fn valid_shape(window: u16, classes: u8) -> bool {
    window >= 1 && window <= MAX_WINDOW && classes >= MIN_CLASSES
}
