//! The Anchor interface (which generates the IDL) and the pinocchio program must agree on
//! every byte clients depend on: discriminators, account sizes and layouts, argument
//! encodings, events and error numbers.
use anchor_lang::{AccountDeserialize, AnchorSerialize, Discriminator, Space};
use device_registry as program;
use device_registry_interface as iface;

#[test]
fn program_id_agrees() {
    assert_eq!(iface::ID.to_bytes(), program::ID.to_bytes());
}

#[test]
fn instruction_discriminators_agree() {
    assert_eq!(
        iface::instruction::InitializeNetwork::DISCRIMINATOR,
        &program::instructions::initialize_network::DISCRIMINATOR[..]
    );
}

#[test]
fn event_discriminators_agree() {
    assert_eq!(iface::NetworkInitialized::DISCRIMINATOR, &program::events::NETWORK_INITIALIZED[..]);
}

#[test]
fn network_size_and_layout_agree() {
    assert_eq!(8 + iface::Network::INIT_SPACE, program::state::Network::LEN);
    assert_eq!(iface::Network::DISCRIMINATOR, &program::state::Network::DISCRIMINATOR[..]);

    // Write every field through the program's in-place view, read it back with Anchor.
    let mut data = vec![0u8; program::state::Network::LEN];
    let n = program::state::Network::init(&mut data).unwrap();
    n.authority = [1; 32];
    for (i, o) in n.oracles.iter_mut().enumerate() {
        *o = [10 + i as u8; 32];
    }
    n.oracle_count = 3;
    n.permissionless = 1;
    n.bump = 254;
    n.device_tree = [2; 32];
    n.record_tree = [3; 32];
    n.set_device_trees(0x0102_0304);
    n.set_record_trees(0x0506_0708);
    n.set_devices(0x1112_1314_1516_1718);
    n.set_records(0x2122_2324_2526_2728);
    n.set_makers(0x3132_3334);
    n.set_models(0x4142_4344);
    n.reserved = [9; 64];

    let a = iface::Network::try_deserialize(&mut &data[..]).unwrap();
    assert_eq!(a.authority.to_bytes(), [1; 32]);
    for (i, o) in a.oracles.iter().enumerate() {
        assert_eq!(o.to_bytes(), [10 + i as u8; 32]);
    }
    assert_eq!((a.oracle_count, a.permissionless, a.bump), (3, true, 254));
    assert_eq!(a.device_tree.to_bytes(), [2; 32]);
    assert_eq!(a.record_tree.to_bytes(), [3; 32]);
    assert_eq!((a.device_trees, a.record_trees), (0x0102_0304, 0x0506_0708));
    assert_eq!((a.devices, a.records), (0x1112_1314_1516_1718, 0x2122_2324_2526_2728));
    assert_eq!((a.makers, a.models), (0x3132_3334, 0x4142_4344));
    assert_eq!(a.reserved, [9; 64]);
}

#[test]
fn initialize_network_args_agree() {
    use anchor_lang::prelude::Pubkey;
    for n in 0..=8usize {
        let args = iface::InitializeNetworkArgs {
            oracles: (0..n).map(|i| Pubkey::new_from_array([i as u8 + 1; 32])).collect(),
            permissionless: n % 2 == 1,
        };
        let bytes = args.try_to_vec().unwrap();
        let parsed =
            program::instructions::initialize_network::InitializeNetworkArgs::parse(&bytes)
                .unwrap();
        assert_eq!(parsed.oracles.len(), n);
        assert_eq!(parsed.permissionless, n % 2 == 1);
        for (p, a) in parsed.oracles.iter().zip(&args.oracles) {
            assert_eq!(p, &a.to_bytes());
        }
    }
    // Nine oracles: the program refuses before reading them.
    let nine = iface::InitializeNetworkArgs {
        oracles: vec![Pubkey::default(); 9],
        permissionless: false,
    };
    assert!(program::instructions::initialize_network::InitializeNetworkArgs::parse(
        &nine.try_to_vec().unwrap()
    )
    .is_err());
}

#[test]
fn errors_agree() {
    use program::error::RegistryError as P;
    use iface::RegistryError as A;
    let pairs = [
        (P::Unauthorized, A::Unauthorized),
        (P::InvalidPda, A::InvalidPda),
        (P::AlreadyInitialized, A::AlreadyInitialized),
        (P::TooManyOracles, A::TooManyOracles),
        (P::DuplicateOracle, A::DuplicateOracle),
        (P::InvalidArguments, A::InvalidArguments),
        (P::InvalidAccountOwner, A::InvalidAccountOwner),
        (P::InvalidAccountData, A::InvalidAccountData),
    ];
    for (p, a) in pairs {
        assert_eq!(p as u32, u32::from(a), "{a:?}");
        assert_eq!(p.message(), a.to_string(), "{a:?}");
    }
}
