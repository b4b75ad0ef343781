import { buildPoseidon } from 'circomlibjs';
import { describe, expect, it } from 'vitest';
import { bjjKeyHashBytes, DeviceEd25519Key, signReading } from '../../src/device-keys.ts';
import {
  babyJub,
  DeviceBabyJubKey,
  generateDeviceKeys,
  verifyBabyJub,
  verifyEd25519,
} from '../../src/node.ts';
import {
  bigIntToBytesBE,
  BN254_R,
  bytesToBigIntBE,
  fieldToSigned,
  signedToField,
  toHex,
} from '../../src/field.ts';
import { decodeReadingMessage, encodeReadingMessage } from '../../src/messages.ts';
import {
  bjjKeyHash,
  keyToFields,
  poseidon,
  publicInput,
  publicInputHeader,
  READING_TAG,
  readingMessageHash,
  saltToField,
} from '../../src/poseidon.ts';
import { inputCommitment, packReadingChunks, readingMessageHashOf } from '../../src/commitment.ts';
import { attestationFields } from '../../src/circuit-input.ts';

describe('field and Poseidon helpers', () => {
  it('maps signed integers to the field and back', () => {
    expect(signedToField(-1)).toBe(BN254_R - 1n);
    expect(signedToField(5n)).toBe(5n);
    expect(fieldToSigned(BN254_R - 128n)).toBe(-128n);
  });

  it("poseidon-lite agrees with circomlibjs Poseidon at the contract's arities; others are refused", async () => {
    const ref = await buildPoseidon();
    for (const n of [2, 5, 9]) {
      const inputs = Array.from({ length: n }, (_, i) => BigInt(i * 7919 + n) * 1_000_000_007n);
      expect(poseidon(inputs), `arity ${n}`).toBe(ref.F.toObject(ref(inputs)));
    }
    for (const n of [0, 1, 3, 11, 16])
      expect(() => poseidon(Array(n).fill(1n))).toThrow(/2, 5 or 9/);
  });

  it('packs readings as their two-complement bytes, big-endian, 31 per chunk', () => {
    const r = [-128, -1, 0, 1, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
    expect(packReadingChunks(r)).toEqual([0x80ff00017f0000000000000000000002n]);
    expect(() => packReadingChunks([...r.slice(1), 200])).toThrow(RangeError);
    expect(() => packReadingChunks([])).toThrow(/1 to 465 readings/);
    // 31 bytes fill a chunk (248 bits); the 32nd reading starts the next one.
    const r32 = Array.from({ length: 32 }, (_, i) => i - 1);
    const [c0, c1] = packReadingChunks(r32);
    expect(c0).toBe(
      BigInt(
        '0xff' + Array.from({ length: 30 }, (_, i) => i.toString(16).padStart(2, '0')).join(''),
      ),
    );
    expect(c1).toBe(30n);
    expect(c0! < 1n << 248n).toBe(true);
    expect(packReadingChunks(new Array<number>(465).fill(-1))).toHaveLength(15);
    expect(packReadingChunks(new Array<number>(465).fill(-1))[14]).toBe((1n << 248n) - 1n);
  });

  it('reduces the salt mod r and commits with Poseidon(chunks..., salt), circomlibjs at every arity', async () => {
    const salt = new Uint8Array(32).fill(0xff);
    expect(saltToField(salt)).toBe(bytesToBigIntBE(salt) % BN254_R);
    const r = new Array<number>(16).fill(3);
    expect(inputCommitment(r, salt)).toBe(poseidon([packReadingChunks(r)[0]!, saltToField(salt)]));
    expect(inputCommitment(r, salt)).not.toBe(inputCommitment(r, new Uint8Array(32)));
    const ref = await buildPoseidon();
    for (const n of [1, 31, 32, 48, 62, 63, 100, 434, 465]) {
      const w = Array.from({ length: n }, (_, i) => ((i * 29) % 256) - 128);
      const expected = ref.F.toObject(ref([...packReadingChunks(w), saltToField(salt)]));
      expect(inputCommitment(w, salt), `n = ${n}`).toBe(expected);
    }
  });

  it('splits a 32-byte key into two 128-bit big-endian halves', () => {
    const k = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    expect(keyToFields(k)).toEqual([
      0x0102030405060708090a0b0c0d0e0f10n,
      0x1112131415161718191a1b1c1d1e1f20n,
    ]);
    expect(keyToFields(new Uint8Array(32).fill(0xff))).toEqual([
      (1n << 128n) - 1n,
      (1n << 128n) - 1n,
    ]);
    expect(() => keyToFields(new Uint8Array(31))).toThrow(/32 bytes/);
    // Injective where `uint256 mod r` is not: k and k + r reduce to the same field element.
    const plusR = bigIntToBytesBE(bytesToBigIntBE(k) + BN254_R, 32);
    expect(bytesToBigIntBE(plusR) % BN254_R).toBe(bytesToBigIntBE(k) % BN254_R);
    expect(keyToFields(plusR)).not.toEqual(keyToFields(k));
  });

  it('msg = Poseidon(tag, network_hi, network_lo, device_hi, device_lo, commitment, seq, timestamp, model_id)', () => {
    expect(READING_TAG).toBe(bytesToBigIntBE(new TextEncoder().encode('zkpin/v3/reading')));
    expect(READING_TAG).toBe(162723671232556364812677831920045354599n);
    const network = Uint8Array.from({ length: 32 }, (_, i) => 0xf0 - i);
    const device = Uint8Array.from({ length: 32 }, (_, i) => i);
    const base = { network, device, inputCommitment: 5n, seq: 3n, timestamp: -4n, modelId: 2 };
    expect(readingMessageHash(base)).toBe(
      poseidon([
        READING_TAG,
        ...keyToFields(network),
        ...keyToFields(device),
        5n,
        3n,
        BN254_R - 4n,
        2n,
      ]),
    );
    const other = new Uint8Array(network);
    other[31]! ^= 1;
    expect(readingMessageHash({ ...base, network: other })).not.toBe(readingMessageHash(base));
    expect(readingMessageHash({ ...base, device: other })).not.toBe(readingMessageHash(base));
    // the two keys have fixed positions
    expect(readingMessageHash({ ...base, network: device, device: network })).not.toBe(
      readingMessageHash(base),
    );
  });

  it('P = Poseidon of the packed header, depends on every field and offsets negative score/timestamp', () => {
    const network = new Uint8Array(32).fill(0xab);
    const device = new Uint8Array(32).fill(0xcd);
    const base = {
      network,
      device,
      bjjKeyHash: 1n,
      modelId: 2,
      seq: 3n,
      timestamp: -4n,
      inputCommitment: 5n,
      class: 1,
      score: -6n,
    };
    const p = publicInput(base);
    // header = network || device || 00000002 || seq 3 || 2^63 - 4 || 01 || 2^63 - 6
    const tail = '00000002' + '0000000000000003' + '7ffffffffffffffc' + '01' + '7ffffffffffffffa';
    const header = toHex(network) + toHex(device) + tail;
    const k = [0, 1, 2].map((j) => BigInt('0x' + header.slice(62 * j, 62 * (j + 1))));
    expect(toHex(publicInputHeader(base))).toBe(header);
    expect(p).toBe(poseidon([...k, 1n, 5n]));
    for (const k of Object.keys(base) as (keyof typeof base)[]) {
      const v = base[k];
      const changed = {
        ...base,
        [k]:
          v instanceof Uint8Array
            ? v.map((b, i) => (i === 0 ? b ^ 1 : b))
            : typeof v === 'bigint'
              ? v + 1n
              : v + 1,
      };
      expect(publicInput(changed), k).not.toBe(p);
    }
    expect(() => publicInput({ ...base, class: 256 })).toThrow(/u8/);
    expect(() => publicInput({ ...base, network: new Uint8Array(33) })).toThrow(/32 bytes/);
  });
});

describe('device keys', () => {
  it('ed25519: deterministic from a seed, verifies with node:crypto', () => {
    const k = new DeviceEd25519Key(new Uint8Array(32).fill(7));
    expect(new DeviceEd25519Key(new Uint8Array(32).fill(7)).publicKey).toEqual(k.publicKey);
    const msg = new TextEncoder().encode('hello');
    const sig = k.sign(msg);
    expect(verifyEd25519(k.publicKey, msg, sig)).toBe(true);
    sig[3]! ^= 0x40;
    expect(verifyEd25519(k.publicKey, msg, sig)).toBe(false);
  });

  it('BabyJubJub EdDSA-Poseidon: sign, verify, reject a different message or key', async () => {
    const k = await DeviceBabyJubKey.create(new Uint8Array(32).fill(9));
    const other = await DeviceBabyJubKey.create(new Uint8Array(32).fill(10));
    const sig = k.signField(12345n);
    expect(await verifyBabyJub(k.publicKey, 12345n, sig)).toBe(true);
    expect(await verifyBabyJub(k.publicKey, 12346n, sig)).toBe(false);
    expect(await verifyBabyJub(other.publicKey, 12345n, sig)).toBe(false);
    expect(k.keyHash).toBe(bjjKeyHash(k.publicKey.ax, k.publicKey.ay));
    expect(bytesToBigIntBE(bjjKeyHashBytes(k.publicKey))).toBe(k.keyHash);
  });

  it('BabyJubJub: a key of small order is refused, as the circuit refuses it (it would verify any message)', async () => {
    const eddsa = await babyJub();
    const { F } = eddsa.babyJub;
    // (0, -1) has order 2: 8·h·A vanishes, so R8 = S·B8 "signs" every message for it
    const weak = { ax: 0n, ay: BN254_R - 1n };
    const s = 123456789n;
    const r8 = eddsa.babyJub.mulPointEscalar(eddsa.babyJub.Base8, s);
    const forged = { r8x: F.toObject(r8[0]), r8y: F.toObject(r8[1]), s };
    const asCircomlibjs = (msg: bigint) =>
      eddsa.verifyPoseidon(F.e(msg), { R8: r8, S: s }, [F.e(weak.ax), F.e(weak.ay)]);
    expect(asCircomlibjs(1n) && asCircomlibjs(2n)).toBe(true); // circomlibjs alone is fooled
    expect(await verifyBabyJub(weak, 1n, forged)).toBe(false);
    expect(await verifyBabyJub(weak, 2n, forged)).toBe(false);
    // a proper key still verifies
    const k = await DeviceBabyJubKey.create(new Uint8Array(32).fill(9));
    const sig = k.signField(7n);
    expect(await verifyBabyJub(k.publicKey, 7n, sig)).toBe(true);
  });

  it('signReading: EdDSA-Poseidon over msg, then ed25519 over the 308 bytes that carry that signature', async () => {
    const keys = await generateDeviceKeys();
    const network = new Uint8Array(32).fill(0x4e);
    const r = signReading(keys, {
      network,
      seq: 9n,
      timestamp: 1000n,
      modelId: 1,
      readings: new Array<number>(16).fill(-3),
      salt: new Uint8Array(32).fill(1),
    });
    expect(r.device).toEqual(keys.ed25519.publicKey);
    expect(r.bjjPublicKey).toEqual(keys.babyJub.publicKey);
    const bytes = encodeReadingMessage(r);
    expect(verifyEd25519(r.device, bytes, r.ed25519Signature)).toBe(true);
    // the ed25519 signature covers the BabyJubJub key and signature
    expect(decodeReadingMessage(bytes).bjjSignature).toEqual(r.bjjSignature);
    const swapped = { ...r, bjjSignature: { ...r.bjjSignature, s: r.bjjSignature.s ^ 1n } };
    expect(verifyEd25519(r.device, encodeReadingMessage(swapped), r.ed25519Signature)).toBe(false);
    const msg = readingMessageHash({
      network,
      device: keys.ed25519.publicKey,
      inputCommitment: inputCommitment(r.readings, r.salt),
      seq: 9n,
      timestamp: 1000n,
      modelId: 1,
    });
    expect(readingMessageHashOf(r)).toBe(msg);
    expect(await verifyBabyJub(r.bjjPublicKey, msg, r.bjjSignature)).toBe(true);
  });

  it('a reading signed for network A does not verify, nor give the same P, as network B', async () => {
    const keys = await generateDeviceKeys({ babyJub: new Uint8Array(32).fill(0x21) });
    const a = signReading(keys, {
      network: new Uint8Array(32).fill(0xaa),
      seq: 1n,
      timestamp: 1_767_225_600n,
      modelId: 1,
      readings: new Array<number>(16).fill(4),
      salt: new Uint8Array(32).fill(2),
    });
    const asB = { ...a, network: new Uint8Array(32).fill(0xbb) };
    expect(await verifyBabyJub(a.bjjPublicKey, readingMessageHashOf(a), a.bjjSignature)).toBe(true);
    expect(await verifyBabyJub(asB.bjjPublicKey, readingMessageHashOf(asB), asB.bjjSignature)).toBe(
      false,
    );
    expect(verifyEd25519(asB.device, encodeReadingMessage(asB), asB.ed25519Signature)).toBe(false);
    const result = { class: 0, score: 10n };
    expect(publicInput(attestationFields(asB, result))).not.toBe(
      publicInput(attestationFields(a, result)),
    );
    // the same holds for another device key carrying the same BabyJubJub signature
    const otherDevice = {
      ...a,
      device: new DeviceEd25519Key(new Uint8Array(32).fill(3)).publicKey,
    };
    expect(
      await verifyBabyJub(a.bjjPublicKey, readingMessageHashOf(otherDevice), a.bjjSignature),
    ).toBe(false);
  });
});
