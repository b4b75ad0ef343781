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

/// The IDL's `constants` (and so idls/constants.ts) carry the program's values.
#[test]
fn constants_agree() {
    use zkpin_accounts::{leaf, state};
    assert_eq!(iface::NETWORK_SEED, state::network::NETWORK_SEED);
    assert_eq!(iface::MAKER_SEED, state::maker::MAKER_SEED);
    assert_eq!(iface::MODEL_SEED, state::model::MODEL_SEED);
    assert_eq!(iface::APPROVALS_SEED, state::approval_page::APPROVALS_SEED);
    assert_eq!(iface::RECORD_TREES_SEED, program::tree::RECORD_TREES_SEED);
    assert_eq!(iface::DEVICE_STATUS_ACTIVE, leaf::STATUS_ACTIVE);
    assert_eq!(iface::DEVICE_STATUS_REVOKED, leaf::STATUS_REVOKED);
    assert_eq!(iface::TREE_KIND_DEVICE, program::instructions::init_tree::KIND_DEVICE);
    assert_eq!(iface::TREE_KIND_RECORD, program::instructions::init_tree::KIND_RECORD);
    assert_eq!(iface::SERIALS_PER_APPROVAL_PAGE, state::approval_page::SERIALS_PER_PAGE);
    assert_eq!(iface::APPROVAL_PAGE_SIZE as usize, state::ApprovalPage::LEN);
    assert_eq!(
        iface::APPROVAL_PAGE_SIZE as usize - state::approval_page::PAGE_BYTES,
        core::mem::offset_of!(state::ApprovalPage, bits)
    );
    assert_eq!(iface::DEVICE_LEAF_V0_SIZE as usize, zkpin_encoding::DEVICE_LEAF_V0_SIZE);
    assert_eq!(iface::DEVICE_LEAF_V0_SIZE as usize, 32 + leaf::DEVICE_LEAF_LEN);
    assert_eq!(iface::RECORD_LEAF_V0_SIZE as usize, zkpin_encoding::RECORD_LEAF_V0_SIZE);
    assert_eq!(iface::MAX_WINDOW, state::model::MAX_WINDOW);
    assert_eq!(iface::MAX_WINDOW as usize, zkpin_encoding::MAX_WINDOW);
    assert_eq!(iface::MIN_CLASSES, state::model::MIN_CLASSES);
    // The leaf sizes are the borsh sizes of the IDL types (+ the network for a device leaf).
    let device = iface::DeviceLeaf {
        device: Default::default(),
        owner: Default::default(),
        maker: Default::default(),
        bjj_key_hash: [0; 32],
        model_id: 0,
        seq: 0,
        status: 0,
    };
    assert_eq!(iface::DEVICE_LEAF_V0_SIZE as usize, 32 + device.try_to_vec().unwrap().len());
    let record = iface::RecordLeaf {
        device: Default::default(),
        model_id: 0,
        seq: 0,
        timestamp: 0,
        input_commitment: [0; 32],
        class: 0,
        score: 0,
        public_input: [0; 32],
    };
    assert_eq!(iface::RECORD_LEAF_V0_SIZE as usize, record.try_to_vec().unwrap().len());
}

#[test]
fn instruction_discriminators_agree() {
    use iface::instruction as a;
    use program::instructions as p;
    let pairs: [(&[u8], [u8; 8]); 11] = [
        (a::InitializeNetwork::DISCRIMINATOR, p::initialize_network::DISCRIMINATOR),
        (a::SetOracles::DISCRIMINATOR, p::set_oracles::DISCRIMINATOR),
        (a::AddMaker::DISCRIMINATOR, p::add_maker::DISCRIMINATOR),
        (a::SetMakerActive::DISCRIMINATOR, p::set_maker_active::DISCRIMINATOR),
        (a::RegisterModel::DISCRIMINATOR, p::register_model::DISCRIMINATOR),
        (a::SetModelActive::DISCRIMINATOR, p::set_model_active::DISCRIMINATOR),
        (a::InitTree::DISCRIMINATOR, p::init_tree::DISCRIMINATOR),
        (a::RegisterDevice::DISCRIMINATOR, p::register_device::DISCRIMINATOR),
        (a::TransferDevice::DISCRIMINATOR, p::transfer_device::DISCRIMINATOR),
        (a::RevokeDevice::DISCRIMINATOR, p::revoke_device::DISCRIMINATOR),
        (a::AdvanceDevice::DISCRIMINATOR, p::advance_device::DISCRIMINATOR),
    ];
    for (a, p) in pairs {
        assert_eq!(a, &p[..]);
    }
}

#[test]
fn event_discriminators_agree() {
    use program::events as p;
    let pairs: [(&[u8], [u8; 8]); 11] = [
        (iface::NetworkInitialized::DISCRIMINATOR, p::NETWORK_INITIALIZED),
        (iface::OraclesSet::DISCRIMINATOR, p::ORACLES_SET),
        (iface::MakerAdded::DISCRIMINATOR, p::MAKER_ADDED),
        (iface::MakerActiveSet::DISCRIMINATOR, p::MAKER_ACTIVE_SET),
        (iface::ModelRegistered::DISCRIMINATOR, p::MODEL_REGISTERED),
        (iface::ModelActiveSet::DISCRIMINATOR, p::MODEL_ACTIVE_SET),
        (iface::TreeInitialized::DISCRIMINATOR, p::TREE_INITIALIZED),
        (iface::DeviceRegistered::DISCRIMINATOR, p::DEVICE_REGISTERED),
        (iface::DeviceUpdated::DISCRIMINATOR, p::DEVICE_UPDATED),
        (iface::RecordAttested::DISCRIMINATOR, p::RECORD_ATTESTED),
        // Legacy, no longer emitted: still sha256("event:RecordAppended")[..8].
        (
            iface::RecordAppended::DISCRIMINATOR,
            zkpin_accounts::discriminator::event("RecordAppended"),
        ),
    ];
    for (a, p) in pairs {
        assert_eq!(a, &p[..]);
    }
}

/// A device leaf with fixed keys (1..4 repeated), model 77, status 1 and `seq`.
fn sample_device_leaf(seq: u64) -> zkpin_accounts::leaf::DeviceLeaf<'static> {
    zkpin_accounts::leaf::DeviceLeaf {
        device: &[1; 32],
        owner: &[2; 32],
        maker: &[3; 32],
        bjj_key_hash: &[4; 32],
        model_id: 77,
        seq,
        status: 1,
    }
}

#[test]
fn device_event_layout_agrees() {
    use anchor_lang::prelude::Pubkey;
    let leaf = sample_device_leaf(99);
    let at = program::events::TreeChange {
        network: &[5; 32],
        tree: &[6; 32],
        leaf_index: 42,
        tree_seq: 1_000_000_007,
    };
    let ev = program::events::device_event(program::events::DEVICE_UPDATED, &at, &leaf);
    // Instruction data of the self-CPI: Anchor's EVENT_IX_TAG, then the event.
    assert_eq!(&ev.as_bytes()[..8], &0x1d9a_cb51_2ea5_45e4u64.to_le_bytes());
    assert_eq!(&ev.as_bytes()[..8], &zkpin_accounts::events::EVENT_IX_TAG);
    let bytes = ev.event();
    assert_eq!(&bytes[..8], iface::DeviceUpdated::DISCRIMINATOR);
    let decoded: iface::DeviceUpdated =
        anchor_lang::AnchorDeserialize::deserialize(&mut &bytes[8..]).unwrap();
    assert_eq!(decoded.network, Pubkey::new_from_array([5; 32]));
    assert_eq!(decoded.tree, Pubkey::new_from_array([6; 32]));
    assert_eq!(decoded.leaf_index, 42);
    assert_eq!(decoded.tree_seq, 1_000_000_007);
    assert_eq!(decoded.leaf.owner, Pubkey::new_from_array([2; 32]));
    assert_eq!((decoded.leaf.model_id, decoded.leaf.seq, decoded.leaf.status), (77, 99, 1));
}

#[test]
fn record_attested_event_layout_agrees() {
    use anchor_lang::prelude::Pubkey;
    let leaf = sample_device_leaf(0x1112_1314_1516_1718);
    let record = sample_record();
    let record_bytes: [u8; program::leaf::RECORD_LEAF_LEN] =
        record.try_to_vec().unwrap().try_into().unwrap();
    let ev = program::events::record_attested(&program::events::RecordAttested {
        device: program::events::TreeChange {
            network: &[5; 32],
            tree: &[6; 32],
            leaf_index: 42,
            tree_seq: 1_000_000_007,
        },
        leaf: &leaf,
        record_tree: &[13; 32],
        record_index: 0x2122_2324,
        record_tree_seq: 0x3132_3334_3536_3738,
        record: &record_bytes,
        submitter: &[14; 32],
    });
    assert_eq!(&ev.as_bytes()[..8], &zkpin_accounts::events::EVENT_IX_TAG);
    let bytes = ev.event();
    assert_eq!(bytes.len(), 8 + program::events::RECORD_ATTESTED_LEN);
    assert_eq!(&bytes[..8], iface::RecordAttested::DISCRIMINATOR);
    let mut rest = &bytes[8..];
    let d: iface::RecordAttested = anchor_lang::AnchorDeserialize::deserialize(&mut rest).unwrap();
    assert!(rest.is_empty());
    // The network first: process_event checks it against the signer.
    assert_eq!(&bytes[8..40], &[5; 32]);
    assert_eq!(d.network, Pubkey::new_from_array([5; 32]));
    assert_eq!(d.device_tree, Pubkey::new_from_array([6; 32]));
    assert_eq!((d.device_leaf_index, d.device_tree_seq), (42, 1_000_000_007));
    assert_eq!(d.leaf.device, Pubkey::new_from_array([1; 32]));
    assert_eq!(d.leaf.owner, Pubkey::new_from_array([2; 32]));
    assert_eq!(d.leaf.maker, Pubkey::new_from_array([3; 32]));
    assert_eq!(d.leaf.bjj_key_hash, [4; 32]);
    assert_eq!((d.leaf.model_id, d.leaf.seq, d.leaf.status), (77, 0x1112_1314_1516_1718, 1));
    assert_eq!(d.record_tree, Pubkey::new_from_array([13; 32]));
    assert_eq!((d.record_index, d.record_tree_seq), (0x2122_2324, 0x3132_3334_3536_3738));
    assert_eq!(d.record, record);
    assert_eq!(d.submitter, Pubkey::new_from_array([14; 32]));
}

fn sample_record() -> iface::RecordLeaf {
    iface::RecordLeaf {
        device: anchor_lang::prelude::Pubkey::new_from_array([1; 32]),
        model_id: 77,
        seq: 0x1112_1314_1516_1718,
        timestamp: -1_767_225_600,
        input_commitment: [10; 32],
        class: 3,
        score: -2340,
        public_input: [12; 32],
    }
}

/// Legacy `RecordAppended`, as `advance_device` wrote it before `RecordAttested` (the bytes
/// of that writer: network, tree, leaf_index u32, tree_seq u64, the record leaf): the
/// interface type still decodes it, so readers keep reading older transactions.
#[test]
fn legacy_record_appended_still_decodes() {
    use anchor_lang::prelude::Pubkey;
    let record = sample_record();
    let mut bytes = zkpin_accounts::discriminator::event("RecordAppended").to_vec();
    bytes.extend_from_slice(&[5; 32]);
    bytes.extend_from_slice(&[6; 32]);
    bytes.extend_from_slice(&42u32.to_le_bytes());
    bytes.extend_from_slice(&7u64.to_le_bytes());
    bytes.extend_from_slice(&record.try_to_vec().unwrap());
    assert_eq!(bytes.len(), 8 + 32 * 2 + 4 + 8 + 125);
    assert_eq!(&bytes[..8], iface::RecordAppended::DISCRIMINATOR);
    let mut rest = &bytes[8..];
    let d: iface::RecordAppended = anchor_lang::AnchorDeserialize::deserialize(&mut rest).unwrap();
    assert!(rest.is_empty());
    assert_eq!(
        (d.network, d.tree),
        (Pubkey::new_from_array([5; 32]), Pubkey::new_from_array([6; 32]))
    );
    assert_eq!((d.leaf_index, d.tree_seq), (42, 7));
    assert_eq!(d.record, record);
}

#[test]
fn model_registered_event_layout_agrees() {
    use anchor_lang::prelude::Pubkey;
    let ev = program::events::model_registered(&program::events::ModelRegistered {
        network: &[1; 32],
        model: &[2; 32],
        model_id: 0x0102_0304,
        version: 5,
        onnx_sha256: &[6; 32],
        circuit_sha256: &[7; 32],
        window: 465,
        classes: 3,
    });
    let bytes = ev.event();
    assert_eq!(&bytes[..8], iface::ModelRegistered::DISCRIMINATOR);
    let mut rest = &bytes[8..];
    let d: iface::ModelRegistered = anchor_lang::AnchorDeserialize::deserialize(&mut rest).unwrap();
    assert!(rest.is_empty());
    assert_eq!(
        (d.network, d.model),
        (Pubkey::new_from_array([1; 32]), Pubkey::new_from_array([2; 32]))
    );
    assert_eq!((d.model_id, d.version, d.window, d.classes), (0x0102_0304, 5, 465, 3));
    assert_eq!((d.onnx_sha256, d.circuit_sha256), ([6; 32], [7; 32]));
}

#[test]
fn leaf_bytes_agree_with_borsh() {
    // The program hashes `network || borsh(DeviceLeaf)`; the interface's borsh must give the
    // same 141 bytes after the network.
    let leaf = iface::DeviceLeaf {
        device: anchor_lang::prelude::Pubkey::new_from_array([1; 32]),
        owner: anchor_lang::prelude::Pubkey::new_from_array([2; 32]),
        maker: anchor_lang::prelude::Pubkey::new_from_array([3; 32]),
        bjj_key_hash: [4; 32],
        model_id: 0x0102_0304,
        seq: 0x1112_1314_1516_1718,
        status: 2,
    };
    let borsh = leaf.try_to_vec().unwrap();
    let mut r = program::args::Reader::new(&borsh);
    let parsed = zkpin_accounts::leaf::DeviceLeaf::read(&mut r).unwrap();
    r.finish().unwrap();
    let bytes = parsed.to_v0(&[9; 32]).to_bytes();
    assert_eq!(&bytes[..32], &[9; 32]);
    assert_eq!(&bytes[32..], &borsh[..]);
    let record = iface::RecordLeaf {
        device: anchor_lang::prelude::Pubkey::new_from_array([1; 32]),
        model_id: 7,
        seq: 8,
        timestamp: -9,
        input_commitment: [10; 32],
        class: 3,
        score: -11,
        public_input: [12; 32],
    };
    assert_eq!(record.try_to_vec().unwrap().len(), program::leaf::RECORD_LEAF_LEN);
}

#[test]
fn attestation_authority_is_the_attestation_pda() {
    let attestation = "FxXeprHwuCbhYTh9aLxvV6SWxiX2WbgqJtsXRQE61wiN"
        .parse::<anchor_lang::prelude::Pubkey>()
        .unwrap();
    let (pda, _) =
        anchor_lang::prelude::Pubkey::find_program_address(&[b"attestation"], &attestation);
    assert_eq!(
        pda.to_bytes(),
        program::instructions::advance_device::ATTESTATION_AUTHORITY.to_bytes()
    );
}

#[test]
fn maker_and_model_sizes_agree() {
    assert_eq!(8 + iface::Maker::INIT_SPACE, zkpin_accounts::state::Maker::LEN);
    assert_eq!(8 + iface::Model::INIT_SPACE, zkpin_accounts::state::Model::LEN);
    assert_eq!(iface::Maker::DISCRIMINATOR, &zkpin_accounts::state::Maker::DISCRIMINATOR[..]);
    assert_eq!(iface::Model::DISCRIMINATOR, &zkpin_accounts::state::Model::DISCRIMINATOR[..]);

    let mut data = vec![0u8; zkpin_accounts::state::Model::LEN];
    let m = zkpin_accounts::state::Model::init(&mut data).unwrap();
    m.network = [1; 32];
    m.set_model_id(0x0a0b_0c0d);
    m.set_version(3);
    m.active = 1;
    m.bump = 250;
    m.onnx_sha256 = [4; 32];
    m.circuit_sha256 = [5; 32];
    m.vk = [6; 576];
    m.set_window(0x01d1);
    m.classes = 254;
    let a = iface::Model::try_deserialize(&mut &data[..]).unwrap();
    assert_eq!((a.model_id, a.version, a.active, a.bump), (0x0a0b_0c0d, 3, true, 250));
    assert_eq!((a.onnx_sha256, a.circuit_sha256), ([4; 32], [5; 32]));
    assert_eq!(a.vk, [6; 576]);
    assert_eq!((a.window, a.classes), (0x01d1, 254));

    let mut data = vec![0u8; zkpin_accounts::state::Maker::LEN];
    let m = zkpin_accounts::state::Maker::init(&mut data).unwrap();
    m.network = [1; 32];
    m.authority = [2; 32];
    m.name[..4].copy_from_slice(b"acme");
    m.active = 1;
    m.bump = 251;
    m.set_devices(12345);
    let a = iface::Maker::try_deserialize(&mut &data[..]).unwrap();
    assert_eq!(&a.name[..4], b"acme");
    assert_eq!((a.active, a.bump, a.devices), (true, 251, 12345));
}

#[test]
fn network_size_and_layout_agree() {
    assert_eq!(8 + iface::Network::INIT_SPACE, zkpin_accounts::state::Network::LEN);
    assert_eq!(iface::Network::DISCRIMINATOR, &zkpin_accounts::state::Network::DISCRIMINATOR[..]);

    // Write every field through the program's in-place view, read it back with Anchor.
    let mut data = vec![0u8; zkpin_accounts::state::Network::LEN];
    let n = zkpin_accounts::state::Network::init(&mut data).unwrap();
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
    n.retired_records = 0x2122_2324_2526_2728u64.to_le_bytes();
    n.set_makers(0x3132_3334);
    n.set_models(0x4142_4344);
    n.record_trees_authority = [8; 32];
    n.reserved = [9; 32];

    let a = iface::Network::try_deserialize(&mut &data[..]).unwrap();
    assert_eq!(a.authority.to_bytes(), [1; 32]);
    for (i, o) in a.oracles.iter().enumerate() {
        assert_eq!(o.to_bytes(), [10 + i as u8; 32]);
    }
    assert_eq!((a.oracle_count, a.permissionless, a.bump), (3, true, 254));
    assert_eq!(a.device_tree.to_bytes(), [2; 32]);
    assert_eq!(a.record_tree.to_bytes(), [3; 32]);
    assert_eq!((a.device_trees, a.record_trees), (0x0102_0304, 0x0506_0708));
    assert_eq!((a.devices, a.retired_records), (0x1112_1314_1516_1718, 0x2122_2324_2526_2728));
    assert_eq!((a.makers, a.models), (0x3132_3334, 0x4142_4344));
    assert_eq!(a.record_trees_authority.to_bytes(), [8; 32]);
    assert_eq!(a.reserved, [9; 32]);
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
    let nine =
        iface::InitializeNetworkArgs { oracles: vec![Pubkey::default(); 9], permissionless: false };
    assert!(program::instructions::initialize_network::InitializeNetworkArgs::parse(
        &nine.try_to_vec().unwrap()
    )
    .is_err());
}

#[test]
fn errors_agree_with_the_idl() {
    // The committed IDL is the interface crate's view (`npm run check:idl` keeps it current).
    let idl: serde_json::Value =
        serde_json::from_str(include_str!("../../../idls/device_registry.json")).unwrap();
    let errors = idl["errors"].as_array().unwrap();
    let all = program::error::RegistryError::ALL;
    for (i, p) in all.iter().enumerate() {
        let e = &errors[i];
        assert_eq!(e["code"].as_u64().unwrap(), *p as u64, "{p:?}");
        assert_eq!(e["name"].as_str().unwrap(), p.name(), "{p:?}");
        assert_eq!(e["msg"].as_str().unwrap(), p.message(), "{p:?}");
    }
    // Only the interface's own marker error follows.
    assert_eq!(errors.len(), all.len() + 1);
    assert_eq!(errors[all.len()]["name"], "InterfaceOnly");
}
