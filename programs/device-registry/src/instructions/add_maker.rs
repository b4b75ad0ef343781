//! `add_maker(args: AddMakerArgs { authority: Pubkey, name: String })`: approves a maker.
//! Accounts: `[authority (signer, writable, pays), network (writable), maker (writable,
//! PDA ["maker", network, maker authority]), system_program, program (this program: events)]`.
use pinocchio::{error::ProgramError, AccountView, ProgramResult};
use zkpin_accounts::{
    discriminator,
    state::{
        maker::{MAKER_SEED, MAX_NAME_LEN},
        Maker, Network,
    },
    EventWriter,
};

use crate::{
    args::Reader,
    checks,
    error::RegistryError,
    events::{self, MAKER_ADDED},
    pda::{self, PdaSpec},
};

pub const DISCRIMINATOR: [u8; 8] = discriminator::instruction("add_maker");

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let [authority, network, maker, _system_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let mut r = Reader::new(data);
    let maker_authority = r.array::<32>()?;
    let name = r.vec_u8()?;
    r.finish()?;
    if name.len() > MAX_NAME_LEN || core::str::from_utf8(name).is_err() {
        return Err(RegistryError::NameTooLong.into());
    }

    checks::owned(network)?;
    let network_key = network.address().to_bytes();
    {
        let mut d = network.try_borrow_mut()?;
        let state = Network::load_mut(&mut d).ok_or(RegistryError::InvalidAccountData)?;
        checks::network_authority(state, authority)?;
        state.set_makers(state.makers().wrapping_add(1));
    }
    let seeds: [&[u8]; 3] = [MAKER_SEED, &network_key, maker_authority];
    let bump = checks::fresh_pda(maker, &seeds)?;
    pda::create(authority, maker, &PdaSpec { seeds: &seeds, bump, space: Maker::LEN })?;

    let maker_key = maker.address().to_bytes();
    {
        let mut d = maker.try_borrow_mut()?;
        let m = Maker::init(&mut d).ok_or(RegistryError::AlreadyInitialized)?;
        m.network = network_key;
        m.authority = *maker_authority;
        m.name[..name.len()].copy_from_slice(name);
        m.active = 1;
        m.bump = bump;
    }

    let mut ev = EventWriter::new(MAKER_ADDED, 32 * 3 + 4 + name.len());
    ev.bytes(&network_key)
        .bytes(&maker_key)
        .bytes(maker_authority)
        .u32(name.len() as u32)
        .bytes(name);
    events::emit(&ev, network)
}
