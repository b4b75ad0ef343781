//! `set_maker_active(active: bool)`: suspends or resumes a maker's approvals.
//! Accounts: `[authority (signer), network, maker (writable), program (this program: events)]`.
use pinocchio::{error::ProgramError, AccountView, ProgramResult};
use zkpin_accounts::{
    discriminator,
    state::{Maker, Network},
    EventWriter,
};

use crate::{
    args::Reader,
    checks,
    error::RegistryError,
    events::{self, MAKER_ACTIVE_SET},
};

pub const DISCRIMINATOR: [u8; 8] = discriminator::instruction("set_maker_active");

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let [authority, network, maker, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let mut r = Reader::new(data);
    let active = r.bool()?;
    r.finish()?;
    checks::owned(network)?;
    checks::owned(maker)?;
    let network_key = network.address().to_bytes();
    checks::network_authority(
        Network::load(&network.try_borrow()?).ok_or(RegistryError::InvalidAccountData)?,
        authority,
    )?;
    let maker_key = maker.address().to_bytes();
    {
        let mut d = maker.try_borrow_mut()?;
        let m = Maker::load_mut(&mut d).ok_or(RegistryError::InvalidAccountData)?;
        if m.network != network_key {
            return Err(RegistryError::WrongNetwork.into());
        }
        m.active = active as u8;
    }
    let mut ev = EventWriter::new(MAKER_ACTIVE_SET, 65);
    ev.bytes(&network_key).bytes(&maker_key).u8(active as u8);
    events::emit(&ev, network)
}
