/**
 * Canonical signed bytes of device messages (docs/contracts.md, "Device messages").
 * Signatures always cover these bytes, never re-serialized JSON.
 */
import type { BabyJubPublicKey, BabyJubSignature } from './device-keys.ts';
import { BABYJUB_L, BN254_R, bigIntToBytesBE, bytesToBigIntBE } from './field.ts';

export const READING_DOMAIN = 'zkpin/v2/reading';
export const READING_MESSAGE_BYTES = 308;

/** Number of readings in one window, and their range (int8). */
export const WINDOW = 16;
export const READING_MIN = -128;
export const READING_MAX = 127;

/** Checks a window: 16 integers in [-128, 127]. */
export function assertReadings(readings: readonly number[]): void {
  if (readings.length !== WINDOW)
    throw new RangeError(`expected ${WINDOW} readings, got ${readings.length}`);
  for (const r of readings) {
    if (!Number.isInteger(r) || r < READING_MIN || r > READING_MAX) {
      throw new RangeError(`reading ${r} is not an int8 value in [${READING_MIN}, ${READING_MAX}]`);
    }
  }
}

export interface ReadingFields {
  network: Uint8Array; // 32
  device: Uint8Array; // 32, ed25519 public key
  seq: bigint; // u64
  timestamp: bigint; // i64, unix seconds
  modelId: number; // u32
  readings: number[]; // 16 × int8
  salt: Uint8Array; // 32
}

/**
 * Everything the device's ed25519 key signs: the reading, the device's BabyJubJub public key
 * and that key's EdDSA-Poseidon signature over `readingMessageHash(...)` (a `SignedReading`
 * without its ed25519 signature).
 */
export interface ReadingMessage extends ReadingFields {
  bjjPublicKey: BabyJubPublicKey;
  bjjSignature: BabyJubSignature;
}

/** The 16 ASCII bytes of READING_DOMAIN. */
const READING_DOMAIN_BYTES = new TextEncoder().encode(READING_DOMAIN);

function bytes32(b: Uint8Array, what: string): Uint8Array {
  if (b.length !== 32) throw new RangeError(`${what} must be 32 bytes, got ${b.length}`);
  return b;
}

function u64(v: bigint, what: string): bigint {
  if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn)
    throw new RangeError(`${what} must be a u64`);
  return v;
}

function i64(v: bigint, what: string): bigint {
  if (typeof v !== 'bigint' || BigInt.asIntN(64, v) !== v)
    throw new RangeError(`${what} must be an i64`);
  return v;
}

function u32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new RangeError(`${what} must be a u32`);
  return v;
}

/** The BabyJubJub values of a reading message, their offsets and exclusive upper bounds. */
const BJJ_VALUES = [
  { name: 'bjjPublicKey.ax', at: 148, bound: BN254_R, boundName: 'r' },
  { name: 'bjjPublicKey.ay', at: 180, bound: BN254_R, boundName: 'r' },
  { name: 'bjjSignature.r8x', at: 212, bound: BN254_R, boundName: 'r' },
  { name: 'bjjSignature.r8y', at: 244, bound: BN254_R, boundName: 'r' },
  { name: 'bjjSignature.s', at: 276, bound: BABYJUB_L, boundName: 'l' },
] as const;

function bjjValues(m: ReadingMessage): bigint[] {
  const { bjjPublicKey: k, bjjSignature: s } = m;
  return [k.ax, k.ay, s.r8x, s.r8y, s.s];
}

/**
 * `"zkpin/v2/reading" || network || device || seq u64 LE || timestamp i64 LE || model_id u32 LE
 * || readings [16] i8 || salt || ax || ay || r8x || r8y || s` (the last five 32-byte big-endian,
 * ax..r8y < r, s < l). Throws RangeError on any value out of range.
 */
export function encodeReadingMessage(m: ReadingMessage): Uint8Array {
  assertReadings(m.readings);
  const out = new Uint8Array(READING_MESSAGE_BYTES);
  const view = new DataView(out.buffer);
  out.set(READING_DOMAIN_BYTES, 0);
  out.set(bytes32(m.network, 'network'), 16);
  out.set(bytes32(m.device, 'device'), 48);
  view.setBigUint64(80, u64(m.seq, 'seq'), true);
  view.setBigInt64(88, i64(m.timestamp, 'timestamp'), true);
  view.setUint32(96, u32(m.modelId, 'modelId'), true);
  m.readings.forEach((r, i) => view.setInt8(100 + i, r));
  out.set(bytes32(m.salt, 'salt'), 116);
  const values = bjjValues(m);
  BJJ_VALUES.forEach(({ name, at, bound, boundName }, i) => {
    const v = values[i]!;
    if (typeof v !== 'bigint' || v < 0n || v >= bound)
      throw new RangeError(`${name} must be an integer in [0, ${boundName})`);
    out.set(bigIntToBytesBE(v, 32), at);
  });
  return out;
}

/**
 * Inverse of encodeReadingMessage. Checks the length and the domain tag, and refuses
 * non-canonical BabyJubJub values (ax, ay, r8x, r8y ≥ r; s ≥ l), so every accepted message
 * has exactly one encoding.
 */
export function decodeReadingMessage(bytes: Uint8Array): ReadingMessage {
  if (bytes.length !== READING_MESSAGE_BYTES)
    throw new RangeError(
      `reading message must be ${READING_MESSAGE_BYTES} bytes, got ${bytes.length}`,
    );
  if (!READING_DOMAIN_BYTES.every((c, i) => bytes[i] === c))
    throw new RangeError(`not a ${READING_DOMAIN} message`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const readings: number[] = [];
  for (let i = 0; i < WINDOW; i++) readings.push(view.getInt8(100 + i));
  const [ax, ay, r8x, r8y, s] = BJJ_VALUES.map(({ name, at, bound, boundName }) => {
    const v = bytesToBigIntBE(bytes.subarray(at, at + 32));
    if (v >= bound) throw new RangeError(`${name} is not canonical (≥ ${boundName})`);
    return v;
  }) as [bigint, bigint, bigint, bigint, bigint];
  return {
    network: bytes.slice(16, 48),
    device: bytes.slice(48, 80),
    seq: view.getBigUint64(80, true),
    timestamp: view.getBigInt64(88, true),
    modelId: view.getUint32(96, true),
    readings,
    salt: bytes.slice(116, 148),
    bjjPublicKey: { ax, ay },
    bjjSignature: { r8x, r8y, s },
  };
}
