//! Introspection of the Ed25519 precompile instruction that must precede `register_device`.
//!
//! The precompile has already verified every signature in it when our instruction runs; we
//! check *what* was verified: the right program, exactly two signatures, every offset
//! pointing into that same instruction, signature 0 by the device key over its claim and
//! signature 1 by the maker key over its approval (docs/contracts.md).
use pinocchio::{error::ProgramError, sysvars::instructions::Instructions, AccountView, Address};

use crate::error::RegistryError;

/// Ed25519SigVerify111111111111111111111111111
pub const ED25519_PROGRAM_ID: Address = Address::new_from_array([
    3, 125, 70, 214, 124, 147, 251, 190, 18, 249, 66, 143, 131, 141, 64, 255, 5, 112, 116, 73, 39,
    244, 138, 100, 252, 202, 112, 68, 128, 0, 0, 0,
]);

const HEADER: usize = 2;
const ENTRY: usize = 14;
const THIS_INSTRUCTION: u16 = u16::MAX;

pub struct Expected<'a> {
    pub keys: [&'a [u8; 32]; 2],
    pub messages: [&'a [u8]; 2],
}

fn u16_at(d: &[u8], o: usize) -> Result<u16, ProgramError> {
    let b = d.get(o..o + 2).ok_or(RegistryError::InvalidEd25519Instruction)?;
    Ok(u16::from_le_bytes([b[0], b[1]]))
}

pub fn verify_previous(sysvar: &AccountView, expected: &Expected) -> Result<(), ProgramError> {
    let ixs = Instructions::try_from(sysvar)?;
    let current = ixs.load_current_index() as usize;
    if current == 0 {
        return Err(RegistryError::MissingEd25519Instruction.into());
    }
    let index = current - 1;
    let ix =
        ixs.load_instruction_at(index).map_err(|_| RegistryError::MissingEd25519Instruction)?;
    if ix.get_program_id() != &ED25519_PROGRAM_ID {
        return Err(RegistryError::MissingEd25519Instruction.into());
    }
    let d = ix.get_instruction_data();
    if d.first() != Some(&2) {
        return Err(RegistryError::InvalidEd25519Instruction.into());
    }
    for (i, (key, message)) in expected.keys.iter().zip(expected.messages).enumerate() {
        let o = HEADER + i * ENTRY;
        let sig_ix = u16_at(d, o + 2)?;
        let pk_off = u16_at(d, o + 4)? as usize;
        let pk_ix = u16_at(d, o + 6)?;
        let msg_off = u16_at(d, o + 8)? as usize;
        let msg_len = u16_at(d, o + 10)? as usize;
        let msg_ix = u16_at(d, o + 12)?;
        // "This instruction" is u16::MAX or its own index.
        let here = |x: u16| x == THIS_INSTRUCTION || x as usize == index;
        if !here(sig_ix) || !here(pk_ix) || !here(msg_ix) {
            return Err(RegistryError::InvalidEd25519Instruction.into());
        }
        let pk = d.get(pk_off..pk_off + 32).ok_or(RegistryError::InvalidEd25519Instruction)?;
        if pk != key.as_slice() {
            return Err(RegistryError::Ed25519KeyMismatch.into());
        }
        let msg =
            d.get(msg_off..msg_off + msg_len).ok_or(RegistryError::InvalidEd25519Instruction)?;
        if msg != message {
            return Err(RegistryError::Ed25519MessageMismatch.into());
        }
    }
    Ok(())
}
