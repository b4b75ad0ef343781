import { describe, expect, it } from 'vitest';
import { BABYJUB_L, BN254_R, bigIntToBytesBE, toHex } from '../../src/field.ts';
import {
  decodeReadingMessage,
  encodeReadingMessage,
  READING_DOMAIN,
  READING_MESSAGE_BYTES,
  type ReadingMessage,
} from '../../src/messages.ts';
import {
  APPROVAL_MESSAGE_BYTES,
  CLAIM_MESSAGE_BYTES,
  encodeApprovalMessage,
  encodeClaimMessage,
} from '../../src/onboarding.ts';

const fill = (v: number) => new Uint8Array(32).fill(v);
const message: ReadingMessage = {
  network: fill(0x11),
  device: fill(0x22),
  seq: 0x0102030405060708n,
  timestamp: -2n,
  modelId: 0xa1b2c3d4,
  readings: [-128, -1, 0, 1, 127, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -2],
  salt: fill(0x33),
  bjjPublicKey: { ax: 0x44n, ay: BN254_R - 1n },
  bjjSignature: { r8x: 0n, r8y: 0x0102n, s: BABYJUB_L - 1n },
};

/** The 308 bytes with the 32 bytes at `at` replaced by `v` (big-endian). */
function withValue(at: number, v: bigint): Uint8Array {
  const b = encodeReadingMessage(message);
  b.set(bigIntToBytesBE(v, 32), at);
  return b;
}

describe('reading message v2 (docs/contracts.md, "Device messages → Reading")', () => {
  it('lays out the 308 bytes byte for byte and decodes them back', () => {
    const m = encodeReadingMessage(message);
    expect(m).toHaveLength(READING_MESSAGE_BYTES);
    expect(READING_MESSAGE_BYTES).toBe(308);
    const hex = toHex(m);
    expect(Buffer.from(m.subarray(0, 16)).toString('ascii')).toBe('zkpin/v2/reading');
    expect(READING_DOMAIN).toBe('zkpin/v2/reading');
    expect(hex.slice(32, 96)).toBe('11'.repeat(32));
    expect(hex.slice(96, 160)).toBe('22'.repeat(32));
    expect(hex.slice(160, 176)).toBe('0807060504030201'); // seq u64 LE
    expect(hex.slice(176, 192)).toBe('feffffffffffffff'); // timestamp i64 LE (-2)
    expect(hex.slice(192, 200)).toBe('d4c3b2a1'); // model_id u32 LE
    expect(hex.slice(200, 232)).toBe('80ff00017f02030405060708090a0bfe'); // readings i8
    expect(hex.slice(232, 296)).toBe('33'.repeat(32)); // salt
    // BabyJubJub key and signature, 32-byte big-endian each
    expect(hex.slice(296, 360)).toBe('44'.padStart(64, '0')); // ax
    expect(hex.slice(360, 424)).toBe(
      '30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000',
    ); // ay = r - 1
    expect(hex.slice(424, 488)).toBe('00'.repeat(32)); // r8x
    expect(hex.slice(488, 552)).toBe('0102'.padStart(64, '0')); // r8y
    expect(hex.slice(552)).toBe('060c89ce5c263405370a08b6d0302b0bab3eedb83920ee0a677297dc392126f0'); // s = l - 1
    expect(decodeReadingMessage(m)).toEqual(message);
  });

  it('decoding refuses non-canonical BabyJubJub values: ax, ay, r8x, r8y ≥ r and s ≥ l', () => {
    for (const [at, name] of [
      [148, 'ax'],
      [180, 'ay'],
      [212, 'r8x'],
      [244, 'r8y'],
    ] as const) {
      expect(() => decodeReadingMessage(withValue(at, BN254_R)), name).toThrow(
        new RegExp(`${name} is not canonical \\(≥ r\\)`),
      );
      expect(() => decodeReadingMessage(withValue(at, (1n << 256n) - 1n)), name).toThrow(
        /not canonical/,
      );
      expect(decodeReadingMessage(withValue(at, BN254_R - 1n))).toBeDefined();
    }
    expect(() => decodeReadingMessage(withValue(276, BABYJUB_L))).toThrow(
      /bjjSignature\.s is not canonical \(≥ l\)/,
    );
    // s below r but not below l: a valid field element, still not a canonical scalar
    expect(() => decodeReadingMessage(withValue(276, BN254_R - 1n))).toThrow(/s is not canonical/);
  });

  it('encoding refuses the same values, and negative ones', () => {
    const bad: [string, Partial<ReadingMessage>][] = [
      ['ax', { bjjPublicKey: { ...message.bjjPublicKey, ax: BN254_R } }],
      ['ay', { bjjPublicKey: { ...message.bjjPublicKey, ay: -1n } }],
      ['r8x', { bjjSignature: { ...message.bjjSignature, r8x: BN254_R + 5n } }],
      ['s', { bjjSignature: { ...message.bjjSignature, s: BABYJUB_L } }],
      ['s', { bjjSignature: { ...message.bjjSignature, s: -1n } }],
    ];
    for (const [name, change] of bad) {
      expect(() => encodeReadingMessage({ ...message, ...change }), name).toThrow(
        new RegExp(`${name} must be an integer in \\[0, [rl]\\)`),
      );
    }
  });

  it('rejects out-of-range readings, wrong sizes and the v1 domain tag', () => {
    expect(() =>
      encodeReadingMessage({ ...message, readings: [128, ...message.readings.slice(1)] }),
    ).toThrow(/int8/);
    expect(() => encodeReadingMessage({ ...message, readings: message.readings.slice(1) })).toThrow(
      /16 readings/,
    );
    expect(() => encodeReadingMessage({ ...message, salt: new Uint8Array(31) })).toThrow(
      /salt must be 32 bytes/,
    );
    expect(() => encodeReadingMessage({ ...message, seq: 1n << 64n })).toThrow(RangeError);
    expect(() => encodeReadingMessage({ ...message, timestamp: 1n << 63n })).toThrow(RangeError);
    const m = encodeReadingMessage(message);
    expect(() => decodeReadingMessage(m.subarray(0, 307))).toThrow(/308 bytes/);
    expect(() => decodeReadingMessage(new Uint8Array(148))).toThrow(/308 bytes/);
    const v1 = new Uint8Array(m);
    v1.set(new TextEncoder().encode('zkpin/v1/reading'), 0);
    expect(() => decodeReadingMessage(v1)).toThrow(/not a zkpin\/v2\/reading message/);
  });
});

describe('onboarding messages (sdk/src/onboarding.ts)', () => {
  it('lays out the 160-byte maker approval and the 148-byte device claim', () => {
    const a = encodeApprovalMessage({
      network: fill(1),
      maker: fill(2),
      device: fill(3),
      bjjKeyHash: fill(4),
      modelId: 7,
      serial: 65_537,
      expiresAt: -2n,
    });
    expect(a).toHaveLength(APPROVAL_MESSAGE_BYTES);
    expect(Buffer.from(a.subarray(0, 16)).toString('ascii')).toBe('zkpin/v2/approve');
    for (let i = 0; i < 4; i++)
      expect(a.subarray(16 + 32 * i, 48 + 32 * i).every((b) => b === i + 1)).toBe(true);
    expect(toHex(a.subarray(144))).toBe('07000000' + '01000100' + 'feffffffffffffff');
    const c = encodeClaimMessage({
      network: fill(1),
      device: fill(3),
      owner: fill(5),
      maker: fill(2),
      serial: 65_537,
    });
    expect(c).toHaveLength(CLAIM_MESSAGE_BYTES);
    expect(Buffer.from(c.subarray(0, 16)).toString('ascii')).toBe('zkpin/v2/onboard');
    expect(toHex(c.subarray(144))).toBe('01000100');
    expect(() =>
      encodeClaimMessage({
        ...{ network: fill(1), device: fill(3), owner: fill(5), maker: fill(2) },
        serial: -1,
      }),
    ).toThrow(/u32/);
    expect(() =>
      encodeApprovalMessage({
        network: fill(1),
        maker: fill(2),
        device: fill(3),
        bjjKeyHash: fill(4),
        modelId: 7,
        serial: 1,
        expiresAt: 1n << 63n,
      }),
    ).toThrow(/i64/);
  });
});
