/**
 * Contracts between the bridge, the prover and the relayer: queue names, job ids and job
 * payloads (zod schemas, validated on both sides), and dead-letter reason codes.
 */
import { z } from 'zod';
import type { SignedReading } from './device-keys.ts';
import { DEVICE_GATE_REJECTIONS, type DeviceGateCode } from './device-gate.ts';
import { BABYJUB_L, BN254_R, fromHex } from './field.ts';
import { MAX_WINDOW } from './model-shape.ts';

export const QUEUE_PROVE = 'prove';
export const QUEUE_RELAY = 'relay';
/** Root of every zkpin MQTT topic (the broker ACL grants the bridge `zkpin/v1/#`). */
export const MQTT_TOPIC_ROOT = 'zkpin/v1';

/** The MQTT topic a device publishes its readings to: `zkpin/v1/<network>/devices/<device>/readings`. */
export function readingsTopic(networkHex: string, deviceHex: string): string {
  return `${MQTT_TOPIC_ROOT}/${networkHex}/devices/${deviceHex}/readings`;
}

/** The topic filter of every device of a network (`+` for the device). */
export function networkReadingsFilter(networkHex: string): string {
  return readingsTopic(networkHex, '+');
}

/** The device (hex) of a readings topic, or undefined when `topic` is not one. */
export function readingsTopicDevice(topic: string): string | undefined {
  const parts = topic.split('/');
  return parts.length === 6 &&
    `${parts[0]}/${parts[1]}` === MQTT_TOPIC_ROOT &&
    parts[3] === 'devices' &&
    parts[5] === 'readings'
    ? parts[4]
    : undefined;
}

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
 * Every reading an integer in [-128, 127] (int8), checked in one loop; reports the first bad
 * one, at its index. A per-element `z.number().int().min().max()` cost zod about 0.1 µs an
 * element: a reading of 465 parsed in 67 µs, and in 22 µs this way (48 readings: 14.7 against
 * 10-11 µs; docs/pipeline.md, "Session 13").
 */
function int8Readings(readings: number[], ctx: z.RefinementCtx): void {
  for (let i = 0; i < readings.length; i++) {
    const v = readings[i]!;
    if (!Number.isInteger(v) || v < -128 || v > 127) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be an integer in [-128, 127]',
        path: [i],
        input: v,
      });
      return;
    }
  }
}

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
 * exactly one encoding, so the JSON and the signed 294 + n bytes correspond one to one.
 */
export const signedReadingJsonSchema = z
  .object({
    network: hex(32),
    device: hex(32),
    seq: u64,
    timestamp: i64,
    modelId: z.number().int().min(0).max(0xffffffff),
    readings: z.array(z.number()).min(1).max(MAX_WINDOW).superRefine(int8Readings),
    salt: hex(32),
    ed25519Signature: hex(64),
    bjjPublicKey: z.object({ ax: belowR, ay: belowR }).strict(),
    bjjSignature: z.object({ r8x: belowR, r8y: belowR, s: belowL }).strict(),
  })
  .strict();

/**
 * `signedReadingJsonSchema` parsing straight into the typed `SignedReading` (bytes and
 * bigints): the one parser of a reading, used by the bridge and the prover worker.
 */
export const signedReadingSchema = signedReadingJsonSchema.transform((o): SignedReading => ({
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
}));

/** The first problem zod found, as `<path>: <message>` (what a rejection reports). */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

/**
 * A `prove` job: the reading as the device sent it (JSON, which the bridge checked against
 * the same schema) and what the bridge knew when it accepted it. Parsing gives the typed
 * reading; `ProveJobData` is what producers write.
 */
export const proveJobSchema = z
  .object({
    reading: signedReadingSchema,
    /** Milliseconds since the epoch when the bridge accepted the reading. */
    acceptedAt: z.number(),
    source: z.enum(['mqtt', 'http']),
    prevSeq: prevSeqSchema,
  })
  .strict();
export type ProveJobData = z.input<typeof proveJobSchema>;
export type ProveJob = z.output<typeof proveJobSchema>;

/**
 * A `relay` job: what `submit_attestation` needs besides the device leaf and its proof, which
 * the relayer takes from its replica. `modelId` is checked against the leaf by the device gate.
 */
export const relayJobSchema = z
  .object({
    device: hex(32),
    seq: u64,
    modelId: z.number().int().min(0).max(0xffffffff),
    timestamp: i64,
    inputCommitment: hex(32),
    class: z.number().int().min(0).max(255),
    score: i64,
    proof: hex(256),
    acceptedAt: z.number(),
    prevSeq: prevSeqSchema,
  })
  .strict();
export type RelayJob = z.infer<typeof relayJobSchema>;

/**
 * The prover's own rejections of a reading (`ProverError` codes in oracle/src/prover, typed
 * from this list), with what each means.
 */
export const PROVER_REJECTIONS = {
  MALFORMED_READING:
    'the reading does not match the SignedReading schema (fields, sizes, ranges, canonical values)',
  INVALID_ED25519_SIGNATURE:
    'the device ed25519 signature does not verify over the canonical reading bytes',
  INVALID_BJJ_SIGNATURE: 'the device BabyJubJub EdDSA-Poseidon signature does not verify',
  MODEL_MISMATCH: 'the reading, the ONNX model and the circuit disagree on the model or its result',
  WINDOW_MISMATCH: "the reading's window does not have its model's number of readings",
  PROOF_INVALID: 'the generated proof did not verify off-chain',
} as const;
export type ProverRejection = keyof typeof PROVER_REJECTIONS;

/**
 * Permanent outcomes a reading meets in the workers besides the prover's own and the device
 * gate's (`DEVICE_GATE_REJECTIONS`; its `REPLAYED_SEQ` becomes "already recorded" when that
 * seq is on-chain, `STALE_SEQ` when it never can be).
 */
export const WORKER_REJECTIONS = {
  MALFORMED_JOB: 'the job payload does not match its queue schema (not the reading itself)',
  PROGRAM_REJECTED: 'a program refused the attestation (named error and number)',
  STALE_SEQ: 'a later reading of the device was recorded first; this one never can be',
  RPC_UNAVAILABLE:
    "the cluster's JSON-RPC endpoint failed through every attempt (connection refused or reset, timeouts, HTTP 429 or 5xx, transactions neither confirmed nor expired); the message says whether a signed version could still land",
  RETRIES_EXHAUSTED:
    'transient failures (Redis, a replica behind the chain, ...) outlasted every attempt',
} as const;

/** Device gate reasons that end a job as a dead letter (all but `REPLAYED_SEQ`). */
export type GateDeadLetter = Exclude<DeviceGateCode, 'REPLAYED_SEQ'>;

/**
 * Reasons a job ends as a dead letter, derived from the stages' own codes. A dead letter is a
 * BullMQ job in the `failed` set whose `failedReason` starts with `<CODE>: `.
 */
export type DeadLetterReason = ProverRejection | GateDeadLetter | keyof typeof WORKER_REJECTIONS;

/** Every dead-letter reason with what it means. */
export const DEAD_LETTER_MEANINGS: Record<DeadLetterReason, string> = {
  ...PROVER_REJECTIONS,
  UNKNOWN_DEVICE: DEVICE_GATE_REJECTIONS.UNKNOWN_DEVICE,
  DEVICE_REVOKED: DEVICE_GATE_REJECTIONS.DEVICE_REVOKED,
  BJJ_KEY_MISMATCH: DEVICE_GATE_REJECTIONS.BJJ_KEY_MISMATCH,
  ...WORKER_REJECTIONS,
  // The gate's and the prover's MODEL_MISMATCH are one reason: the reading does not fit the model.
  MODEL_MISMATCH: `${DEVICE_GATE_REJECTIONS.MODEL_MISMATCH}; or ${PROVER_REJECTIONS.MODEL_MISMATCH}`,
};
export const DEAD_LETTER_REASONS = Object.keys(DEAD_LETTER_MEANINGS) as DeadLetterReason[];

export function deadLetterReason(failedReason: string | undefined): string {
  const m = /^([A-Z][A-Z0-9_]*): /.exec(failedReason ?? '');
  return m?.[1] ?? 'RETRIES_EXHAUSTED';
}
