//! This program calls `advance_device` with its own constants: check them against the
//! registry crate itself. It reads device_registry's accounts through the same
//! `zkpin_accounts` layouts the registry writes (compared with the Anchor layouts by
//! `interface/device-registry/tests/agreement.rs`); check what it reads from them.
use device_registry as reg;
use inference_attestation::{
    registry::ADVANCE_DEVICE_DISCRIMINATOR, ATTESTATION_AUTHORITY, ATTESTATION_BUMP,
    ATTESTATION_SEED, ID,
};
use solana_address::Address;
use zkpin_accounts::{
    state::{Model, Network},
    REGISTRY_ID,
};

#[test]
fn program_ids_and_attestation_pda() {
    assert_eq!(REGISTRY_ID.to_bytes(), reg::ID.to_bytes());
    let (pda, bump) =
        Address::find_program_address(&[ATTESTATION_SEED], &Address::new_from_array(ID.to_bytes()));
    assert_eq!(pda.to_bytes(), ATTESTATION_AUTHORITY.to_bytes());
    assert_eq!(bump, ATTESTATION_BUMP);
    assert_eq!(
        ATTESTATION_AUTHORITY.to_bytes(),
        reg::instructions::advance_device::ATTESTATION_AUTHORITY.to_bytes()
    );
    assert_eq!(
        ID.to_bytes(),
        solana_address::address!("FxXeprHwuCbhYTh9aLxvV6SWxiX2WbgqJtsXRQE61wiN").to_bytes()
    );
}

#[test]
fn advance_device_discriminator_agrees() {
    assert_eq!(ADVANCE_DEVICE_DISCRIMINATOR, reg::instructions::advance_device::DISCRIMINATOR);
}

#[test]
fn network_view_as_the_attestation_program_reads_it() {
    let mut data = vec![0u8; Network::LEN];
    let n = Network::init(&mut data).unwrap();
    n.authority = [1; 32];
    for (i, o) in n.oracles.iter_mut().enumerate() {
        *o = [10 + i as u8; 32];
    }
    n.oracle_count = 3;
    n.permissionless = 0;
    n.device_tree = [2; 32];
    n.record_tree = [3; 32];
    n.record_trees_authority = [4; 32];
    let v = Network::load(&data).unwrap();
    assert_eq!(v.authority, [1; 32]);
    assert_eq!(v.record_trees_authority, [4; 32]);
    assert_eq!((v.oracle_count, v.permissionless), (3, 0));
    assert_eq!((v.device_tree, v.record_tree), ([2; 32], [3; 32]));
    // Oracles 0..3 may submit; oracle slot 3 is beyond the count.
    assert!(v.may_submit(&[10; 32]) && v.may_submit(&[12; 32]));
    assert!(!v.may_submit(&[13; 32]) && !v.may_submit(&[0; 32]));

    Network::load_mut(&mut data).unwrap().permissionless = 1;
    assert!(Network::load(&data).unwrap().may_submit(&[99; 32]));

    // Wrong discriminator or size.
    let mut other = data.clone();
    other[0] ^= 1;
    assert!(Network::load(&other).is_none());
    assert!(Network::load(&data[..data.len() - 1]).is_none());
}

#[test]
fn model_view_as_the_attestation_program_reads_it() {
    let mut data = vec![0u8; Model::LEN];
    let m = Model::init(&mut data).unwrap();
    m.network = [1; 32];
    m.set_model_id(0x0a0b_0c0d);
    m.set_version(3);
    m.active = 1;
    m.bump = 250;
    m.vk = core::array::from_fn(|i| i as u8);
    m.classes = 3;
    let v = Model::load(&data).unwrap();
    // submit_attestation refuses a class >= classes.
    assert_eq!(v.classes, 3);
    assert_eq!(v.network, [1; 32]);
    assert_eq!(v.model_id(), 0x0a0b_0c0d);
    assert_eq!((v.active, v.bump), (1, 250));
    assert_eq!(v.vk, core::array::from_fn::<u8, 576, _>(|i| i as u8));
    // A Network is not a Model.
    let net = vec![0u8; Network::LEN];
    assert!(Model::load(&net).is_none());
}
