//! Errors of the inference attestation program. Numbers are stable: never reorder or reuse
//! one; add new variants at the end. The Anchor interface crate declares the same list
//! (checked against the IDL by `interface/inference-attestation/tests/agreement.rs`).
//!
//! Errors raised inside the `advance_device` CPI (e.g. device_registry's
//! `InvalidDeviceProof` for a stale root or a wrong proof path) keep the registry's numbers;
//! the log line `Program 6vJt… failed` tells which program raised them, and
//! `decodeSubmitAttestationError` in `sdk/src/attestation.ts` decodes them with that
//! program's IDL. The cheap account checks are repeated here so that the common mistakes
//! come back as this program's errors.
use pinocchio::error::ProgramError;

macro_rules! attestation_errors {
    ($( $(#[$doc:meta])* $name:ident = $code:literal => $msg:literal, )*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u32)]
        pub enum AttestationError {
            $( $(#[$doc])* $name = $code, )*
        }

        impl AttestationError {
            pub const ALL: &'static [AttestationError] = &[$(AttestationError::$name,)*];

            pub const fn name(self) -> &'static str {
                match self { $( Self::$name => stringify!($name), )* }
            }

            pub const fn message(self) -> &'static str {
                match self { $( Self::$name => $msg, )* }
            }
        }
    };
}

attestation_errors! {
    /// The network is not permissionless and the submitter is not one of its oracles.
    NotAnOracle = 6000 => "Submitter is not in the network's oracle set and the network is not permissionless",
    /// network, model or a tree account is not owned by device_registry.
    InvalidAccountOwner = 6001 => "Account is not owned by the device registry program",
    /// network or model data is not a registry `Network` / `Model` account.
    InvalidAccountData = 6002 => "Account data is not the expected device registry account",
    /// The model account belongs to another network.
    WrongNetwork = 6003 => "Model belongs to another network",
    ModelInactive = 6004 => "Model is not active",
    /// The model account is not the device's model.
    ModelMismatch = 6005 => "Model account does not match the device's model id",
    DeviceRevoked = 6006 => "Device is revoked",
    /// bjj_key_hash or input_commitment is not below r, so `P` cannot be computed.
    InvalidFieldElement = 6007 => "bjj_key_hash and input_commitment must be BN254 scalar field elements (< r)",
    /// The pairing check failed: the proof is not for this `P` and this model.
    InvalidProof = 6008 => "Groth16 proof does not verify for this model and these public fields",
    /// A proof point is not a valid curve point (coordinate >= p, not on the curve).
    MalformedProof = 6009 => "Groth16 proof bytes are not valid alt_bn128 points",
    InvalidArguments = 6010 => "Instruction arguments could not be decoded",
    /// The device's seq is u64::MAX: it cannot advance.
    SeqOverflow = 6011 => "Device sequence number cannot advance past u64::MAX",
    WrongRegistryProgram = 6012 => "Program account is not the device registry",
    InvalidAttestationAuthority = 6013 => "Attestation authority is not this program's PDA HwTA59Tf23bZWDpP5cYf5mzwy2KzzXuHeGVDHf2BWZDz",
    /// The device tree's header authority is not the network.
    WrongDeviceTree = 6014 => "Device tree is not a device tree of this network",
    WrongRecordTree = 6015 => "Record tree is not a record tree of this network",
    /// The model's stored verifying key was rejected by the verifier.
    InvalidVerifyingKey = 6016 => "Model verifying key is not valid",
    /// No longer raised: device_registry returned the record index before its
    /// `RecordAttested` event carried it. The number stays reserved.
    MissingRecordIndex = 6017 => "Device registry did not return the record leaf index",
    StaleSeq = 6018 => "Reading seq is not above the device's current seq: it was recorded already or a later reading was",
    TimestampOutOfRange = 6019 => "Reading timestamp is more than 300 s ahead of the cluster clock or more than 7 days behind it",
    NotEventAuthority = 6020 => "Event instructions can only be emitted by this program",
    /// The class is not below the model account's `classes`.
    ClassOutOfRange = 6021 => "Class is not below the model's number of classes",
}

impl From<AttestationError> for ProgramError {
    fn from(e: AttestationError) -> Self {
        ProgramError::Custom(e as u32)
    }
}
