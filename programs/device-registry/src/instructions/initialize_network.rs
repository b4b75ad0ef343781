//! `initialize_network(args: InitializeNetworkArgs)`: creates the `Network` PDA
//! `["network", authority]` with its oracle set.
//!
//! Accounts: `[authority (signer, writable, pays rent), network (writable), system_program]`.
use pinocchio::{
    cpi::{Seed, Signer},
    error::ProgramError,
    AccountView, Address, ProgramResult,
};
use zkpin_accounts::{
    discriminator,
    state::network::{Network, MAX_ORACLES, NETWORK_SEED},
    EventWriter,
};

use crate::{
    error::RegistryError,
    events::{self, NETWORK_INITIALIZED},
};

pub const DISCRIMINATOR: [u8; 8] = discriminator::instruction("initialize_network");

/// Borsh: `oracles: Vec<Pubkey>`, `permissionless: bool`.
pub struct InitializeNetworkArgs<'a> {
    pub oracles: &'a [[u8; 32]],
    pub permissionless: bool,
}

impl<'a> InitializeNetworkArgs<'a> {
    pub fn parse(data: &'a [u8]) -> Result<Self, ProgramError> {
        let bad = || ProgramError::from(RegistryError::InvalidArguments);
        let len_bytes = data.get(..4).ok_or_else(bad)?;
        let n = u32::from_le_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
        if n as usize > MAX_ORACLES {
            return Err(RegistryError::TooManyOracles.into());
        }
        let n = n as usize;
        let keys = data.get(4..4 + 32 * n).ok_or_else(bad)?;
        let flag = *data.get(4 + 32 * n).ok_or_else(bad)?;
        if flag > 1 || data.len() != 5 + 32 * n {
            return Err(bad());
        }
        // SAFETY: `keys` is exactly n * 32 bytes; [u8; 32] has alignment 1.
        let oracles = unsafe { core::slice::from_raw_parts(keys.as_ptr() as *const [u8; 32], n) };
        Ok(Self { oracles, permissionless: flag == 1 })
    }
}

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let [authority, network, _system_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    if !authority.is_signer() {
        return Err(ProgramError::MissingRequiredSignature);
    }
    let args = InitializeNetworkArgs::parse(data)?;
    for (i, key) in args.oracles.iter().enumerate() {
        if args.oracles[..i].contains(key) {
            return Err(RegistryError::DuplicateOracle.into());
        }
    }

    let (expected, bump) =
        Address::find_program_address(&[NETWORK_SEED, authority.address().as_ref()], &crate::ID);
    if network.address() != &expected {
        return Err(RegistryError::InvalidPda.into());
    }
    if !network.owned_by(&pinocchio_system::ID) || network.data_len() != 0 {
        return Err(RegistryError::AlreadyInitialized.into());
    }

    let bump_seed = [bump];
    let seeds = [
        Seed::from(NETWORK_SEED),
        Seed::from(authority.address().as_ref()),
        Seed::from(&bump_seed),
    ];
    pinocchio_system::create_account_with_minimum_balance_signed(
        network,
        Network::LEN,
        &crate::ID,
        authority,
        None,
        &[Signer::from(&seeds)],
    )?;

    let network_key = network.address().to_bytes();
    {
        let mut data = network.try_borrow_mut()?;
        let state = Network::init(&mut data).ok_or(RegistryError::AlreadyInitialized)?;
        state.authority = authority.address().to_bytes();
        for (slot, key) in state.oracles.iter_mut().zip(args.oracles) {
            *slot = *key;
        }
        state.oracle_count = args.oracles.len() as u8;
        state.permissionless = args.permissionless as u8;
        state.bump = bump;
    }

    // NetworkInitialized { network, authority, oracles: Vec<Pubkey>, permissionless }
    let mut ev = EventWriter::new(NETWORK_INITIALIZED, 32 * 2 + 4 + 32 * MAX_ORACLES + 1);
    ev.bytes(&network_key).bytes(authority.address().as_ref()).u32(args.oracles.len() as u32);
    for key in args.oracles {
        ev.bytes(key);
    }
    ev.u8(args.permissionless as u8);
    events::emit(&ev, network)
}
