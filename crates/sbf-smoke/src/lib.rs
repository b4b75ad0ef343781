//! SBF smoke program for the pure crates (`docs/crates.md`). Not deployed anywhere: it
//! exists so that `run.mjs` can build the crates exactly as the programs are built (LTO,
//! `sbpf-linker`, 4 KiB stack) and check them in LiteSVM against JavaScript references.
//! Instruction data, first byte:
//! - 0 `depth u8, buffer u32`: initialize the tree in account 0;
//! - 1 `leaf*`: append each 32-byte leaf;
//! - 2 `root, previous, new, index u32, proof*`: replace a leaf;
//! - 3 `vk(576) proof(256) input(32)`: Groth16 verify;
//! - 4 `network, device, bjj_key_hash, model_id u32, seq u64, timestamp i64,
//!   input_commitment, class u8, score i64`: public input `P`;
//! - 5: nothing (baseline cost).
//!
//! Tree operations return the new root through `sol_set_return_data`; errors are
//! `Custom(100 + CmtError)`, `Custom(200 + Groth16Error)`, `Custom(300 + EncodingError)`.
#![cfg_attr(target_arch = "bpf", no_std)]

#[cfg(target_arch = "bpf")]
mod program;
