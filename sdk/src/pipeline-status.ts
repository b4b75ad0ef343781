/**
 * The pipeline state of a device's recent readings, as the oracle's status endpoint tells it
 * (`GET /v1/devices/<device>/readings`, oracle/src/status/): the states, the answer's schema,
 * the Redis key of the bridge's per-device index, and a browser-safe client.
 *
 * The bridge adds each reading it admits (ed25519 signature verified, device gate passed,
 * seq above the device's last) to a capped per-device index in the same Lua script that admits
 * it; the oracle reads the newest seqs from it and derives each one's state from the reading's
 * `prove` and `relay` jobs (docs/pipeline.md, "Pipeline status").
 */
import { PublicKey } from '@solana/web3.js';
import { z } from 'zod';
import { DEAD_LETTER_MEANINGS } from './pipeline.ts';
import { toHex } from './field.ts';

/** What each state means, in words an owner reads. */
export const READING_STATES = {
  accepted: 'accepted by the bridge, waiting for a prover',
  proving: 'a prover is checking the reading and proving its inference',
  relayed: 'proven and handed to the relayer, which sends it to the chain',
  recorded: 'recorded on-chain',
  dead_letter: 'stopped for good; the reason says why',
  unknown:
    'no job holds the reading any more (removed some time after it ended, or dropped by an operator) and the chain replica does not say it was recorded',
} as const;
export type ReadingState = keyof typeof READING_STATES;
export const READING_STATE_NAMES = Object.keys(READING_STATES) as ReadingState[];

/** Most readings one status request may ask for, and how many it gets without `limit`. */
export const PIPELINE_STATUS_MAX_LIMIT = 100;
export const PIPELINE_STATUS_DEFAULT_LIMIT = 20;
/**
 * How many accepted seqs the bridge keeps per device (the newest): what one request may ask
 * for. Under Redis's `zset-max-listpack-entries` (128), so an index stays a compact listpack
 * (about 4 KB per device).
 */
export const DEVICE_READINGS_CAP = PIPELINE_STATUS_MAX_LIMIT;
/** An index untouched this long (no reading admitted) expires: 30 days. */
export const DEVICE_READINGS_TTL_MS = 30 * 24 * 3600 * 1000;

/**
 * Redis key of a device's reading index: a sorted set whose members all have score 0, so
 * that they sort by member, `<seq zero-padded to 20 digits>:<acceptedAt ms>` (seq order, as
 * a u64 would not fit a score's double). The bridge writes it, the oracle reads it.
 */
export function deviceReadingsKey(prefix: string, deviceHex: string): string {
  return `${prefix}:readings:${deviceHex}`;
}

/** A member of the index (admission.lua writes the same form). */
export function deviceReadingsMember(seq: bigint | string, acceptedAt: number): string {
  return `${seq.toString().padStart(20, '0')}:${acceptedAt}`;
}

/** A member of the index: the seq (decimal, canonical) and when the bridge accepted it. */
export function parseDeviceReadingsMember(
  member: string,
): { seq: string; acceptedAt: number } | undefined {
  const m = /^([0-9]{20}):([0-9]{1,16})$/.exec(member);
  if (!m) return undefined;
  return { seq: m[1]!.replace(/^0+(?=.)/, ''), acceptedAt: Number(m[2]) };
}

/** A device key as the endpoint takes it, base58 or 64 hex digits, as hex; undefined if neither. */
export function parseDeviceKey(device: string): string | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(device)) return device.toLowerCase();
  if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(device)) return undefined;
  try {
    return toHex(new PublicKey(device).toBytes());
  } catch {
    return undefined;
  }
}

const u64String = z.string().regex(/^(0|[1-9][0-9]{0,19})$/, 'a decimal u64');
const millis = z.number().int().nonnegative();

/** One reading's state. */
export const readingStatusSchema = z.strictObject({
  seq: u64String,
  state: z.enum(READING_STATE_NAMES as [ReadingState, ...ReadingState[]]),
  /** When the bridge accepted it (ms since the epoch). */
  acceptedAt: millis,
  /** When its job last changed (started, finished, failed), if a job still holds it. */
  updatedAt: millis.optional(),
  /**
   * `dead_letter`: the reason's code (`DEAD_LETTER_MEANINGS`; a newer oracle may name a code
   * this SDK does not know, so any code is accepted).
   */
  reason: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .optional(),
  /** `dead_letter`: the failure's message; a job being retried: its last error. */
  message: z.string().optional(),
  /** Attempts made by the job that holds the reading now (present once it failed at least once). */
  attempts: z.number().int().nonnegative().optional(),
  /** The stage whose job the state comes from. */
  stage: z.enum(['prove', 'relay']).optional(),
});
export type ReadingStatus = z.infer<typeof readingStatusSchema>;

/** The answer of `GET /v1/devices/<device>/readings`: newest first. */
export const deviceReadingsAnswerSchema = z.strictObject({
  /** The device (base58). */
  device: z.string(),
  readings: z.array(readingStatusSchema).max(PIPELINE_STATUS_MAX_LIMIT),
});
export type DeviceReadingsAnswer = z.infer<typeof deviceReadingsAnswerSchema>;

/** Error codes of the endpoint (HTTP status in parentheses). */
export type PipelineStatusErrorCode =
  | 'BAD_DEVICE' // (400) not a base58 or hex public key
  | 'BAD_LIMIT' // (400) limit not an integer in 1..100
  | 'NOT_FOUND' // (404) no such path
  | 'METHOD_NOT_ALLOWED' // (405) not GET, HEAD or OPTIONS
  | 'RATE_LIMITED' // (429) too many requests from this address; Retry-After says when
  | 'UNAVAILABLE'; // (503) the queues' Redis did not answer

/** The endpoint's error answer: `{ error: { code, message } }`. */
export const pipelineStatusErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

/** What an owner reads for a reading's state: the state in words, a dead letter's reason and its meaning. */
export function describeReadingStatus(r: ReadingStatus): string {
  if (r.state === 'dead_letter') {
    const code = r.reason ?? 'RETRIES_EXHAUSTED';
    const meaning = (DEAD_LETTER_MEANINGS as Record<string, string | undefined>)[code];
    return `dead letter: ${code}${meaning ? ` — ${meaning}` : ''}`;
  }
  const retry =
    r.attempts && r.message
      ? ` (retrying after ${r.attempts} failed attempt${r.attempts === 1 ? '' : 's'}: ${r.message})`
      : '';
  return `${r.state.replace('_', ' ')}${retry}`;
}

// ---------------------------------------------------------------- client

export type PipelineStatusClientErrorCode =
  | 'PIPELINE_STATUS_HTTP_ERROR' // no answer, or an answer that is not JSON
  | 'PIPELINE_STATUS_REFUSED' // the endpoint's error answer (context.status, context.code)
  | 'PIPELINE_STATUS_BAD_ANSWER'; // an answer that does not match the schema

export class PipelineStatusClientError extends Error {
  constructor(
    readonly code: PipelineStatusClientErrorCode,
    message: string,
    readonly context: { url: string; status?: number; endpointCode?: string } = { url: '' },
  ) {
    super(message);
    this.name = 'PipelineStatusClientError';
  }
}

export function isPipelineStatusClientError(
  e: unknown,
  code?: PipelineStatusClientErrorCode,
): e is PipelineStatusClientError {
  return e instanceof PipelineStatusClientError && (code === undefined || e.code === code);
}

export interface PipelineStatusClientOptions {
  fetch?: typeof fetch;
  /** Longest one call may take, in ms (default 10,000). */
  timeoutMs?: number;
}

/** Reads the oracle's status endpoint (fetch only: browser and Node); every answer is validated. */
export class PipelineStatusClient {
  private readonly fetch: typeof fetch;

  /** `baseUrl`: the endpoint's root, e.g. `http://127.0.0.1:9465/`. */
  constructor(
    readonly baseUrl: string,
    private readonly o: PipelineStatusClientOptions = {},
  ) {
    this.fetch = o.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** The device's newest readings (base58 or hex key), newest first. */
  async deviceReadings(
    device: string,
    o: { limit?: number; signal?: AbortSignal } = {},
  ): Promise<DeviceReadingsAnswer> {
    const url = new URL(`v1/devices/${encodeURIComponent(device)}/readings`, this.baseUrl);
    if (o.limit !== undefined) url.searchParams.set('limit', String(o.limit));
    const timeout = AbortSignal.timeout(this.o.timeoutMs ?? 10_000);
    const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
    const where = { url: url.href };
    let res: Response;
    let body: unknown;
    try {
      res = await this.fetch(url.href, { headers: { accept: 'application/json' }, signal });
      body = await res.json();
    } catch (e) {
      const why = timeout.aborted
        ? `no answer within ${this.o.timeoutMs ?? 10_000} ms`
        : e instanceof Error
          ? e.message
          : String(e);
      throw new PipelineStatusClientError(
        'PIPELINE_STATUS_HTTP_ERROR',
        `the pipeline status endpoint (${url.origin}) did not answer: ${why}`,
        where,
      );
    }
    if (!res.ok) {
      const err = pipelineStatusErrorSchema.safeParse(body);
      throw new PipelineStatusClientError(
        'PIPELINE_STATUS_REFUSED',
        err.success
          ? `pipeline status: ${err.data.error.message}`
          : `pipeline status: HTTP ${res.status}`,
        {
          ...where,
          status: res.status,
          endpointCode: err.success ? err.data.error.code : undefined,
        },
      );
    }
    const parsed = deviceReadingsAnswerSchema.safeParse(body);
    if (!parsed.success)
      throw new PipelineStatusClientError(
        'PIPELINE_STATUS_BAD_ANSWER',
        `pipeline status: the answer does not match the schema: ${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`,
        where,
      );
    return parsed.data;
  }
}
