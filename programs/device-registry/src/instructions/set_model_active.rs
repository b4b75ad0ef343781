//! `set_model_active(active: bool)`: retires or re-enables a model version.
//! Accounts: `[authority (signer), network, model (writable), program (this program: events)]`.
use pinocchio::{error::ProgramError, AccountView, ProgramResult};
use zkpin_accounts::{
    discriminator,
    state::{Model, Network},
    EventWriter,
};

use crate::{
    args::Reader,
    checks,
    error::RegistryError,
    events::{self, MODEL_ACTIVE_SET},
};

pub const DISCRIMINATOR: [u8; 8] = discriminator::instruction("set_model_active");

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let [authority, network, model, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let mut r = Reader::new(data);
    let active = r.bool()?;
    r.finish()?;
    checks::owned(network)?;
    checks::owned(model)?;
    let network_key = network.address().to_bytes();
    checks::network_authority(
        Network::load(&network.try_borrow()?).ok_or(RegistryError::InvalidAccountData)?,
        authority,
    )?;
    let model_key = model.address().to_bytes();
    {
        let mut d = model.try_borrow_mut()?;
        let m = Model::load_mut(&mut d).ok_or(RegistryError::InvalidAccountData)?;
        if m.network != network_key {
            return Err(RegistryError::WrongNetwork.into());
        }
        m.active = active as u8;
    }
    let mut ev = EventWriter::new(MODEL_ACTIVE_SET, 65);
    ev.bytes(&network_key).bytes(&model_key).u8(active as u8);
    events::emit(&ev, network)
}
