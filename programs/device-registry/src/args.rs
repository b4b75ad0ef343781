//! Borsh reading of instruction arguments (`zkpin_accounts::Reader`): every failure is this
//! program's `InvalidArguments`.
use crate::error::RegistryError;

pub type Reader<'a> = zkpin_accounts::Reader<'a, { RegistryError::InvalidArguments as u32 }>;
