/**
 * Canonical signed bytes of device messages (docs/contracts.md, "Device messages").
 * Signatures always cover these bytes, never re-serialized JSON.
 */
import type { BabyJubPublicKey, BabyJubSignature } from './device-keys.ts';
import { BABYJUB_L, BN254_R, bigIntToBytesBE, bytesToBigIntBE } from './field.ts';
// Largest window a model may take (the program's bound, generated from its IDL): 15 chunks of
// 31 readings, which with the salt fill one Poseidon of 16 inputs (the input commitment).
import { MAX_WINDOW } from './model-shape.ts';

export const READING_DOMAIN = 'zkpin/v3/reading';
/** The retired v2 tag (a fixed window of 16): decoders name it when they refuse it. */
export const READING_DOMAIN_V2 = 'zkpin/v2/reading';

/** Readings per field element in the input commitment (31 bytes stay below the field). */
export const READINGS_PER_CHUNK = 31;
export const READING_MIN = -128;
export const READING_MAX = 127;
/** Tag, network, device, seq, timestamp, model_id, n: the bytes before the readings. */
const READING_HEAD_BYTES = 102;
/** Salt and the five BabyJubJub values: the bytes after the readings. */
const READING_TAIL_BYTES = 192;

/** Bytes of a v3 reading message with `n` readings: 102 + n + 192. */
export function readingMessageBytes(n: number): number {
  return READING_HEAD_BYTES + n + READING_TAIL_BYTES;
}
/** Shortest (n = 1) and longest (n = MAX_WINDOW) reading messages. */
export const READING_MESSAGE_MIN_BYTES = readingMessageBytes(1);
export const READING_MESSAGE_MAX_BYTES = readingMessageBytes(MAX_WINDOW);

/**
 * Checks a window: 1..MAX_WINDOW integers in [-128, 127]; with `expected`, exactly that many
 * (the model's window).
 */
export function assertReadings(readings: readonly number[], expected?: number): void {
  if (!Array.isArray(readings) || readings.length < 1 || readings.length > MAX_WINDOW)
    throw new RangeError(
      `a window holds 1 to ${MAX_WINDOW} readings, got ${Array.isArray(readings) ? readings.length : typeof readings}`,
    );
  if (expected !== undefined && readings.length !== expected)
    throw new RangeError(
      `expected ${expected} readings (the model's window), got ${readings.length}`,
    );
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
  readings: number[]; // n × int8, 1 ≤ n ≤ MAX_WINDOW (the model's window)
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
const READING_DOMAIN_V2_BYTES = new TextEncoder().encode(READING_DOMAIN_V2);

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

/**
 * The BabyJubJub values of a reading message, their offsets after the salt (which starts the
 * tail, right after the readings) and exclusive upper bounds.
 */
const BJJ_VALUES = [
  { name: 'bjjPublicKey.ax', at: 32, bound: BN254_R, boundName: 'r' },
  { name: 'bjjPublicKey.ay', at: 64, bound: BN254_R, boundName: 'r' },
  { name: 'bjjSignature.r8x', at: 96, bound: BN254_R, boundName: 'r' },
  { name: 'bjjSignature.r8y', at: 128, bound: BN254_R, boundName: 'r' },
  { name: 'bjjSignature.s', at: 160, bound: BABYJUB_L, boundName: 'l' },
] as const;

function bjjValues(m: ReadingMessage): bigint[] {
  const { bjjPublicKey: k, bjjSignature: s } = m;
  return [k.ax, k.ay, s.r8x, s.r8y, s.s];
}

/**
 * `"zkpin/v3/reading" || network || device || seq u64 LE || timestamp i64 LE || model_id u32 LE
 * || n u16 LE || readings [n] i8 || salt || ax || ay || r8x || r8y || s` (the last five 32-byte
 * big-endian, ax..r8y < r, s < l): 294 + n bytes. Throws RangeError on any value out of range.
 */
export function encodeReadingMessage(m: ReadingMessage): Uint8Array {
  assertReadings(m.readings);
  const n = m.readings.length;
  const out = new Uint8Array(readingMessageBytes(n));
  const view = new DataView(out.buffer);
  out.set(READING_DOMAIN_BYTES, 0);
  out.set(bytes32(m.network, 'network'), 16);
  out.set(bytes32(m.device, 'device'), 48);
  view.setBigUint64(80, u64(m.seq, 'seq'), true);
  view.setBigInt64(88, i64(m.timestamp, 'timestamp'), true);
  view.setUint32(96, u32(m.modelId, 'modelId'), true);
  view.setUint16(100, n, true);
  m.readings.forEach((r, i) => view.setInt8(READING_HEAD_BYTES + i, r));
  const tail = READING_HEAD_BYTES + n;
  out.set(bytes32(m.salt, 'salt'), tail);
  const values = bjjValues(m);
  BJJ_VALUES.forEach(({ name, at, bound, boundName }, i) => {
    const v = values[i]!;
    if (typeof v !== 'bigint' || v < 0n || v >= bound)
      throw new RangeError(`${name} must be an integer in [0, ${boundName})`);
    out.set(bigIntToBytesBE(v, 32), tail + at);
  });
  return out;
}

/**
 * Inverse of encodeReadingMessage. Checks the length and the domain tag, and refuses
 * non-canonical BabyJubJub values (ax, ay, r8x, r8y ≥ r; s ≥ l), so every accepted message
 * has exactly one encoding.
 */
export function decodeReadingMessage(bytes: Uint8Array): ReadingMessage {
  if (bytes.length < READING_MESSAGE_MIN_BYTES || bytes.length > READING_MESSAGE_MAX_BYTES)
    throw new RangeError(
      `a reading message is ${READING_MESSAGE_MIN_BYTES} to ${READING_MESSAGE_MAX_BYTES} bytes (294 + n), got ${bytes.length}`,
    );
  const tagIs = (tag: Uint8Array) => tag.every((c, i) => bytes[i] === c);
  if (tagIs(READING_DOMAIN_V2_BYTES))
    throw new RangeError(
      `${READING_DOMAIN_V2} is the retired fixed-window format; sign readings as ${READING_DOMAIN} (docs/contracts.md)`,
    );
  if (!tagIs(READING_DOMAIN_BYTES)) throw new RangeError(`not a ${READING_DOMAIN} message`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint16(100, true);
  if (n < 1 || n > MAX_WINDOW)
    throw new RangeError(`reading count n = ${n} is outside 1..${MAX_WINDOW}`);
  if (bytes.length !== readingMessageBytes(n))
    throw new RangeError(
      `a reading message with n = ${n} is ${readingMessageBytes(n)} bytes, got ${bytes.length}`,
    );
  const readings: number[] = [];
  for (let i = 0; i < n; i++) readings.push(view.getInt8(READING_HEAD_BYTES + i));
  const tail = READING_HEAD_BYTES + n;
  const [ax, ay, r8x, r8y, s] = BJJ_VALUES.map(({ name, at, bound, boundName }) => {
    const v = bytesToBigIntBE(bytes.subarray(tail + at, tail + at + 32));
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
    salt: bytes.slice(tail, tail + 32),
    bjjPublicKey: { ax, ay },
    bjjSignature: { r8x, r8y, s },
  };
}
