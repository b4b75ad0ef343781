/**
 * JSON form of a SignedReading (HTTP body, MQTT payload, BullMQ `prove` job data): byte
 * strings as lower-case hex, 64-bit and field values as decimal strings. Signatures cover the
 * canonical bytes (messages.ts), never this JSON.
 */
import type { SignedReading } from './device-keys.ts';
import { fromHex, toHex } from './field.ts';

export interface SignedReadingJson {
  network: string;
  device: string;
  seq: string;
  timestamp: string;
  modelId: number;
  readings: number[];
  salt: string;
  ed25519Signature: string;
  bjjPublicKey: { ax: string; ay: string };
  bjjSignature: { r8x: string; r8y: string; s: string };
}

export function signedReadingToJson(r: SignedReading): SignedReadingJson {
  return {
    network: toHex(r.network),
    device: toHex(r.device),
    seq: r.seq.toString(),
    timestamp: r.timestamp.toString(),
    modelId: r.modelId,
    readings: [...r.readings],
    salt: toHex(r.salt),
    ed25519Signature: toHex(r.ed25519Signature),
    bjjPublicKey: { ax: r.bjjPublicKey.ax.toString(), ay: r.bjjPublicKey.ay.toString() },
    bjjSignature: {
      r8x: r.bjjSignature.r8x.toString(),
      r8y: r.bjjSignature.r8y.toString(),
      s: r.bjjSignature.s.toString(),
    },
  };
}

function hexBytes(v: unknown, len: number, what: string): Uint8Array {
  if (typeof v !== 'string' || !new RegExp(`^[0-9a-fA-F]{${len * 2}}$`).test(v)) {
    throw new TypeError(`${what} must be ${len} bytes as hex`);
  }
  return fromHex(v);
}

function int(v: unknown, what: string, signed = false): bigint {
  if (typeof v !== 'string' || !(signed ? /^-?[0-9]+$/ : /^[0-9]+$/).test(v)) {
    throw new TypeError(`${what} must be a decimal string`);
  }
  return BigInt(v);
}

/** Parse and validate the JSON form; throws TypeError naming the first bad field. */
export function signedReadingFromJson(j: unknown): SignedReading {
  if (typeof j !== 'object' || j === null) throw new TypeError('signed reading must be an object');
  const o = j as Record<string, unknown>;
  const pk = (o['bjjPublicKey'] ?? {}) as Record<string, unknown>;
  const sig = (o['bjjSignature'] ?? {}) as Record<string, unknown>;
  const readings = o['readings'];
  if (!Array.isArray(readings) || !readings.every((x) => Number.isInteger(x))) {
    throw new TypeError('readings must be an array of integers');
  }
  const modelId = o['modelId'];
  if (
    typeof modelId !== 'number' ||
    !Number.isInteger(modelId) ||
    modelId < 0 ||
    modelId > 0xffffffff
  ) {
    throw new TypeError('modelId must be a u32');
  }
  return {
    network: hexBytes(o['network'], 32, 'network'),
    device: hexBytes(o['device'], 32, 'device'),
    seq: int(o['seq'], 'seq'),
    timestamp: int(o['timestamp'], 'timestamp', true),
    modelId,
    readings: readings as number[],
    salt: hexBytes(o['salt'], 32, 'salt'),
    ed25519Signature: hexBytes(o['ed25519Signature'], 64, 'ed25519Signature'),
    bjjPublicKey: { ax: int(pk['ax'], 'bjjPublicKey.ax'), ay: int(pk['ay'], 'bjjPublicKey.ay') },
    bjjSignature: {
      r8x: int(sig['r8x'], 'bjjSignature.r8x'),
      r8y: int(sig['r8y'], 'bjjSignature.r8y'),
      s: int(sig['s'], 'bjjSignature.s'),
    },
  };
}
