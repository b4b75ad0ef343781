import { describe, expect, it } from 'vitest';
import { BABYJUB_L, BN254_R, bigIntToBytesBE, toHex } from '../../src/field.ts';
import {
  decodeReadingMessage,
  encodeReadingMessage,
  READING_DOMAIN,
  readingMessageBytes,
  type ReadingMessage,
} from '../../src/messages.ts';
import { MAX_WINDOW } from '../../src/model-shape.ts';
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

/** The 310 bytes (n = 16) with the 32 bytes at `at` replaced by `v` (big-endian). */
function withValue(at: number, v: bigint): Uint8Array {
  const b = encodeReadingMessage(message);
  b.set(bigIntToBytesBE(v, 32), at);
  return b;
}

describe('reading message v3 (docs/contracts.md, "Device messages → Reading")', () => {
  it('lays out the 294 + n bytes byte for byte and decodes them back', () => {
    const m = encodeReadingMessage(message);
    expect(m).toHaveLength(readingMessageBytes(16));
    expect(readingMessageBytes(16)).toBe(310);
    const hex = toHex(m);
    expect(Buffer.from(m.subarray(0, 16)).toString('ascii')).toBe('zkpin/v3/reading');
    expect(READING_DOMAIN).toBe('zkpin/v3/reading');
    expect(hex.slice(32, 96)).toBe('11'.repeat(32));
    expect(hex.slice(96, 160)).toBe('22'.repeat(32));
    expect(hex.slice(160, 176)).toBe('0807060504030201'); // seq u64 LE
    expect(hex.slice(176, 192)).toBe('feffffffffffffff'); // timestamp i64 LE (-2)
    expect(hex.slice(192, 200)).toBe('d4c3b2a1'); // model_id u32 LE
    expect(hex.slice(200, 204)).toBe('1000'); // n u16 LE
    expect(hex.slice(204, 236)).toBe('80ff00017f02030405060708090a0bfe'); // readings i8
    expect(hex.slice(236, 300)).toBe('33'.repeat(32)); // salt
    // BabyJubJub key and signature, 32-byte big-endian each
    expect(hex.slice(300, 364)).toBe('44'.padStart(64, '0')); // ax
    expect(hex.slice(364, 428)).toBe(
      '30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000',
    ); // ay = r - 1
    expect(hex.slice(428, 492)).toBe('00'.repeat(32)); // r8x
    expect(hex.slice(492, 556)).toBe('0102'.padStart(64, '0')); // r8y
    expect(hex.slice(556)).toBe('060c89ce5c263405370a08b6d0302b0bab3eedb83920ee0a677297dc392126f0'); // s = l - 1
    expect(decodeReadingMessage(m)).toEqual(message);
  });

  it('carries any window of 1 to MAX_WINDOW readings, its length in n', () => {
    for (const n of [1, 31, 32, 48, 62, 63, MAX_WINDOW]) {
      const readings = Array.from({ length: n }, (_, i) => ((i * 37) % 256) - 128);
      const m = encodeReadingMessage({ ...message, readings });
      expect(m).toHaveLength(294 + n);
      expect(m[100]! | (m[101]! << 8)).toBe(n);
      expect(decodeReadingMessage(m)).toEqual({ ...message, readings });
    }
    expect(MAX_WINDOW).toBe(465);
    expect(() => encodeReadingMessage({ ...message, readings: [] })).toThrow(/1 to 465 readings/);
    expect(() =>
      encodeReadingMessage({ ...message, readings: new Array<number>(MAX_WINDOW + 1).fill(0) }),
    ).toThrow(/1 to 465 readings, got 466/);
  });

  it('decoding refuses an n that disagrees with the length, n = 0 and n > MAX_WINDOW', () => {
    const m = encodeReadingMessage(message);
    const withN = (n: number) => {
      const b = new Uint8Array(m);
      new DataView(b.buffer).setUint16(100, n, true);
      return b;
    };
    expect(() => decodeReadingMessage(withN(15))).toThrow(/n = 15 is 309 bytes, got 310/);
    expect(() => decodeReadingMessage(withN(17))).toThrow(/n = 17 is 311 bytes, got 310/);
    expect(() => decodeReadingMessage(withN(0))).toThrow(/n = 0 is outside 1\.\.465/);
    expect(() => decodeReadingMessage(withN(466))).toThrow(/n = 466 is outside 1\.\.465/);
    expect(() => decodeReadingMessage(withN(0xffff))).toThrow(/outside 1\.\.465/);
  });

  it('decoding refuses non-canonical BabyJubJub values: ax, ay, r8x, r8y ≥ r and s ≥ l', () => {
    for (const [at, name] of [
      [150, 'ax'],
      [182, 'ay'],
      [214, 'r8x'],
      [246, 'r8y'],
    ] as const) {
      expect(() => decodeReadingMessage(withValue(at, BN254_R)), name).toThrow(
        new RegExp(`${name} is not canonical \\(≥ r\\)`),
      );
      expect(() => decodeReadingMessage(withValue(at, (1n << 256n) - 1n)), name).toThrow(
        /not canonical/,
      );
      expect(decodeReadingMessage(withValue(at, BN254_R - 1n))).toBeDefined();
    }
    expect(() => decodeReadingMessage(withValue(278, BABYJUB_L))).toThrow(
      /bjjSignature\.s is not canonical \(≥ l\)/,
    );
    // s below r but not below l: a valid field element, still not a canonical scalar
    expect(() => decodeReadingMessage(withValue(278, BN254_R - 1n))).toThrow(/s is not canonical/);
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

  it('rejects out-of-range readings, wrong sizes and the v1 and v2 domain tags', () => {
    expect(() =>
      encodeReadingMessage({ ...message, readings: [128, ...message.readings.slice(1)] }),
    ).toThrow(/int8/);
    expect(() => encodeReadingMessage({ ...message, salt: new Uint8Array(31) })).toThrow(
      /salt must be 32 bytes/,
    );
    expect(() => encodeReadingMessage({ ...message, seq: 1n << 64n })).toThrow(RangeError);
    expect(() => encodeReadingMessage({ ...message, timestamp: 1n << 63n })).toThrow(RangeError);
    const m = encodeReadingMessage(message);
    expect(() => decodeReadingMessage(m.subarray(0, 309))).toThrow(/n = 16 is 310 bytes, got 309/);
    expect(() => decodeReadingMessage(new Uint8Array(148))).toThrow(/295 to 759 bytes/);
    const v1 = new Uint8Array(m);
    v1.set(new TextEncoder().encode('zkpin/v1/reading'), 0);
    expect(() => decodeReadingMessage(v1)).toThrow(/not a zkpin\/v3\/reading message/);
    // A v2 message (fixed 16 readings, 308 bytes) is named as the retired format.
    const v2 = new Uint8Array(308);
    v2.set(new TextEncoder().encode('zkpin/v2/reading'), 0);
    expect(() => decodeReadingMessage(v2)).toThrow(
      /zkpin\/v2\/reading is the retired fixed-window format/,
    );
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
