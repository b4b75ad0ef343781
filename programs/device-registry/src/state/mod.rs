pub mod maker;
pub mod model;
pub mod network;

pub use maker::Maker;
pub use model::Model;
pub use network::Network;

use pinocchio::error::ProgramError;

use crate::error::RegistryError;

/// Checks that `data` is an initialized account of `len` bytes with `disc`.
pub(crate) fn check_layout(data: &[u8], len: usize, disc: &[u8; 8]) -> Result<(), ProgramError> {
    if data.len() != len || &data[..8] != disc {
        return Err(RegistryError::InvalidAccountData.into());
    }
    Ok(())
}

/// Writes `disc` into freshly allocated, zeroed data of `len` bytes.
pub(crate) fn init_layout(data: &mut [u8], len: usize, disc: &[u8; 8]) -> Result<(), ProgramError> {
    if data.len() != len || data[..8] != [0; 8] {
        return Err(RegistryError::AlreadyInitialized.into());
    }
    data[..8].copy_from_slice(disc);
    Ok(())
}
