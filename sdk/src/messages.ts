/**
 * Canonical signed bytes of device messages (docs/contracts.md, "Device messages").
 * Signatures always cover these bytes, never re-serialized JSON.
 */
import { assertReadings, WINDOW } from './poseidon.ts';

export const READING_DOMAIN = 'zkpin/v1/reading';
export const ONBOARD_DOMAIN = 'zkpin/v1/onboard';
export const READING_MESSAGE_BYTES = 148;
export const ONBOARD_MESSAGE_BYTES = 180;

export interface ReadingFields {
  network: Uint8Array; // 32
  device: Uint8Array; // 32, ed25519 public key
  seq: bigint; // u64
  timestamp: bigint; // i64, unix seconds
  modelId: number; // u32
  readings: number[]; // 16 × int8
  salt: Uint8Array; // 32
}

export interface OnboardFields {
  network: Uint8Array;
  device: Uint8Array;
  owner: Uint8Array;
  maker: Uint8Array;
  bjjKeyHash: Uint8Array; // 32, big-endian field element
  modelId: number;
}

function bytes32(b: Uint8Array, what: string): Uint8Array {
  if (b.length !== 32) throw new RangeError(`${what} must be 32 bytes, got ${b.length}`);
  return b;
}

/** `"zkpin/v1/reading" || network || device || seq u64 LE || timestamp i64 LE || model_id u32 LE || readings [16] i8 || salt` */
export function encodeReadingMessage(f: ReadingFields): Uint8Array {
  assertReadings(f.readings);
  const out = Buffer.alloc(READING_MESSAGE_BYTES);
  let o = out.write(READING_DOMAIN, 0, 'ascii');
  out.set(bytes32(f.network, 'network'), o);
  out.set(bytes32(f.device, 'device'), (o += 32));
  o += 32;
  o = out.writeBigUInt64LE(f.seq, o);
  o = out.writeBigInt64LE(f.timestamp, o);
  o = out.writeUInt32LE(f.modelId, o);
  for (const r of f.readings) o = out.writeInt8(r, o);
  out.set(bytes32(f.salt, 'salt'), o);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Inverse of encodeReadingMessage (checks the domain tag and length). */
export function decodeReadingMessage(bytes: Uint8Array): ReadingFields {
  if (bytes.length !== READING_MESSAGE_BYTES)
    throw new RangeError(`reading message must be ${READING_MESSAGE_BYTES} bytes`);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.toString('ascii', 0, 16) !== READING_DOMAIN)
    throw new RangeError('not a zkpin/v1/reading message');
  const readings: number[] = [];
  for (let i = 0; i < WINDOW; i++) readings.push(b.readInt8(100 + i));
  return {
    network: new Uint8Array(b.subarray(16, 48)),
    device: new Uint8Array(b.subarray(48, 80)),
    seq: b.readBigUInt64LE(80),
    timestamp: b.readBigInt64LE(88),
    modelId: b.readUInt32LE(96),
    readings,
    salt: new Uint8Array(b.subarray(116, 148)),
  };
}

/** `"zkpin/v1/onboard" || network || device || owner || maker || bjj_key_hash || model_id u32 LE` */
export function encodeOnboardMessage(f: OnboardFields): Uint8Array {
  const out = Buffer.alloc(ONBOARD_MESSAGE_BYTES);
  let o = out.write(ONBOARD_DOMAIN, 0, 'ascii');
  for (const [v, w] of [
    [f.network, 'network'],
    [f.device, 'device'],
    [f.owner, 'owner'],
    [f.maker, 'maker'],
    [f.bjjKeyHash, 'bjjKeyHash'],
  ] as const) {
    out.set(bytes32(v, w), o);
    o += 32;
  }
  out.writeUInt32LE(f.modelId, o);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
