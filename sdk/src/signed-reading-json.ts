/**
 * JSON form of a SignedReading (HTTP body, MQTT payload, BullMQ `prove` job data): byte
 * strings as lower-case hex, 64-bit and field values as canonical decimal strings. Its rules
 * are those of `signedReadingJsonSchema` (pipeline.ts), the only place they are written down.
 * Signatures cover the canonical bytes (messages.ts), never this JSON.
 */
import type { z } from 'zod';
import type { SignedReading } from './device-keys.ts';
import { toHex } from './field.ts';
import { describeIssue, signedReadingSchema, type signedReadingJsonSchema } from './pipeline.ts';

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
 * Parse and validate the JSON form with `signedReadingSchema` (the one parser); throws a
 * TypeError naming the first bad field.
 */
export function signedReadingFromJson(j: unknown): SignedReading {
  const parsed = signedReadingSchema.safeParse(j);
  if (!parsed.success) throw new TypeError(`signed reading ${describeIssue(parsed.error)}`);
  return parsed.data;
}
