//! `register_model(args: RegisterModelArgs { model_id, version, onnx_sha256, circuit_sha256,
//! vk, window, classes })`: registers one model version, the Groth16 verifying key its proofs
//! are checked against and its shape: `window` readings per inference (`1..=MAX_WINDOW`) and
//! `classes` classes (`2..=255`), else `InvalidModelShape`. The key's points are validated
//! with the alt_bn128 syscalls (an invalid point makes the pairing syscall fail).
//! Accounts: `[authority (signer, writable, pays), network (writable), model (writable, PDA
//! ["model", network, model_id LE]), system_program, program (this program: events)]`.
use pinocchio::{error::ProgramError, AccountView, ProgramResult};
use zkpin_accounts::{
    discriminator,
    state::{
        model::{self, MODEL_SEED, VK_LEN},
        Model, Network,
    },
};

use crate::{
    args::Reader,
    checks,
    error::RegistryError,
    events,
    pda::{self, PdaSpec},
};

pub const DISCRIMINATOR: [u8; 8] = discriminator::instruction("register_model");

pub fn process(accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let [authority, network, model, _system_program, ..] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let mut r = Reader::new(data);
    let model_id = r.u32()?;
    let version = r.u32()?;
    let onnx_sha256 = r.array::<32>()?;
    let circuit_sha256 = r.array::<32>()?;
    let vk = r.array::<VK_LEN>()?;
    let window = r.u16()?;
    let classes = r.u8()?;
    r.finish()?;
    if !model::valid_shape(window, classes) {
        return Err(RegistryError::InvalidModelShape.into());
    }
    zkpin_groth16::validate_verifying_key(vk).map_err(|_| RegistryError::InvalidVerifyingKey)?;

    checks::owned(network)?;
    let network_key = network.address().to_bytes();
    {
        let mut d = network.try_borrow_mut()?;
        let state = Network::load_mut(&mut d).ok_or(RegistryError::InvalidAccountData)?;
        checks::network_authority(state, authority)?;
        state.set_models(state.models().wrapping_add(1));
    }
    let id_bytes = model_id.to_le_bytes();
    let seeds: [&[u8]; 3] = [MODEL_SEED, &network_key, &id_bytes];
    let bump = checks::fresh_pda(model, &seeds)?;
    pda::create(authority, model, &PdaSpec { seeds: &seeds, bump, space: Model::LEN })?;

    let model_key = model.address().to_bytes();
    {
        let mut d = model.try_borrow_mut()?;
        let m = Model::init(&mut d).ok_or(RegistryError::AlreadyInitialized)?;
        m.network = network_key;
        m.set_model_id(model_id);
        m.set_version(version);
        m.active = 1;
        m.bump = bump;
        m.onnx_sha256 = *onnx_sha256;
        m.circuit_sha256 = *circuit_sha256;
        m.vk = *vk;
        m.set_window(window);
        m.classes = classes;
    }

    let ev = events::model_registered(&events::ModelRegistered {
        network: &network_key,
        model: &model_key,
        model_id,
        version,
        onnx_sha256,
        circuit_sha256,
        window,
        classes,
    });
    events::emit(&ev, network)
}
