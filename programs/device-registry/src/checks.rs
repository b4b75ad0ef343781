//! Account checks shared by the instructions. Each returns a named error.
use pinocchio::{error::ProgramError, AccountView, Address};
use zkpin_accounts::state::{Maker, Model, Network};

use crate::{error::RegistryError, ID};

pub fn signer(account: &AccountView) -> Result<(), ProgramError> {
    if account.is_signer() {
        Ok(())
    } else {
        Err(ProgramError::MissingRequiredSignature)
    }
}

pub fn writable(account: &AccountView) -> Result<(), ProgramError> {
    if account.is_writable() {
        Ok(())
    } else {
        Err(ProgramError::InvalidAccountData)
    }
}

/// The account is owned by this program.
pub fn owned(account: &AccountView) -> Result<(), ProgramError> {
    if account.owned_by(&ID) {
        Ok(())
    } else {
        Err(RegistryError::InvalidAccountOwner.into())
    }
}

/// The account is a fresh (system-owned, empty) address equal to the PDA of `seeds`;
/// returns the canonical bump.
pub fn fresh_pda(account: &AccountView, seeds: &[&[u8]]) -> Result<u8, ProgramError> {
    let (expected, bump) = Address::find_program_address(seeds, &ID);
    if account.address() != &expected {
        return Err(RegistryError::InvalidPda.into());
    }
    if !account.owned_by(&pinocchio_system::ID) || account.data_len() != 0 {
        return Err(RegistryError::AlreadyInitialized.into());
    }
    Ok(bump)
}

/// `value < r` (BN254 scalar field), big-endian.
pub fn field_element(value: &[u8; 32]) -> Result<(), ProgramError> {
    if zkpin_crypto::is_field_element(value) {
        Ok(())
    } else {
        Err(RegistryError::InvalidFieldElement.into())
    }
}

/// `signer` signed and is the network's authority.
pub fn network_authority(network: &Network, signer: &AccountView) -> Result<(), ProgramError> {
    if !signer.is_signer() {
        return Err(ProgramError::MissingRequiredSignature);
    }
    if signer.address().as_ref() != network.authority {
        return Err(RegistryError::Unauthorized.into());
    }
    Ok(())
}

pub fn maker_active(maker: &Maker) -> Result<(), ProgramError> {
    if maker.is_active() {
        Ok(())
    } else {
        Err(RegistryError::MakerInactive.into())
    }
}

pub fn model_active(model: &Model) -> Result<(), ProgramError> {
    if model.is_active() {
        Ok(())
    } else {
        Err(RegistryError::ModelInactive.into())
    }
}
