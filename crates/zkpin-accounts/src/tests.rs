use pinocchio::error::ProgramError;

use crate::{
    discriminator,
    leaf::{DeviceLeafRef, DEVICE_LEAF_REF_LEN},
    state::{Maker, Model, Network},
    Reader,
};

const ERR: u32 = 6005;

#[test]
fn discriminators_match_anchor() {
    // sha256("global:initialize")[..8], the discriminator of Anchor's template instruction.
    assert_eq!(discriminator::instruction("initialize"), [175, 175, 109, 31, 13, 152, 155, 237]);
    assert_ne!(discriminator::account("Network"), discriminator::event("Network"));
}

#[test]
fn reader_fails_with_the_programs_code() {
    let data = [1u8, 2, 0, 0, 0, 9, 9, 7];
    let mut r = Reader::<ERR>::new(&data);
    assert_eq!(r.bool(), Ok(true));
    assert_eq!(r.vec_u8(), Ok(&[9u8, 9][..]));
    assert_eq!(r.finish(), Err(ProgramError::Custom(ERR)));
    assert_eq!(r.bool(), Err(ProgramError::Custom(ERR)));
    assert_eq!(r.u32(), Err(ProgramError::Custom(ERR)));
}

#[test]
fn device_leaf_ref_keeps_its_bytes() {
    let bytes: [u8; DEVICE_LEAF_REF_LEN] = core::array::from_fn(|i| i as u8);
    let mut r = Reader::<ERR>::new(&bytes);
    let d = DeviceLeafRef::read(&mut r).unwrap();
    r.finish().unwrap();
    assert_eq!(d.bytes, &bytes);
    assert_eq!(d.leaf.device[0], 0);
    assert_eq!(d.leaf.model_id, u32::from_le_bytes([128, 129, 130, 131]));
    assert_eq!(d.leaf.status, 140);
    assert_eq!(d.leaf_index, u32::from_le_bytes([141, 142, 143, 144]));
    assert_eq!(d.root[0], 145);
    assert!(DeviceLeafRef::read(&mut Reader::<ERR>::new(&bytes[1..])).is_err());
}

#[test]
fn layouts_load_and_init() {
    assert_eq!(
        (Network::LEN, Maker::LEN, Model::LEN),
        (
            8 + 32 * 11 + 3 + 4 * 4 + 8 * 2 + 32 + 32,
            8 + 32 * 3 + 2 + 8,
            8 + 32 + 8 + 2 + 64 + 576 + 3
        )
    );
    let mut data = [0u8; Network::LEN];
    assert!(Network::load(&data).is_none());
    let n = Network::init(&mut data).unwrap();
    n.oracle_count = 2;
    n.oracles[1] = [7; 32];
    n.record_trees_authority = [5; 32];
    assert!(Network::init(&mut data).is_none());
    let n = Network::load(&data).unwrap();
    assert_eq!(n.record_trees_authority, [5; 32]);
    assert!(n.may_submit(&[7; 32]) && !n.may_submit(&[8; 32]));
    assert!(Network::load(&data[..Network::LEN - 1]).is_none());
    let mut model = [0u8; Model::LEN];
    model[..8].copy_from_slice(&Network::DISCRIMINATOR);
    assert!(Model::load(&model).is_none());
    let mut model = [0u8; Model::LEN];
    let m = Model::init(&mut model).unwrap();
    m.set_window(0x0102);
    m.classes = 7;
    // window and classes are the last three bytes.
    assert_eq!(&model[Model::LEN - 3..], &[0x02, 0x01, 7]);
    let m = Model::load(&model).unwrap();
    assert_eq!((m.window(), m.classes), (0x0102, 7));
}

#[test]
fn model_shapes() {
    use crate::state::model::{valid_shape, MAX_WINDOW};
    assert_eq!(MAX_WINDOW, 465);
    for (window, classes, ok) in [
        (16, 4, true),
        (48, 3, true),
        (1, 2, true),
        (465, 255, true),
        (0, 4, false),
        (466, 4, false),
        (u16::MAX, 4, false),
        (16, 1, false),
        (16, 0, false),
    ] {
        assert_eq!(valid_shape(window, classes), ok, "{window} {classes}");
    }
}

#[test]
fn leaf_hashes_from_argument_bytes_match_the_leaf() {
    let mut bytes = [0u8; DEVICE_LEAF_REF_LEN];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = (i * 7 + 3) as u8;
    }
    let mut r = Reader::<ERR>::new(&bytes);
    let leaf_ref = DeviceLeafRef::read(&mut r).unwrap();
    let network = [9u8; 32];
    assert_eq!(leaf_ref.leaf_hash(&network), leaf_ref.leaf.hash(&network));
    let next = leaf_ref.leaf.seq.wrapping_add(5);
    let advanced = crate::leaf::DeviceLeaf { seq: next, ..leaf_ref.leaf };
    assert_eq!(leaf_ref.leaf_hash_with_seq(&network, next), advanced.hash(&network));
    assert_ne!(leaf_ref.leaf_hash_with_seq(&network, next), leaf_ref.leaf_hash(&network));
}
