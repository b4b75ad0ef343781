//! zkpin's arkworks tools for snarkjs Groth16 keys (BN254): the native prover
//! (`zkpin-native-prover`, src/main.rs) and the INSECURE development setup
//! (`zkpin-dev-setup`, src/bin/zkpin-dev-setup.rs). Both read and write snarkjs's own binary
//! formats, so keys and proofs stay interchangeable with snarkjs.

pub mod binfile;
#[cfg(target_arch = "x86_64")]
pub mod ifma;
pub mod msm;
pub mod prove;
pub mod r1cs;
pub mod setup;
pub mod verify;
pub mod zkey;
