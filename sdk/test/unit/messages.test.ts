import { describe, expect, it } from 'vitest';
import {
  decodeReadingMessage,
  encodeOnboardMessage,
  encodeReadingMessage,
  ONBOARD_MESSAGE_BYTES,
  READING_MESSAGE_BYTES,
  type ReadingFields,
} from '../../src/messages.ts';
import { toHex } from '../../src/field.ts';

const fill = (v: number) => new Uint8Array(32).fill(v);
const fields: ReadingFields = {
  network: fill(0x11),
  device: fill(0x22),
  seq: 0x0102030405060708n,
  timestamp: -2n,
  modelId: 0xa1b2c3d4,
  readings: [-128, -1, 0, 1, 127, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -2],
  salt: fill(0x33),
};

describe('canonical device messages (docs/contracts.md)', () => {
  it('lays out the 148-byte reading message byte for byte', () => {
    const m = encodeReadingMessage(fields);
    expect(m).toHaveLength(READING_MESSAGE_BYTES);
    const hex = toHex(m);
    expect(Buffer.from(m.subarray(0, 16)).toString('ascii')).toBe('zkpin/v1/reading');
    expect(hex.slice(32, 96)).toBe('11'.repeat(32));
    expect(hex.slice(96, 160)).toBe('22'.repeat(32));
    expect(hex.slice(160, 176)).toBe('0807060504030201'); // seq u64 LE
    expect(hex.slice(176, 192)).toBe('feffffffffffffff'); // timestamp i64 LE (-2)
    expect(hex.slice(192, 200)).toBe('d4c3b2a1'); // model_id u32 LE
    expect(hex.slice(200, 232)).toBe('80ff00017f02030405060708090a0bfe'); // readings i8
    expect(hex.slice(232)).toBe('33'.repeat(32));
    expect(decodeReadingMessage(m)).toEqual(fields);
  });

  it('lays out the 180-byte onboarding message', () => {
    const m = encodeOnboardMessage({
      network: fill(1),
      device: fill(2),
      owner: fill(3),
      maker: fill(4),
      bjjKeyHash: fill(5),
      modelId: 7,
    });
    expect(m).toHaveLength(ONBOARD_MESSAGE_BYTES);
    expect(Buffer.from(m.subarray(0, 16)).toString('ascii')).toBe('zkpin/v1/onboard');
    for (let i = 0; i < 5; i++)
      expect(m.subarray(16 + 32 * i, 48 + 32 * i).every((b) => b === i + 1)).toBe(true);
    expect(toHex(m.subarray(176))).toBe('07000000');
  });

  it('rejects out-of-range readings and wrong sizes', () => {
    expect(() =>
      encodeReadingMessage({ ...fields, readings: [128, ...fields.readings.slice(1)] }),
    ).toThrow(/int8/);
    expect(() => encodeReadingMessage({ ...fields, readings: fields.readings.slice(1) })).toThrow(
      /16 readings/,
    );
    expect(() => encodeReadingMessage({ ...fields, salt: new Uint8Array(31) })).toThrow(
      /salt must be 32 bytes/,
    );
    expect(() => decodeReadingMessage(new Uint8Array(148))).toThrow(/not a zkpin\/v1\/reading/);
  });
});
