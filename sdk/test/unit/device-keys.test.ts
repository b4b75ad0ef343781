import { buildPoseidon } from 'circomlibjs';
import { describe, expect, it } from 'vitest';
import {
  bjjKeyHashBytes,
  DeviceBabyJubKey,
  DeviceEd25519Key,
  generateDeviceKeys,
  signReading,
  verifyBabyJub,
  verifyEd25519,
} from '../../src/device-keys.ts';
import { BN254_R, bytesToBigIntBE, fieldToSigned, signedToField } from '../../src/field.ts';
import { encodeReadingMessage } from '../../src/messages.ts';
import {
  bjjKeyHash,
  inputCommitment,
  packReadings,
  poseidon,
  publicInput,
  readingMessageHash,
  saltToField,
} from '../../src/poseidon.ts';

describe('field and Poseidon helpers', () => {
  it('maps signed integers to the field and back', () => {
    expect(signedToField(-1)).toBe(BN254_R - 1n);
    expect(signedToField(5n)).toBe(5n);
    expect(fieldToSigned(BN254_R - 128n)).toBe(-128n);
  });

  it('poseidon-lite agrees with circomlibjs Poseidon for 1..16 inputs', async () => {
    const ref = await buildPoseidon();
    for (let n = 1; n <= 16; n++) {
      const inputs = Array.from({ length: n }, (_, i) => BigInt(i * 7919 + n) * 1_000_000_007n);
      expect(poseidon(inputs), `arity ${n}`).toBe(ref.F.toObject(ref(inputs)));
    }
  });

  it('packs readings as their two-complement bytes, big-endian', () => {
    const r = [-128, -1, 0, 1, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
    expect(packReadings(r)).toBe(0x80ff00017f0000000000000000000002n);
    expect(() => packReadings([...r.slice(1), 200])).toThrow(RangeError);
  });

  it('reduces the salt mod r and commits with Poseidon(packed, salt)', () => {
    const salt = new Uint8Array(32).fill(0xff);
    expect(saltToField(salt)).toBe(bytesToBigIntBE(salt) % BN254_R);
    const r = new Array<number>(16).fill(3);
    expect(inputCommitment(r, salt)).toBe(poseidon([packReadings(r), saltToField(salt)]));
    expect(inputCommitment(r, salt)).not.toBe(inputCommitment(r, new Uint8Array(32)));
  });

  it('P depends on every field and maps negative score/timestamp into the field', () => {
    const base = {
      bjjKeyHash: 1n,
      modelId: 2,
      seq: 3n,
      timestamp: -4n,
      inputCommitment: 5n,
      class: 1,
      score: -6n,
    };
    const p = publicInput(base);
    expect(p).toBe(poseidon([1n, 2n, 3n, BN254_R - 4n, 5n, 1n, BN254_R - 6n]));
    for (const k of Object.keys(base) as (keyof typeof base)[]) {
      const v = base[k];
      const changed = { ...base, [k]: typeof v === 'bigint' ? v + 1n : v + 1 };
      expect(publicInput(changed), k).not.toBe(p);
    }
    expect(() => publicInput({ ...base, class: 256 })).toThrow(/u8/);
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

  it('signReading signs the canonical bytes and msg = Poseidon(commitment, seq, timestamp, model_id)', async () => {
    const keys = await generateDeviceKeys();
    const r = signReading(keys, {
      network: new Uint8Array(32),
      seq: 9n,
      timestamp: 1000n,
      modelId: 1,
      readings: new Array<number>(16).fill(-3),
      salt: new Uint8Array(32).fill(1),
    });
    expect(r.device).toEqual(keys.ed25519.publicKey);
    expect(verifyEd25519(r.device, encodeReadingMessage(r), r.ed25519Signature)).toBe(true);
    const msg = readingMessageHash({
      inputCommitment: inputCommitment(r.readings, r.salt),
      seq: 9n,
      timestamp: 1000n,
      modelId: 1,
    });
    expect(await verifyBabyJub(r.bjjPublicKey, msg, r.bjjSignature)).toBe(true);
  });
});

describe('SignedReading JSON', () => {
  it('round-trips and rejects malformed fields', async () => {
    const { signedReadingFromJson, signedReadingToJson } =
      await import('../../src/signed-reading-json.ts');
    const keys = await generateDeviceKeys();
    const r = signReading(keys, {
      network: new Uint8Array(32).fill(2),
      seq: 18446744073709551615n,
      timestamp: -1n,
      modelId: 1,
      readings: Array.from({ length: 16 }, (_, i) => i - 8),
      salt: new Uint8Array(32).fill(3),
    });
    const json = JSON.parse(JSON.stringify(signedReadingToJson(r))) as unknown;
    expect(signedReadingFromJson(json)).toEqual(r);
    expect(() => signedReadingFromJson({ ...(json as object), salt: 'zz' })).toThrow(/salt/);
    expect(() => signedReadingFromJson({ ...(json as object), seq: 5 })).toThrow(/seq/);
  });
});
