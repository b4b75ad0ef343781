//! `set_oracles(args: SetOraclesArgs)`: replaces the oracle set and the permissionless flag.
//! Distinct keys only (`DuplicateOracle`), as in `initialize_network`.
//! Accounts: `[authority (signer), network (writable), program (this program: events)]`.
use pinocchio::{error::ProgramError, AccountView, ProgramResult};
use zkpin_accounts::{
    discriminator,
    state::{network::MAX_ORACLES, Network},
    EventWriter,
};

use crate::{
    checks,
    error::RegistryError,
    events::{self, ORACLES_SET},
    instructions::initialize_network::InitializeNetworkArgs,
};

pub const DISCRIMINATOR: [u8; 8] = discriminator::instruction("set_oracles");

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let [authority, network, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    checks::owned(network)?;
    // Same borsh shape as initialize_network's arguments.
    let args = InitializeNetworkArgs::parse(data)?;
    // Same rule as initialize_network: an oracle set holds distinct keys.
    for (i, key) in args.oracles.iter().enumerate() {
        if args.oracles[..i].contains(key) {
            return Err(RegistryError::DuplicateOracle.into());
        }
    }
    let network_key = network.address().to_bytes();
    {
        let mut d = network.try_borrow_mut()?;
        let state = Network::load_mut(&mut d).ok_or(RegistryError::InvalidAccountData)?;
        checks::network_authority(state, authority)?;
        state.oracles = [[0; 32]; MAX_ORACLES];
        for (slot, key) in state.oracles.iter_mut().zip(args.oracles) {
            *slot = *key;
        }
        state.oracle_count = args.oracles.len() as u8;
        state.permissionless = args.permissionless as u8;
    }

    let mut ev = EventWriter::new(ORACLES_SET, 32 + 4 + 32 * MAX_ORACLES + 1);
    ev.bytes(&network_key).u32(args.oracles.len() as u32);
    for key in args.oracles {
        ev.bytes(key);
    }
    ev.u8(args.permissionless as u8);
    events::emit(&ev, network)
}
