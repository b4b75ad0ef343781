//! Errors of the device registry. Numbers are stable: never reorder or reuse one; add new
//! variants at the end. The Anchor interface crate declares the same list (checked by a test).
use pinocchio::error::ProgramError;

macro_rules! registry_errors {
    ($( $(#[$doc:meta])* $name:ident = $code:literal => $msg:literal, )*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u32)]
        pub enum RegistryError {
            $( $(#[$doc])* $name = $code, )*
        }

        impl RegistryError {
            pub const ALL: &'static [RegistryError] = &[$(RegistryError::$name,)*];

            pub const fn name(self) -> &'static str {
                match self { $( Self::$name => stringify!($name), )* }
            }

            pub const fn message(self) -> &'static str {
                match self { $( Self::$name => $msg, )* }
            }
        }
    };
}

registry_errors! {
    Unauthorized = 6000 => "Signer is not the network authority",
    InvalidPda = 6001 => "Account is not the expected program-derived address",
    AlreadyInitialized = 6002 => "Account is already initialized",
    TooManyOracles = 6003 => "At most 8 oracles per network",
    DuplicateOracle = 6004 => "Oracle keys must be distinct",
    InvalidArguments = 6005 => "Instruction arguments could not be decoded",
    InvalidAccountOwner = 6006 => "Account is not owned by the expected program",
    InvalidAccountData = 6007 => "Account data is not of the expected type",
    MakerInactive = 6008 => "Maker is not active",
    ModelInactive = 6009 => "Model is not active",
    ModelMismatch = 6010 => "Model account does not match the model id",
    WrongNetwork = 6011 => "Account belongs to another network",
    DeviceRevoked = 6012 => "Device is revoked",
    NameTooLong = 6013 => "Name is longer than 32 bytes",
    InvalidVerifyingKey = 6014 => "Verifying key points are not valid alt_bn128 points",
    InvalidTreeSize = 6015 => "Tree depth, buffer size or account size is not supported",
    WrongDeviceTree = 6016 => "Device tree is not one of this network's device trees",
    WrongRecordTree = 6017 => "Record tree is not one of this network's record trees",
    DeviceTreeFull = 6018 => "Device tree is full: the authority must initialize the next one",
    RecordTreeFull = 6019 => "Record tree is full: the authority must initialize the next one",
    MissingEd25519Instruction = 6020 => "The instruction before this one must be the Ed25519 precompile",
    InvalidEd25519Instruction = 6021 => "Ed25519 instruction must hold 2 signatures whose offsets point into itself",
    Ed25519KeyMismatch = 6022 => "Ed25519 signatures must be by the device key, then the maker key",
    Ed25519MessageMismatch = 6023 => "Ed25519 signatures must cover the device's claim, then the maker's approval",
    InvalidDeviceProof = 6024 => "Device leaf and proof do not match the device tree",
    NotAttestationAuthority = 6025 => "Only the inference attestation program may advance a device",
    SeqMismatch = 6026 => "Record sequence number must be above the device's current one",
    RecordDeviceMismatch = 6027 => "Record does not belong to this device or its model",
    NotDeviceOwner = 6028 => "Signer is not the device owner",
    InvalidFieldElement = 6029 => "Value is not a BN254 scalar field element",
    InvalidTree = 6030 => "Account is not an initialized tree of this program",
    ApprovalUsed = 6031 => "This maker approval was already used: ask the maker for a new one",
    ApprovalExpired = 6032 => "This maker approval has expired: ask the maker for a new one",
    ApprovalPageMismatch = 6033 => "Approval page is missing or is not the maker's page for this serial: the maker must create it (init_approval_page)",
    NotEventAuthority = 6034 => "Event instructions can only be emitted by this program",
    NotMakerAuthority = 6035 => "Signer is not the maker's authority",
    InvalidModelShape = 6036 => "Model window must be 1..=465 readings and classes 2..=255",
}

impl From<RegistryError> for ProgramError {
    fn from(e: RegistryError) -> Self {
        ProgramError::Custom(e as u32)
    }
}
