extern crate std;

use super::*;
use serde_json::{json, Value};
use std::string::{String, ToString};
use std::vec::Vec;

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

fn l_minus(k: u8) -> [u8; 32] {
    let mut v = BABYJUB_L;
    v[31] -= k;
    v
}

fn window(values: &[i8]) -> Readings {
    Readings::new(values).unwrap()
}

/// Deterministic readings covering the whole int8 range: `n` values.
fn readings_of(n: usize, tag: u64) -> Readings {
    let v: Vec<i8> = (0..n).map(|i| bytes32("reading", tag + i as u64)[0] as i8).collect();
    window(&v)
}

/// The signed bytes of `m` as a vector.
fn bytes_of(m: &ReadingMessage) -> Vec<u8> {
    let (b, len) = m.to_bytes();
    b[..len].to_vec()
}

/// A reading message (window 16) with deterministic, canonical BabyJubJub values.
fn reading_message() -> ReadingMessage {
    ReadingMessage {
        network: bytes32("network", 0),
        device: bytes32("device", 0),
        seq: 1,
        timestamp: 1_767_225_600,
        model_id: 1,
        readings: window(&[0, 1, -1, 127, -128, 5, -5, 10, 20, 30, -30, 64, -64, 100, -100, 3]),
        salt: bytes32("salt", 1),
        bjj_ax: dec(BASE8_X),
        bjj_ay: dec(BASE8_Y),
        bjj_r8x: fe("r8x", 1),
        bjj_r8y: fe("r8y", 1),
        bjj_s: fe("s", 1).map(|b| b & 0x05),
    }
}

/// (network, record, bjj_key_hash) cases; `record.public_input` is P of those.
fn record_cases() -> Vec<(&'static str, [u8; 32], RecordLeafV0, [u8; 32])> {
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
    let network = bytes32("network", 0);
    let cases = std::vec![
        ("typical", network, base, bjj),
        ("negative score", network, RecordLeafV0 { seq: 2, score: -42, class: 0, ..base }, bjj),
        ("negative timestamp", network, RecordLeafV0 { seq: 3, timestamp: -1, ..base }, bjj),
        (
            "zero values",
            [0; 32],
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
            [0xff; 32],
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
            network,
            RecordLeafV0 { timestamp: i64::MIN, score: i64::MIN, seq: 9, ..base },
            fe("bjj", 9),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, network, mut r, bjj)| {
            r.public_input =
                PublicInputFields::from_record(&network, &r, &bjj).public_input().unwrap();
            (name, network, r, bjj)
        })
        .collect()
}

/// Reading messages that decoders must refuse, with the reason and the Rust error.
fn non_canonical_readings() -> Vec<(&'static str, Vec<u8>, EncodingError)> {
    let good = bytes_of(&reading_message());
    // Offsets for window 16: salt at 118, ax 150, ay 182, r8x 214, r8y 246, s 278.
    let with = |at: usize, v: [u8; 32]| {
        let mut b = good.clone();
        b[at..at + 32].copy_from_slice(&v);
        b
    };
    let tagged = |tag: &[u8; 16]| {
        let mut b = good.clone();
        b[..16].copy_from_slice(tag);
        b
    };
    let with_n = |n: u16| {
        let mut b = good.clone();
        b[100..102].copy_from_slice(&n.to_le_bytes());
        b
    };
    // A well-formed v2 message (16 readings, 308 bytes): the retired format.
    let mut v2 = std::vec![0u8; 308];
    v2[..16].copy_from_slice(READING_DOMAIN_V2);
    v2[16..100].copy_from_slice(&good[16..100]);
    v2[100..116].copy_from_slice(&good[102..118]);
    v2[116..308].copy_from_slice(&good[118..310]);
    let mut longest =
        bytes_of(&ReadingMessage { readings: readings_of(MAX_WINDOW, 0), ..reading_message() });
    longest[100..102].copy_from_slice(&(MAX_WINDOW as u16 + 1).to_le_bytes());
    longest.push(0);
    std::vec![
        ("ax = r", with(150, BN254_R), EncodingError::NotAFieldElement),
        ("ay = 2^256 - 1", with(182, [0xff; 32]), EncodingError::NotAFieldElement),
        (
            "r8x = r + 1",
            with(214, {
                let mut r = BN254_R;
                r[31] += 1;
                r
            }),
            EncodingError::NotAFieldElement
        ),
        ("r8y = r", with(246, BN254_R), EncodingError::NotAFieldElement),
        ("s = l", with(278, BABYJUB_L), EncodingError::NotASubgroupScalar),
        ("s = r - 1 (< r but >= l)", with(278, r_minus(1)), EncodingError::NotASubgroupScalar),
        ("v2 message (retired format)", v2, EncodingError::RetiredReadingVersion),
        (
            "v2 domain tag on a v3 layout",
            tagged(READING_DOMAIN_V2),
            EncodingError::RetiredReadingVersion
        ),
        ("v1 domain tag", tagged(b"zkpin/v1/reading"), EncodingError::UnknownDomain),
        ("n = 0", with_n(0), EncodingError::InvalidWindow),
        ("n = MAX_WINDOW + 1 (466)", longest, EncodingError::InvalidWindow),
        ("n = 17 with 16 readings", with_n(17), EncodingError::InvalidLength),
        ("n = 15 with 16 readings", with_n(15), EncodingError::InvalidLength),
        ("one byte short", good[..good.len() - 1].to_vec(), EncodingError::InvalidLength),
        ("one byte extra", [&good[..], &[0]].concat(), EncodingError::InvalidLength),
        ("tag only", good[..16].to_vec(), EncodingError::InvalidLength),
    ]
}

/// The golden reading messages: windows 16 (the reference model), 1, 31, 32, 48 (the
/// vibration model) and MAX_WINDOW, extreme values included.
fn reading_cases() -> Vec<(&'static str, ReadingMessage)> {
    let base = reading_message();
    std::vec![
        ("window 16", base),
        (
            "window 16, extreme values",
            ReadingMessage {
                network: [0xff; 32],
                device: [0xee; 32],
                seq: u64::MAX,
                timestamp: -86_400,
                model_id: u32::MAX,
                readings: window(&[-128; 16]),
                salt: [0; 32],
                bjj_ax: r_minus(1),
                bjj_ay: [0; 32],
                bjj_r8x: r_minus(1),
                bjj_r8y: field_from_u64(1),
                bjj_s: l_minus(1),
            },
        ),
        ("window 1", ReadingMessage { readings: window(&[127]), seq: 2, ..base }),
        ("window 31 (one full chunk)", ReadingMessage { readings: readings_of(31, 100), ..base }),
        ("window 32 (two chunks)", ReadingMessage { readings: readings_of(32, 200), ..base }),
        (
            "window 48 (model 2)",
            ReadingMessage { model_id: 2, readings: readings_of(48, 300), ..base },
        ),
        (
            "window 465 (MAX_WINDOW)",
            ReadingMessage { model_id: 7, readings: readings_of(MAX_WINDOW, 400), ..base },
        ),
    ]
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
        .map(|(name, network, r, bjj)| {
            let fields = PublicInputFields::from_record(network, r, bjj);
            let mut inputs = [[0u8; 32]; PUBLIC_INPUT_FIELDS];
            fields.write_field_inputs(&mut inputs).unwrap();
            json!({
                "name": name,
                "network": h(network),
                "device": h(&r.device),
                "model_id": r.model_id,
                "seq": r.seq.to_string(),
                "timestamp": r.timestamp.to_string(),
                "input_commitment": h(&r.input_commitment),
                "class": r.class,
                "score": r.score.to_string(),
                "bjj_key_hash": h(bjj),
                "public_input_header": h(&fields.as_refs().header()),
                "public_input_field_inputs": inputs.iter().map(|i| h(i)).collect::<Vec<_>>(),
                "public_input": h(&r.public_input),
                "bytes": h(&r.to_bytes()),
                "leaf_hash": h(&r.hash()),
            })
        })
        .collect();
    let readings: Vec<Value> = reading_cases()
        .iter()
        .map(|(name, m)| {
            json!({
                "name": name,
                "network": h(&m.network),
                "device": h(&m.device),
                "seq": m.seq.to_string(),
                "timestamp": m.timestamp.to_string(),
                "model_id": m.model_id,
                "n": m.readings.len(),
                "readings": m.readings.to_vec(),
                "salt": h(&m.salt),
                "bjj_ax": h(&m.bjj_ax),
                "bjj_ay": h(&m.bjj_ay),
                "bjj_r8x": h(&m.bjj_r8x),
                "bjj_r8y": h(&m.bjj_r8y),
                "bjj_s": h(&m.bjj_s),
                "bytes": h(&bytes_of(m)),
            })
        })
        .collect();
    let rejected: Vec<Value> = non_canonical_readings()
        .iter()
        .map(|(why, bytes, err)| {
            json!({ "why": why, "bytes": h(bytes), "error": std::format!("{err:?}") })
        })
        .collect();
    let keys: Vec<Value> = [bytes32("network", 0), [0xff; 32], [0; 32]]
        .iter()
        .map(|k| {
            let (mut hi, mut lo) = ([0u8; 32], [0u8; 32]);
            write_key_fields(k, &mut hi, &mut lo);
            json!({ "key": h(k), "hi": h(&hi), "lo": h(&lo) })
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
        "max_window": MAX_WINDOW,
        "babyjub_subgroup_order": h(&BABYJUB_L),
        "signed_to_field": signed,
        "bjj_key_hash": bjj,
        "device_leaves": devices,
        "record_leaves": records,
        "reading_messages": readings,
        "non_canonical_reading_messages": rejected,
        "key_fields": keys,
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
fn readings_hold_one_to_max_window_values() {
    assert_eq!(Readings::new(&[]), Err(EncodingError::InvalidWindow));
    assert_eq!(Readings::new(&[0; MAX_WINDOW + 1]), Err(EncodingError::InvalidWindow));
    let r = Readings::new(&[1, -2, 3]).unwrap();
    assert_eq!((r.len(), &r[..]), (3, &[1i8, -2, 3][..]));
    // Equality looks at the window only.
    assert_ne!(r, Readings::new(&[1, -2, 3, 0]).unwrap());
    assert_eq!(Readings::new(&[0; MAX_WINDOW]).unwrap().len(), MAX_WINDOW);
    assert_eq!(MAX_WINDOW, 15 * READINGS_PER_CHUNK);
}

fn hex32(v: &Value) -> [u8; 32] {
    hex::decode(v.as_str().unwrap()).unwrap().try_into().unwrap()
}

/// The committed golden file's reading messages (whoever wrote them) decode to their
/// fields and re-encode to their bytes; its refused messages are refused for their reason.
#[test]
fn reading_message_vectors_in_the_committed_file() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/encodings.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = file["reading_messages"].as_array().unwrap();
    assert!(cases.len() >= 2);
    let mut windows = std::collections::BTreeSet::new();
    for c in cases {
        let bytes = hex::decode(c["bytes"].as_str().unwrap()).unwrap();
        let readings: Vec<i8> = c["readings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| i8::try_from(v.as_i64().unwrap()).unwrap())
            .collect();
        let n = c["n"].as_u64().unwrap() as usize;
        assert_eq!(n, readings.len(), "{}", c["name"]);
        windows.insert(n);
        let m = ReadingMessage {
            network: hex32(&c["network"]),
            device: hex32(&c["device"]),
            seq: c["seq"].as_str().unwrap().parse().unwrap(),
            timestamp: c["timestamp"].as_str().unwrap().parse().unwrap(),
            model_id: c["model_id"].as_u64().unwrap() as u32,
            readings: window(&readings),
            salt: hex32(&c["salt"]),
            bjj_ax: hex32(&c["bjj_ax"]),
            bjj_ay: hex32(&c["bjj_ay"]),
            bjj_r8x: hex32(&c["bjj_r8x"]),
            bjj_r8y: hex32(&c["bjj_r8y"]),
            bjj_s: hex32(&c["bjj_s"]),
        };
        assert_eq!(bytes.len(), 294 + n, "{}", c["name"]);
        assert_eq!(bytes_of(&m), bytes, "{}", c["name"]);
        assert_eq!(ReadingMessage::from_bytes(&bytes), Ok(m), "{}", c["name"]);
    }
    // More than one window size, so a decoder fixed at 16 readings fails.
    assert!(windows.len() > 1 && windows.contains(&16), "{windows:?}");
    for c in file["non_canonical_reading_messages"].as_array().unwrap() {
        let bytes = hex::decode(c["bytes"].as_str().unwrap()).unwrap();
        let err = ReadingMessage::from_bytes(&bytes).unwrap_err();
        assert_eq!(std::format!("{err:?}"), c["error"].as_str().unwrap(), "{}", c["why"]);
    }
}

#[test]
fn leaf_round_trips_and_sizes() {
    for (_, d) in device_cases() {
        let b = d.to_bytes();
        assert_eq!(DeviceLeafV0::from_bytes(&b), Ok(d));
        assert_eq!(d.hash(), zkpin_crypto::keccak256(&[&b]));
    }
    for (_, _, r, _) in record_cases() {
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
    let (_, _, r, _) = record_cases()[1];
    let b = r.to_bytes();
    assert_eq!(&b[85..93], &(-42i64).to_le_bytes());
    assert_eq!(b[84], 0);
    let m = ReadingMessage {
        network: [1; 32],
        device: [2; 32],
        seq: 3,
        timestamp: -4,
        model_id: 5,
        readings: window(&[-1; 16]),
        salt: [6; 32],
        bjj_ax: [7; 32],
        bjj_ay: [8; 32],
        bjj_r8x: [9; 32],
        bjj_r8y: [10; 32],
        bjj_s: [0x05; 32],
    };
    let b = bytes_of(&m);
    assert_eq!(b.len(), 310);
    assert_eq!(m.size(), 310);
    assert_eq!(&b[..16], b"zkpin/v3/reading");
    assert_eq!(&b[88..96], &(-4i64).to_le_bytes());
    assert_eq!(&b[96..100], &5u32.to_le_bytes());
    assert_eq!(&b[100..102], &16u16.to_le_bytes());
    assert_eq!(&b[102..118], &[0xff; 16]);
    assert_eq!(&b[118..150], &[6; 32]);
    assert_eq!(&b[150..182], &[7; 32]);
    assert_eq!(&b[246..278], &[10; 32]);
    assert_eq!(&b[278..310], &[0x05; 32]);
    assert_eq!(ReadingMessage::from_bytes(&b), Ok(m));
    assert_eq!(ReadingMessage::from_bytes(&b[..309]), Err(EncodingError::InvalidLength));
    let mut bad = b.clone();
    bad[0] = b'Z';
    assert_eq!(ReadingMessage::from_bytes(&bad), Err(EncodingError::UnknownDomain));
    // Sizes: 294 + n; the readings end where the salt starts, for any n.
    for n in [1, 2, 16, 31, 32, 48, 255, 256, 464, MAX_WINDOW] {
        let m = ReadingMessage { readings: readings_of(n, 7), ..m };
        let b = bytes_of(&m);
        assert_eq!(b.len(), 294 + n);
        assert_eq!(reading_message_size(n), 294 + n);
        assert_eq!(&b[100..102], &(n as u16).to_le_bytes());
        assert_eq!(&b[102 + n..134 + n], &[6; 32]);
        assert_eq!(ReadingMessage::from_bytes(&b), Ok(m));
    }
    assert_eq!(READING_MESSAGE_MAX_SIZE, 759);
    // A buffer too small for the window is refused.
    assert_eq!(m.write_bytes(&mut [0u8; 309]), Err(EncodingError::InvalidLength));
    assert_eq!(m.write_bytes(&mut [0u8; 400]), Ok(310));
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
    let c = ClaimMessage {
        network: [1; 32],
        device: [2; 32],
        owner: [3; 32],
        maker: [4; 32],
        serial: 7,
    };
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
fn reading_message_refuses_non_canonical_values() {
    for (why, bytes, err) in non_canonical_readings() {
        assert_eq!(ReadingMessage::from_bytes(&bytes), Err(err), "{why}");
    }
    // The largest canonical values are accepted (and the constants are r and l).
    let mut m = reading_message();
    m.bjj_ax = r_minus(1);
    m.bjj_r8y = r_minus(1);
    m.bjj_s = l_minus(1);
    assert_eq!(ReadingMessage::from_bytes(&bytes_of(&m)), Ok(m));
    assert_eq!(
        BABYJUB_L,
        dec("2736030358979909402780800718157159386076813972158567259200215660948447373041")
    );
    assert_eq!(
        BN254_R,
        dec("21888242871839275222246405745257275088548364400416034343698204186575808495617")
    );
    m.bjj_s = BABYJUB_L;
    assert_eq!(m.check_canonical(), Err(EncodingError::NotASubgroupScalar));
}

#[test]
fn keys_split_into_128_bit_halves() {
    let k: [u8; 32] = core::array::from_fn(|i| i as u8 + 1);
    let (mut hi, mut lo) = ([0xaa; 32], [0xaa; 32]);
    write_key_fields(&k, &mut hi, &mut lo);
    assert_eq!(&hi[..16], &[0; 16]);
    assert_eq!(&hi[16..], &k[..16]);
    assert_eq!(&lo[..16], &[0; 16]);
    assert_eq!(&lo[16..], &k[16..]);
    // Keys that agree mod r (k and k + r as 256-bit integers) still give different halves.
    let mut plus_r = [0u8; 32];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let v = k[i] as u16 + BN254_R[i] as u16 + carry;
        plus_r[i] = v as u8;
        carry = v >> 8;
    }
    let (mut hi2, mut lo2) = ([0; 32], [0; 32]);
    write_key_fields(&plus_r, &mut hi2, &mut lo2);
    assert!((hi, lo) != (hi2, lo2));
}

/// The header's integers: fixed offsets, big-endian, signed ones offset by 2^63, so that no
/// two field tuples share a header (a value cannot spill into its neighbour).
#[test]
fn public_input_header_layout() {
    let (_, network, r, bjj) = record_cases()[0];
    let f = PublicInputFields {
        model_id: 0x0102_0304,
        seq: 0x1112_1314_1516_1718,
        timestamp: -1,
        class: 0xab,
        score: i64::MIN,
        ..PublicInputFields::from_record(&network, &r, &bjj)
    };
    let h = f.as_refs().header();
    assert_eq!(h.len(), PUBLIC_INPUT_HEADER_LEN);
    assert_eq!(h.len(), 3 * PUBLIC_INPUT_CHUNK);
    assert_eq!(&h[64..68], &[1, 2, 3, 4]);
    assert_eq!(&h[68..76], &0x1112_1314_1516_1718u64.to_be_bytes());
    assert_eq!(&h[76..84], &[0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assert_eq!(h[84], 0xab);
    assert_eq!(&h[85..93], &[0; 8]);
    assert_eq!(offset_i64(0), 1 << 63);
    assert_eq!(offset_i64(i64::MAX), u64::MAX);
    assert!(offset_i64(-5) < offset_i64(-4));
    // Moving a unit between neighbouring fields changes P.
    let p = f.public_input().unwrap();
    let shifted = PublicInputFields { class: 0xaa, score: i64::MIN, ..f };
    assert_ne!(shifted.public_input().unwrap(), p);
    let shifted = PublicInputFields { timestamp: 0, ..f };
    assert_ne!(shifted.public_input().unwrap(), p);
}

#[test]
fn public_input_checks_fields() {
    let (_, network, r, bjj) = record_cases()[0];
    let fields = PublicInputFields::from_record(&network, &r, &bjj);
    let p = fields.public_input().unwrap();
    assert!(zkpin_crypto::is_field_element(&p));
    assert_eq!(fields.device, r.device);
    // Each field matters, the network and the device included.
    let mut other = r;
    other.score = -r.score;
    assert_ne!(PublicInputFields::from_record(&network, &other, &bjj).public_input().unwrap(), p);
    let other_network = bytes32("network", 1);
    assert_ne!(PublicInputFields::from_record(&other_network, &r, &bjj).public_input().unwrap(), p);
    let mut other = r;
    other.device[31] ^= 1;
    assert_ne!(PublicInputFields::from_record(&network, &other, &bjj).public_input().unwrap(), p);
    // Swapping the network and the device keys changes P (their positions are fixed).
    let swapped = PublicInputFields { network: r.device, device: network, ..fields };
    assert_ne!(swapped.public_input().unwrap(), p);
    let mut inputs = [[0u8; 32]; PUBLIC_INPUT_FIELDS];
    fields.write_field_inputs(&mut inputs).unwrap();
    // k0 || k1 || k2 is the header, 31 bytes each after a zero byte.
    let header = fields.as_refs().header();
    assert_eq!(&header[..32], &network);
    assert_eq!(&header[32..64], &r.device);
    for (k, chunk) in inputs[..3].iter().zip(header.chunks(PUBLIC_INPUT_CHUNK)) {
        assert_eq!(k[0], 0);
        assert_eq!(&k[1..], chunk);
    }
    assert_eq!(inputs[3], bjj);
    assert_eq!(inputs[4], r.input_commitment);
    let bad = PublicInputFields::from_record(&network, &r, &BN254_R);
    assert_eq!(bad.public_input(), Err(EncodingError::NotAFieldElement));
    let mut bad = r;
    bad.input_commitment = BN254_R;
    let bad = PublicInputFields::from_record(&network, &bad, &bjj);
    assert_eq!(bad.public_input(), Err(EncodingError::NotAFieldElement));
    assert_eq!(bjj_key_hash(&BN254_R, &[0; 32]), Err(EncodingError::NotAFieldElement));
}
