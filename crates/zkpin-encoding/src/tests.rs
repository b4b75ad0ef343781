extern crate std;

use super::*;
use serde_json::{json, Value};
use std::string::{String, ToString};
use std::vec::Vec;

/// The network of the public-input vectors.
const NETWORK: [u8; 32] = [0xfe; 32];

fn h(b: &[u8]) -> String {
    hex::encode(b)
}

/// Deterministic test bytes: keccak256(tag || i).
fn bytes32(tag: &str, i: u64) -> [u8; 32] {
    zkpin_crypto::keccak256(&[tag.as_bytes(), &i.to_le_bytes()])
}

/// Deterministic field element (< 2^253 < r).
fn fe(tag: &str, i: u64) -> [u8; 32] {
    let mut b = bytes32(tag, i);
    b[0] &= 0x1f;
    b
}

fn r_minus(k: u64) -> [u8; 32] {
    field_from_i64(-(k as i64))
}

fn dec(s: &str) -> [u8; 32] {
    // Decimal string to 32 bytes big-endian (test helper, small inputs only).
    let mut out = [0u8; 32];
    for c in s.bytes() {
        let mut carry = (c - b'0') as u32;
        for b in out.iter_mut().rev() {
            let v = *b as u32 * 10 + carry;
            *b = v as u8;
            carry = v >> 8;
        }
    }
    out
}

/// circomlib's BabyJubJub Base8 point.
const BASE8_X: &str =
    "5299619240641551281634865583518297030282874472190772894086521144482721001553";
const BASE8_Y: &str =
    "16950150798460657717958625567821834550301663161624707787222815936182638968203";

fn device_cases() -> Vec<(&'static str, DeviceLeafV0)> {
    let base = DeviceLeafV0 {
        network: bytes32("network", 0),
        device: bytes32("device", 0),
        owner: bytes32("owner", 0),
        maker: bytes32("maker", 0),
        bjj_key_hash: bjj_key_hash(&dec(BASE8_X), &dec(BASE8_Y)).unwrap(),
        model_id: 1,
        seq: 0,
        status: DeviceStatus::Active as u8,
    };
    std::vec![
        ("fresh active device", base),
        ("after 41 attestations", DeviceLeafV0 { seq: 41, model_id: 7, ..base }),
        ("revoked", DeviceLeafV0 { seq: 3, status: DeviceStatus::Revoked as u8, ..base }),
        (
            "max values",
            DeviceLeafV0 {
                network: [0xff; 32],
                device: [0xfe; 32],
                owner: [0xfd; 32],
                maker: [0xfc; 32],
                bjj_key_hash: r_minus(1),
                model_id: u32::MAX,
                seq: u64::MAX,
                status: DeviceStatus::Revoked as u8,
            },
        ),
    ]
}

fn record_cases() -> Vec<(&'static str, RecordLeafV0, [u8; 32])> {
    let bjj = bjj_key_hash(&dec(BASE8_X), &dec(BASE8_Y)).unwrap();
    let base = RecordLeafV0 {
        device: bytes32("device", 0),
        model_id: 1,
        seq: 1,
        timestamp: 1_767_225_600,
        input_commitment: fe("input_commitment", 0),
        class: 2,
        score: 187,
        public_input: [0; 32],
    };
    let cases = std::vec![
        ("typical", base, bjj),
        ("negative score", RecordLeafV0 { seq: 2, score: -42, class: 0, ..base }, bjj),
        ("negative timestamp", RecordLeafV0 { seq: 3, timestamp: -1, ..base }, bjj),
        (
            "zero values",
            RecordLeafV0 {
                model_id: 0,
                seq: 0,
                timestamp: 0,
                class: 0,
                score: 0,
                input_commitment: [0; 32],
                ..base
            },
            [0; 32],
        ),
        (
            "max values",
            RecordLeafV0 {
                device: [0xff; 32],
                model_id: u32::MAX,
                seq: u64::MAX,
                timestamp: i64::MAX,
                input_commitment: r_minus(1),
                class: u8::MAX,
                score: i64::MAX,
                ..base
            },
            r_minus(1),
        ),
        (
            "min values",
            RecordLeafV0 { timestamp: i64::MIN, score: i64::MIN, seq: 9, ..base },
            fe("bjj", 9),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, mut r, bjj)| {
            r.public_input = PublicInputFields::from_record(&NETWORK, &r, &bjj).public_input().unwrap();
            (name, r, bjj)
        })
        .collect()
}

fn vectors() -> Value {
    let devices: Vec<Value> = device_cases()
        .iter()
        .map(|(name, d)| {
            json!({
                "name": name,
                "network": h(&d.network),
                "device": h(&d.device),
                "owner": h(&d.owner),
                "maker": h(&d.maker),
                "bjj_key_hash": h(&d.bjj_key_hash),
                "model_id": d.model_id,
                "seq": d.seq.to_string(),
                "status": d.status,
                "bytes": h(&d.to_bytes()),
                "leaf_hash": h(&d.hash()),
            })
        })
        .collect();
    let records: Vec<Value> = record_cases()
        .iter()
        .map(|(name, r, bjj)| {
            let fields = PublicInputFields::from_record(&NETWORK, r, bjj);
            let mut inputs = [[0u8; 32]; PUBLIC_INPUT_FIELDS];
            fields.write_field_inputs(&mut inputs).unwrap();
            json!({
                "name": name,
                "network": h(&NETWORK),
                "device": h(&r.device),
                "model_id": r.model_id,
                "seq": r.seq.to_string(),
                "timestamp": r.timestamp.to_string(),
                "input_commitment": h(&r.input_commitment),
                "class": r.class,
                "score": r.score.to_string(),
                "bjj_key_hash": h(bjj),
                "public_input_field_inputs": inputs.iter().map(|i| h(i)).collect::<Vec<_>>(),
                "public_input": h(&r.public_input),
                "bytes": h(&r.to_bytes()),
                "leaf_hash": h(&r.hash()),
            })
        })
        .collect();
    let readings: Vec<Value> = [
        ReadingMessage {
            network: bytes32("network", 0),
            device: bytes32("device", 0),
            seq: 1,
            timestamp: 1_767_225_600,
            model_id: 1,
            readings: [0, 1, -1, 127, -128, 5, -5, 10, 20, 30, -30, 64, -64, 100, -100, 3],
            salt: bytes32("salt", 1),
        },
        ReadingMessage {
            network: [0xff; 32],
            device: [0xee; 32],
            seq: u64::MAX,
            timestamp: -86_400,
            model_id: u32::MAX,
            readings: [-128; 16],
            salt: [0; 32],
        },
    ]
    .iter()
    .map(|m| {
        json!({
            "network": h(&m.network),
            "device": h(&m.device),
            "seq": m.seq.to_string(),
            "timestamp": m.timestamp.to_string(),
            "model_id": m.model_id,
            "readings": m.readings.to_vec(),
            "salt": h(&m.salt),
            "bytes": h(&m.to_bytes()),
        })
    })
    .collect();
    let approvals: Vec<Value> = device_cases()
        .iter()
        .take(2)
        .enumerate()
        .map(|(i, (_, d))| {
            let m = ApprovalMessage {
                network: d.network,
                maker: d.maker,
                device: d.device,
                bjj_key_hash: d.bjj_key_hash,
                model_id: d.model_id,
                serial: 65_535 + i as u32,
                expires_at: 1_900_000_000 - i as i64,
            };
            json!({
                "network": h(&m.network),
                "maker": h(&m.maker),
                "device": h(&m.device),
                "bjj_key_hash": h(&m.bjj_key_hash),
                "model_id": m.model_id,
                "serial": m.serial,
                "expires_at": m.expires_at.to_string(),
                "bytes": h(&m.to_bytes()),
            })
        })
        .collect();
    let claims: Vec<Value> = device_cases()
        .iter()
        .take(2)
        .enumerate()
        .map(|(i, (_, d))| {
            let m = ClaimMessage {
                network: d.network,
                device: d.device,
                owner: d.owner,
                maker: d.maker,
                serial: 65_535 + i as u32,
            };
            json!({
                "network": h(&m.network),
                "device": h(&m.device),
                "owner": h(&m.owner),
                "maker": h(&m.maker),
                "serial": m.serial,
                "bytes": h(&m.to_bytes()),
            })
        })
        .collect();
    let signed: Vec<Value> =
        [0i64, 1, -1, 127, -128, 1_767_225_600, -1_767_225_600, i64::MAX, i64::MIN]
            .iter()
            .map(|v| json!({ "value": v.to_string(), "field": h(&field_from_i64(*v)) }))
            .collect();
    let bjj: Vec<Value> = [(dec(BASE8_X), dec(BASE8_Y)), (fe("ax", 1), fe("ay", 1))]
        .iter()
        .map(|(x, y)| json!({ "ax": h(x), "ay": h(y), "bjj_key_hash": h(&bjj_key_hash(x, y).unwrap()) }))
        .collect();
    json!({
        "comment": "Generated by crates/zkpin-encoding (cargo test -p zkpin-encoding; UPDATE_VECTORS=1 regenerates). Byte strings are hex without 0x; u64/i64 values are decimal strings. Layouts: docs/contracts.md.",
        "field_modulus": h(&BN254_R),
        "signed_to_field": signed,
        "bjj_key_hash": bjj,
        "device_leaves": devices,
        "record_leaves": records,
        "reading_messages": readings,
        "approval_messages": approvals,
        "claim_messages": claims,
    })
}

#[test]
fn golden_vectors_file_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/encodings.json");
    let mut text = serde_json::to_string_pretty(&vectors()).unwrap();
    text.push('\n');
    if std::env::var("UPDATE_VECTORS").is_ok_and(|v| v == "1") {
        std::fs::write(path, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == text,
        "tests/vectors/encodings.json is missing or stale: run UPDATE_VECTORS=1 cargo test -p zkpin-encoding and commit it"
    );
}

#[test]
fn leaf_round_trips_and_sizes() {
    for (_, d) in device_cases() {
        let b = d.to_bytes();
        assert_eq!(DeviceLeafV0::from_bytes(&b), Ok(d));
        assert_eq!(d.hash(), zkpin_crypto::keccak256(&[&b]));
    }
    for (_, r, _) in record_cases() {
        let b = r.to_bytes();
        assert_eq!(RecordLeafV0::from_bytes(&b), Ok(r));
        assert_eq!(r.hash(), zkpin_crypto::keccak256(&[&b]));
    }
    assert_eq!(DeviceLeafV0::from_bytes(&[0; 172]), Err(EncodingError::InvalidLength));
    assert_eq!(RecordLeafV0::from_bytes(&[0; 126]), Err(EncodingError::InvalidLength));
    assert_eq!(DeviceStatus::try_from(0), Err(EncodingError::InvalidStatus));
    assert_eq!(DeviceStatus::try_from(2), Ok(DeviceStatus::Revoked));
}

#[test]
fn layouts_at_fixed_offsets() {
    let (_, d) = device_cases()[1];
    let b = d.to_bytes();
    assert_eq!(&b[160..164], &7u32.to_le_bytes());
    assert_eq!(&b[164..172], &41u64.to_le_bytes());
    assert_eq!(b[172], 1);
    let (_, r, _) = record_cases()[1];
    let b = r.to_bytes();
    assert_eq!(&b[85..93], &(-42i64).to_le_bytes());
    assert_eq!(b[84], 0);
    let m = ReadingMessage {
        network: [1; 32],
        device: [2; 32],
        seq: 3,
        timestamp: -4,
        model_id: 5,
        readings: [-1; 16],
        salt: [6; 32],
    };
    let b = m.to_bytes();
    assert_eq!(&b[..16], b"zkpin/v1/reading");
    assert_eq!(b[100], 0xff);
    assert_eq!(&b[88..96], &(-4i64).to_le_bytes());
    assert_eq!(ReadingMessage::from_bytes(&b), Ok(m));
    let mut bad = b;
    bad[0] = b'Z';
    assert_eq!(ReadingMessage::from_bytes(&bad), Err(EncodingError::InvalidLength));
    let a = ApprovalMessage {
        network: [1; 32],
        maker: [4; 32],
        device: [2; 32],
        bjj_key_hash: [5; 32],
        model_id: 6,
        serial: 7,
        expires_at: -8,
    };
    let b = a.to_bytes();
    assert!(a.matches(&b));
    assert!(!a.matches(&b[..159]));
    for i in [0, 16, 48, 80, 112, 144, 148, 152, 159] {
        let mut bad = b;
        bad[i] ^= 1;
        assert!(!a.matches(&bad), "byte {i}");
    }
    assert_eq!(&b[..16], b"zkpin/v2/approve");
    assert_eq!(&b[148..152], &7u32.to_le_bytes());
    assert_eq!(&b[152..160], &(-8i64).to_le_bytes());
    let c = ClaimMessage { network: [1; 32], device: [2; 32], owner: [3; 32], maker: [4; 32], serial: 7 };
    let b = c.to_bytes();
    assert!(c.matches(&b));
    assert!(!c.matches(&b[..147]));
    for i in [0, 16, 48, 80, 112, 144, 147] {
        let mut bad = b;
        bad[i] ^= 1;
        assert!(!c.matches(&bad), "byte {i}");
    }
    assert_eq!(&b[..16], b"zkpin/v2/onboard");
}

#[test]
fn signed_mapping() {
    let mut r_minus_1 = BN254_R;
    r_minus_1[31] -= 1;
    assert_eq!(field_from_i64(-1), r_minus_1);
    assert_eq!(field_from_i64(5), field_from_u64(5));
    for v in [0i64, 1, -1, 42, -42, i64::MAX, i64::MIN, i64::MIN + 1] {
        assert_eq!(field_to_i64(&field_from_i64(v)), Some(v), "{v}");
        assert!(zkpin_crypto::is_field_element(&field_from_i64(v)));
    }
    assert_eq!(field_to_i64(&field_from_u64(u64::MAX)), None);
    assert_eq!(field_to_i64(&[0x10; 32]), None);
}

#[test]
fn public_input_checks_fields() {
    let (_, r, bjj) = record_cases()[0];
    let p = PublicInputFields::from_record(&NETWORK, &r, &bjj).public_input().unwrap();
    assert!(zkpin_crypto::is_field_element(&p));
    // Each field matters.
    let mut other = r;
    other.score = -r.score;
    assert_ne!(PublicInputFields::from_record(&NETWORK, &other, &bjj).public_input().unwrap(), p);
    let bad = PublicInputFields::from_record(&NETWORK, &r, &BN254_R);
    assert_eq!(bad.public_input(), Err(EncodingError::NotAFieldElement));
    assert_eq!(bjj_key_hash(&BN254_R, &[0; 32]), Err(EncodingError::NotAFieldElement));
}
