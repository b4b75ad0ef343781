/**
 * JSON form of a SignedReading (HTTP body, MQTT payload, BullMQ `prove` job data): byte
 * strings as lower-case hex, 64-bit and field values as canonical decimal strings. Its rules
 * are those of `signedReadingJsonSchema` (pipeline.ts), the only place they are written down.
 * Signatures cover the canonical bytes (messages.ts), never this JSON.
 */
import type { z } from 'zod';
import type { SignedReading } from './device-keys.ts';
import { fromHex, toHex } from './field.ts';
import { signedReadingJsonSchema } from './pipeline.ts';

export type SignedReadingJson = z.infer<typeof signedReadingJsonSchema>;

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

/**
 * Parse and validate the JSON form with `signedReadingJsonSchema`; throws a TypeError naming
 * the first bad field.
 */
export function signedReadingFromJson(j: unknown): SignedReading {
  const parsed = signedReadingJsonSchema.safeParse(j);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    throw new TypeError(`signed reading ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const o = parsed.data;
  return {
    network: fromHex(o.network),
    device: fromHex(o.device),
    seq: BigInt(o.seq),
    timestamp: BigInt(o.timestamp),
    modelId: o.modelId,
    readings: [...o.readings],
    salt: fromHex(o.salt),
    ed25519Signature: fromHex(o.ed25519Signature),
    bjjPublicKey: { ax: BigInt(o.bjjPublicKey.ax), ay: BigInt(o.bjjPublicKey.ay) },
    bjjSignature: {
      r8x: BigInt(o.bjjSignature.r8x),
      r8y: BigInt(o.bjjSignature.r8y),
      s: BigInt(o.bjjSignature.s),
    },
  };
}
