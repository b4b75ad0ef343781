//! `Model`: one registered model version (PDA `["model", network, model_id u32 LE]`) with the
//! Groth16 verifying key (docs/contracts.md, 576 bytes) its proofs are checked against.
pub const MODEL_SEED: &[u8] = b"model";
pub const VK_LEN: usize = 576;

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
}
