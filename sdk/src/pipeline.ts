/**
 * Contracts between the bridge, the prover and the relayer: queue names, job ids and job
 * payloads (zod schemas, validated on both sides), and dead-letter reason codes.
 */
import { z } from 'zod';
import { BABYJUB_L, BN254_R } from './field.ts';

export const QUEUE_PROVE = 'prove';
export const QUEUE_RELAY = 'relay';
/** Default BullMQ key prefix; tests use a random one so runs never collide. */
export const DEFAULT_QUEUE_PREFIX = 'zkpin';

/**
 * Job id of a reading: `<device hex>-<seq>`. A message seen twice is one job. (BullMQ
 * refuses custom ids with a single `:`, so the separator is `-`.)
 */
export function readingJobId(deviceHex: string, seq: bigint | string): string {
  return `${deviceHex}-${seq.toString()}`;
}

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));
const dec = z.string().regex(/^-?[0-9]+$/);

/**
 * A decimal string of an integer in [min, max] in its one canonical form: digits only (a
 * leading '-' only where negative values are allowed), no leading zeros ("0" itself is
 * allowed), no "-0". Over-long strings fail the pattern before any BigInt conversion.
 */
function canonicalInteger(min: bigint, max: bigint, range: string) {
  const width = (max > -min ? max : -min).toString().length;
  const pattern = new RegExp(`^(0|${min < 0n ? '-?' : ''}[1-9][0-9]{0,${width - 1}})$`);
  const maxDigits = max.toString();
  const minDigits = (-min).toString();
  // Canonical digits compare as numbers by length, then lexicographically: no BigInt needed.
  const atMost = (digits: string, bound: string) =>
    digits.length < bound.length || (digits.length === bound.length && digits <= bound);
  return z
    .string()
    .refine(
      (s) =>
        pattern.test(s) &&
        (s.startsWith('-') ? atMost(s.slice(1), minDigits) : atMost(s, maxDigits)),
      { message: `must be a canonical decimal integer (no leading zeros, no '+') in ${range}` },
    );
}
const u64 = canonicalInteger(0n, (1n << 64n) - 1n, '[0, 2^64)');
const i64 = canonicalInteger(-(1n << 63n), (1n << 63n) - 1n, '[-2^63, 2^63)');
const belowR = canonicalInteger(0n, BN254_R - 1n, '[0, r) (BN254 scalar field)');
const belowL = canonicalInteger(0n, BABYJUB_L - 1n, '[0, l) (BabyJubJub subgroup order)');

/**
 * The seq the bridge had accepted for the device before this reading (decimal), or null when
 * it knew none. The relayer waits for that reading only while its job is still in flight: it
 * may never have become a job (a bridge crash between admission and enqueue, never
 * acknowledged to the device), so a missing job means "nothing to wait for".
 */
export const prevSeqSchema = u64.nullable();

/**
 * `SignedReadingJson` (sdk/src/signed-reading-json.ts): the one schema with every rule of
 * the JSON form (docs/contracts.md, "Device messages → Reading"). Every value it accepts has
 * exactly one encoding, so the JSON and the signed 308 bytes correspond one to one.
 */
export const signedReadingJsonSchema = z
  .object({
    network: hex(32),
    device: hex(32),
    seq: u64,
    timestamp: i64,
    modelId: z.number().int().min(0).max(0xffffffff),
    readings: z.array(z.number().int().min(-128).max(127)).length(16),
    salt: hex(32),
    ed25519Signature: hex(64),
    bjjPublicKey: z.object({ ax: belowR, ay: belowR }).strict(),
    bjjSignature: z.object({ r8x: belowR, r8y: belowR, s: belowL }).strict(),
  })
  .strict();

export const proveJobSchema = z
  .object({
    reading: signedReadingJsonSchema,
    /** Milliseconds since the epoch when the bridge accepted the reading. */
    acceptedAt: z.number(),
    source: z.enum(['mqtt', 'http']),
    prevSeq: prevSeqSchema,
  })
  .strict();
export type ProveJob = z.infer<typeof proveJobSchema>;

export const relayJobSchema = z
  .object({
    device: hex(32),
    seq: z.string().regex(/^[0-9]+$/),
    modelId: z.number().int().min(0),
    timestamp: dec,
    inputCommitment: hex(32),
    class: z.number().int().min(0).max(255),
    score: dec,
    publicInput: hex(32),
    proof: hex(256),
    acceptedAt: z.number(),
    provedAt: z.number(),
    /** Copied from the prove job; optional until every relay job producer sets it. */
    prevSeq: prevSeqSchema.optional(),
  })
  .strict();
export type RelayJob = z.infer<typeof relayJobSchema>;

/**
 * Reasons a job ends as a dead letter. A dead letter is a BullMQ job in the `failed` set
 * whose `failedReason` starts with `<CODE>: `.
 */
export const DEAD_LETTER_REASONS = [
  // prover (oracle/src/prover/errors.ts)
  'MALFORMED_READING',
  'READING_OUT_OF_RANGE',
  'INVALID_ED25519_SIGNATURE',
  'INVALID_BJJ_SIGNATURE',
  'DEVICE_KEY_MISMATCH',
  'MODEL_MISMATCH',
  'PROOF_INVALID',
  // relayer
  'UNKNOWN_DEVICE',
  'DEVICE_REVOKED',
  'PROGRAM_REJECTED',
  'STALE_SEQ',
  'RETRIES_EXHAUSTED',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export function deadLetterReason(failedReason: string | undefined): string {
  const m = /^([A-Z][A-Z0-9_]*): /.exec(failedReason ?? '');
  return m?.[1] ?? 'RETRIES_EXHAUSTED';
}
