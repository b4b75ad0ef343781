//! Errors of the device registry. Numbers are stable: never reorder or reuse one; add new
//! variants at the end. The Anchor interface crate declares the same list (checked by a test).
use pinocchio::error::ProgramError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum RegistryError {
    /// 6000: the signer is not this network's authority.
    Unauthorized = 6000,
    /// 6001: an account is not the program address derived from its seeds.
    InvalidPda,
    /// 6002: the account was already initialized.
    AlreadyInitialized,
    /// 6003: more than 8 oracles.
    TooManyOracles,
    /// 6004: the same oracle key appears twice.
    DuplicateOracle,
    /// 6005: instruction arguments could not be decoded.
    InvalidArguments,
    /// 6006: an account is not owned by the expected program.
    InvalidAccountOwner,
    /// 6007: an account's data is not the expected account type.
    InvalidAccountData,
}

impl RegistryError {
    pub const fn message(self) -> &'static str {
        match self {
            Self::Unauthorized => "Signer is not the network authority",
            Self::InvalidPda => "Account is not the expected program-derived address",
            Self::AlreadyInitialized => "Account is already initialized",
            Self::TooManyOracles => "At most 8 oracles per network",
            Self::DuplicateOracle => "Oracle keys must be distinct",
            Self::InvalidArguments => "Instruction arguments could not be decoded",
            Self::InvalidAccountOwner => "Account is not owned by the expected program",
            Self::InvalidAccountData => "Account data is not of the expected type",
        }
    }
}

impl From<RegistryError> for ProgramError {
    fn from(e: RegistryError) -> Self {
        ProgramError::Custom(e as u32)
    }
}
