//! The Anchor interface (which generates the IDL) and the pinocchio program must agree on
//! every byte clients depend on: discriminators, argument and event layouts, error numbers,
//! and the `advance_device` call the program makes into device_registry.
use anchor_lang::{prelude::Pubkey, AnchorDeserialize, AnchorSerialize, Discriminator};
use device_registry_interface as registry;
use inference_attestation as program;
use inference_attestation_interface as iface;

fn sample_args() -> iface::SubmitAttestationArgs {
    iface::SubmitAttestationArgs {
        proof: core::array::from_fn(|i| i as u8),
        current: iface::DeviceLeafRef {
            leaf: iface::DeviceLeaf {
                device: Pubkey::new_from_array([1; 32]),
                owner: Pubkey::new_from_array([2; 32]),
                maker: Pubkey::new_from_array([3; 32]),
                bjj_key_hash: [4; 32],
                model_id: 0x0102_0304,
                seq: 0x1112_1314_1516_1718,
                status: 1,
            },
            leaf_index: 0x2122_2324,
            root: [5; 32],
        },
        seq: 0x3132_3334_3536_3738,
        timestamp: -1_767_225_600,
        input_commitment: [6; 32],
        class: 3,
        score: -2340,
    }
}

#[test]
fn program_id_and_registry_id_agree() {
    assert_eq!(iface::ID.to_bytes(), program::ID.to_bytes());
    assert_eq!(iface::DEVICE_REGISTRY_ID.to_bytes(), zkpin_accounts::REGISTRY_ID.to_bytes());
    assert_eq!(iface::DEVICE_REGISTRY_ID, registry::ID);
}

#[test]
fn attestation_authority_is_the_pda() {
    assert_eq!(iface::ATTESTATION_SEED, program::ATTESTATION_SEED);
    let (pda, bump) = Pubkey::find_program_address(&[iface::ATTESTATION_SEED], &iface::ID);
    assert_eq!(pda.to_bytes(), program::ATTESTATION_AUTHORITY.to_bytes());
    assert_eq!(bump, program::ATTESTATION_BUMP);
    assert_eq!(pda.to_string(), "HwTA59Tf23bZWDpP5cYf5mzwy2KzzXuHeGVDHf2BWZDz");
}

#[test]
fn discriminators_agree() {
    assert_eq!(
        iface::instruction::SubmitAttestation::DISCRIMINATOR,
        &program::instructions::submit_attestation::DISCRIMINATOR[..]
    );
    // Legacy, no longer emitted: still sha256("event:AttestationSubmitted")[..8].
    assert_eq!(
        iface::AttestationSubmitted::DISCRIMINATOR,
        &zkpin_accounts::discriminator::event("AttestationSubmitted")[..]
    );
    assert_eq!(
        registry::instruction::AdvanceDevice::DISCRIMINATOR,
        &program::registry::ADVANCE_DEVICE_DISCRIMINATOR[..]
    );
}

#[test]
fn args_layout_agrees() {
    let a = sample_args();
    let bytes = a.try_to_vec().unwrap();
    assert_eq!(bytes.len(), program::args::SUBMIT_ATTESTATION_ARGS_LEN);
    let p = program::args::SubmitAttestationArgs::parse(&bytes).unwrap();
    assert_eq!(p.proof, &a.proof);
    let (pl, al) = (&p.current.leaf, &a.current.leaf);
    assert_eq!(pl.device, &al.device.to_bytes());
    assert_eq!(pl.owner, &al.owner.to_bytes());
    assert_eq!(pl.maker, &al.maker.to_bytes());
    assert_eq!(pl.bjj_key_hash, &al.bjj_key_hash);
    assert_eq!((pl.model_id, pl.seq, pl.status), (al.model_id, al.seq, al.status));
    assert_eq!(p.current.leaf_index, a.current.leaf_index);
    assert_eq!(p.current.root, &a.current.root);
    assert_eq!(p.current.bytes[..], a.current.try_to_vec().unwrap()[..]);
    assert_eq!((p.seq, p.timestamp, p.class, p.score), (a.seq, a.timestamp, a.class, a.score));
    assert_eq!(p.input_commitment, &a.input_commitment);
}

#[test]
fn device_leaf_ref_is_the_registry_type() {
    // Same borsh bytes as device_registry's own DeviceLeafRef...
    let a = sample_args().current;
    let r = registry::DeviceLeafRef::deserialize(&mut &a.try_to_vec().unwrap()[..]).unwrap();
    assert_eq!(r.try_to_vec().unwrap(), a.try_to_vec().unwrap());
    // ...and the same type definitions in both IDLs.
    let ours: serde_json::Value =
        serde_json::from_str(include_str!("../../../idls/inference_attestation.json")).unwrap();
    let theirs: serde_json::Value =
        serde_json::from_str(include_str!("../../../idls/device_registry.json")).unwrap();
    let find = |idl: &serde_json::Value, name: &str| {
        let mut t =
            idl["types"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap().clone();
        // Doc comments may differ; the layout may not.
        strip_docs(&mut t);
        t
    };
    for name in ["DeviceLeaf", "DeviceLeafRef"] {
        assert_eq!(find(&ours, name), find(&theirs, name), "{name}");
    }
}

fn strip_docs(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("docs");
            m.values_mut().for_each(strip_docs);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_docs),
        _ => {}
    }
}

#[test]
fn advance_device_data_decodes_as_the_registry_args() {
    let a = sample_args();
    let args_bytes = a.try_to_vec().unwrap();
    let p = program::args::SubmitAttestationArgs::parse(&args_bytes).unwrap();
    let public_input = [7u8; 32];
    let record = program::registry::RecordLeafRef {
        device: p.current.leaf.device,
        model_id: p.current.leaf.model_id,
        seq: p.seq,
        timestamp: p.timestamp,
        input_commitment: p.input_commitment,
        class: p.class,
        score: p.score,
        public_input: &public_input,
    };
    let data = program::registry::AdvanceDeviceData::new(p.current.bytes, &record, &[8; 32]);
    // The record bytes are zkpin-encoding's RecordLeafV0 bytes.
    let canonical = zkpin_encoding::RecordLeafV0 {
        device: *record.device,
        model_id: record.model_id,
        seq: record.seq,
        timestamp: record.timestamp,
        input_commitment: *record.input_commitment,
        class: record.class,
        score: record.score,
        public_input,
    }
    .to_bytes();
    assert_eq!(data.as_bytes()[8 + 177..8 + 177 + 125], canonical[..]);
    let bytes = data.as_bytes();
    assert_eq!(&bytes[..8], registry::instruction::AdvanceDevice::DISCRIMINATOR);
    let mut rest = &bytes[8..];
    let decoded = registry::AdvanceDeviceArgs::deserialize(&mut rest).unwrap();
    assert!(rest.is_empty());
    assert_eq!(decoded.current.try_to_vec().unwrap(), a.current.try_to_vec().unwrap());
    let r = decoded.record;
    assert_eq!(r.device, a.current.leaf.device);
    assert_eq!((r.model_id, r.seq), (a.current.leaf.model_id, a.seq));
    assert_eq!((r.timestamp, r.class, r.score), (a.timestamp, a.class, a.score));
    assert_eq!(r.input_commitment, a.input_commitment);
    assert_eq!(r.public_input, [7; 32]);
    assert_eq!(decoded.submitter, Pubkey::new_from_array([8; 32]));
}

/// Legacy `AttestationSubmitted`, as the program wrote it before device_registry's
/// `RecordAttested` took its place (the bytes of that writer: network, device, model_id u32,
/// seq u64, record_tree, record_index u32, public_input, submitter): the interface type still
/// decodes it, so readers keep reading older transactions.
#[test]
fn legacy_attestation_submitted_still_decodes() {
    let mut bytes = zkpin_accounts::discriminator::event("AttestationSubmitted").to_vec();
    bytes.extend_from_slice(&[1; 32]);
    bytes.extend_from_slice(&[2; 32]);
    bytes.extend_from_slice(&0x0a0b_0c0du32.to_le_bytes());
    bytes.extend_from_slice(&0x1112_1314_1516_1718u64.to_le_bytes());
    bytes.extend_from_slice(&[3; 32]);
    bytes.extend_from_slice(&0x2122_2324u32.to_le_bytes());
    bytes.extend_from_slice(&[4; 32]);
    bytes.extend_from_slice(&[5; 32]);
    assert_eq!(bytes.len(), 8 + 32 + 32 + 4 + 8 + 32 + 4 + 32 + 32);
    assert_eq!(&bytes[..8], iface::AttestationSubmitted::DISCRIMINATOR);
    let mut rest = &bytes[8..];
    let d = iface::AttestationSubmitted::deserialize(&mut rest).unwrap();
    assert!(rest.is_empty());
    assert_eq!(d.network, Pubkey::new_from_array([1; 32]));
    assert_eq!(d.device, Pubkey::new_from_array([2; 32]));
    assert_eq!((d.model_id, d.seq), (0x0a0b_0c0d, 0x1112_1314_1516_1718));
    assert_eq!(d.record_tree, Pubkey::new_from_array([3; 32]));
    assert_eq!(d.record_index, 0x2122_2324);
    assert_eq!(d.public_input, [4; 32]);
    assert_eq!(d.submitter, Pubkey::new_from_array([5; 32]));
}

#[test]
fn errors_agree_with_the_idl() {
    // The committed IDL is the interface crate's view (`npm run check:idl` keeps it current).
    let idl: serde_json::Value =
        serde_json::from_str(include_str!("../../../idls/inference_attestation.json")).unwrap();
    let errors = idl["errors"].as_array().unwrap();
    let all = program::error::AttestationError::ALL;
    for (i, p) in all.iter().enumerate() {
        let e = &errors[i];
        assert_eq!(e["code"].as_u64().unwrap(), *p as u64, "{p:?}");
        assert_eq!(e["name"].as_str().unwrap(), p.name(), "{p:?}");
        assert_eq!(e["msg"].as_str().unwrap(), p.message(), "{p:?}");
    }
    assert_eq!(errors.len(), all.len() + 1);
    assert_eq!(errors[all.len()]["name"], "InterfaceOnly");
    // Numbers are dense from 6000: a gap would mean a removed (reused) variant.
    for (i, p) in all.iter().enumerate() {
        assert_eq!(*p as u32, 6000 + i as u32);
    }
}
