/**
 * Admission of validated readings into the `prove` queue, in batches: one Redis round trip per
 * batch, one Lua script (admission.lua) that decides every item atomically, records what it
 * admits and stores its prove job. Per device it keeps the last accepted seq, that reading's
 * ed25519 signature and the seq accepted before it (`prev`). Against that record, in this order:
 * - same seq, same signature: the reading was accepted before → idempotent success with the
 *   same job id and the recorded `prev` (`DUP`, or `DUP_ADD` when its job was missing: the
 *   script stores it again);
 * - same seq, another signature → `SEQ_CONFLICT`; a lower seq → `REPLAYED_SEQ`;
 * - a higher seq (or none recorded) is new: the per-device token bucket (`RATE_LIMITED`) and the
 *   queue's `wait` length (`BACKPRESSURE`) decide; admitted, it becomes the record, its `prev`
 *   the seq it replaces, and its job `<device>-<seq>` is stored.
 * The admitted reading also joins the device's reading index (`deviceReadingsKey`, the newest
 * `DEVICE_READINGS_CAP` seqs), which the oracle's status endpoint reads: only what passed every
 * check before (signature, device gate) and this script gets there. Items of one batch see each
 * other's effects, so two copies of one reading in a batch are one admission and one duplicate.
 *
 * The script writes a job as BullMQ's own `addStandardJob` does for a job without parent,
 * delay, priority or deduplication (hash, `id` counter, `added`/`waiting` events, wait or
 * paused list, worker marker; an existing job is kept as it is); the job's data is completed
 * in the script with the `prevSeq` it decided. test/integration/admission.test.ts compares the
 * result with `addBulk`'s, key by key, for the BullMQ version installed.
 *
 * The record and the job move together, so an acknowledged reading always has its job. A
 * Redis error answers the whole batch UNAVAILABLE (MQTT retries it unacknowledged, HTTP
 * answers 503); whatever the script did before failing is found again as a duplicate.
 *
 * A deferred reading (BACKPRESSURE, or UNAVAILABLE when Redis failed) holds its device: until
 * it is decided, or for at most `deferredHoldMs`, the device's higher seqs are answered BACKPRESSURE
 * without reaching Redis. Without the hold, a seq s + 1 arriving while s waits for its retry
 * (the queue drained meanwhile) would be admitted first, and s would come back REPLAYED_SEQ:
 * lost. The hold is per process; bridges sharing a subscription get a device's messages
 * round-robin and do not keep its order (README, `MQTT_SHARED_GROUP`).
 * Batches run one at a time, so one bridge never races itself; several bridges share the
 * record, and the script's atomicity keeps a seq to one content.
 */
import { readFileSync } from 'node:fs';
import type { Redis, Result } from 'ioredis';
import type { Queue } from 'bullmq';
import {
  DEVICE_READINGS_CAP,
  DEVICE_READINGS_TTL_MS,
  deviceReadingsKey,
  readingJobId,
  type ProveJobData,
} from '@zkpin/sdk';
import type { RejectReason } from './errors.ts';
import type { ValidReading } from './reading-validator.ts';

export interface AdmissionLimits {
  /** Token bucket per device: capacity (burst); 0 disables rate limiting. */
  rateBurst: number;
  /** Token bucket per device: refill in readings per second. */
  ratePerSecond: number;
  /** Reject with BACKPRESSURE when the queue's waiting jobs reach this; 0 disables. */
  maxQueueWaiting: number;
  /** Most readings per Redis batch. */
  maxBatch: number;
  /**
   * How long a deferred reading (BACKPRESSURE, Redis down) holds its device's higher seqs
   * back, in ms: longer than the MQTT retry's longest backoff (5 s), so a reading retried
   * until it is admitted keeps its place; one that never comes back (an HTTP client that gave
   * up) blocks its device no longer than this.
   */
  deferredHoldMs: number;
}

export type AdmissionResult =
  | {
      accepted: true;
      jobId: string;
      /** The same reading was accepted before; `jobId` is that acceptance's job. */
      duplicate: boolean;
      /** The device's previously accepted seq (decimal), null when none was recorded. */
      prevSeq: string | null;
    }
  | { accepted: false; reason: RejectReason; message?: string };

interface Pending {
  item: ValidReading;
  source: 'mqtt' | 'http';
  resolve: (r: AdmissionResult) => void;
}

/** The admission script (KEYS, ARGV and decisions are described at its top). */
const ADMIT_LUA = readFileSync(new URL('./admission.lua', import.meta.url), 'utf8');

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** admission.lua, defined on the connection by `Admission`. */
    zkpinBridgeAdmit(
      numKeys: number,
      ...keysAndArgs: (string | number)[]
    ): Result<string[], Context>;
  }
}

type Decision =
  'OK' | 'DUP' | 'DUP_ADD' | 'SEQ_CONFLICT' | 'REPLAYED_SEQ' | 'RATE_LIMITED' | 'BACKPRESSURE';

/** The name of every prove job the bridge stores. */
export const PROVE_JOB_NAME = 'reading';

/** BullMQ options of every prove job (stored as the job's `opts`, with its `jobId`). */
export const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 3600, count: 10000 },
  removeOnFail: false,
} as const;

export class Admission {
  private readonly pending: Pending[] = [];
  private running: Promise<void> | undefined;
  /** Devices whose reading at `seq` was deferred: their higher seqs wait until `until`. */
  private readonly held = new Map<string, { seq: bigint; until: number }>();
  private nextPrune = 0;
  private readonly waitKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly keyPrefix: string,
    private readonly limits: AdmissionLimits,
  ) {
    this.waitKey = queue.keys.wait!;
    redis.defineCommand('zkpinBridgeAdmit', { lua: ADMIT_LUA });
  }

  /** Redis hash of a device's last accepted reading: `seq`, `sig` (ed25519, hex), `prev` ('' for none). */
  deviceKey(deviceHex: string): string {
    return `${this.keyPrefix}:bridge:last:${deviceHex}`;
  }

  rateKey(deviceHex: string): string {
    return `${this.keyPrefix}:bridge:rate:${deviceHex}`;
  }

  submit(item: ValidReading, source: 'mqtt' | 'http'): Promise<AdmissionResult> {
    return new Promise((resolve) => {
      this.pending.push({ item, source, resolve });
      this.running ??= this.drain();
    });
  }

  /** Resolves when every submitted item has its result. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Let the current tick's messages join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.limits.maxBatch);
        await this.runBatch(batch);
      }
    } finally {
      this.running = undefined;
    }
  }

  /** Answers BACKPRESSURE to a held device's higher seqs; returns the rest. */
  private holdBack(batch: Pending[], now: number): Pending[] {
    if (this.held.size === 0) return batch;
    if (now >= this.nextPrune) {
      // Holds of devices that went quiet end here, not on their next reading.
      for (const [device, hold] of this.held) if (hold.until <= now) this.held.delete(device);
      this.nextPrune = now + this.limits.deferredHoldMs;
    }
    return batch.filter((p) => {
      const hold = this.held.get(p.item.deviceHex);
      if (!hold) return true;
      if (hold.until <= now) {
        this.held.delete(p.item.deviceHex);
        return true;
      }
      if (BigInt(p.item.seq) <= hold.seq) return true;
      p.resolve({
        accepted: false,
        reason: 'BACKPRESSURE',
        message: `this device's seq ${hold.seq} was deferred and goes first; retry later`,
      });
      return false;
    });
  }

  /** Holds a device behind its deferred reading, or lets it go once that reading is decided. */
  private follow(p: Pending, deferred: boolean, now: number): void {
    if (!deferred && this.held.size === 0) return; // the usual case: no BigInt per reading
    const device = p.item.deviceHex;
    const seq = BigInt(p.item.seq);
    const hold = this.held.get(device);
    if (deferred) {
      if (!hold || seq <= hold.seq)
        this.held.set(device, { seq, until: now + this.limits.deferredHoldMs });
    } else if (hold && seq >= hold.seq) {
      this.held.delete(device);
    }
  }

  private async runBatch(all: Pending[]): Promise<void> {
    const now = Date.now();
    const batch = this.holdBack(all, now);
    if (batch.length === 0) return;
    try {
      const { keys: q } = this.queue;
      const keys = [q.wait!, q.paused!, q.meta!, q.id!, q.active!, q.events!, q.marker!];
      const args: (string | number)[] = [
        now,
        this.limits.rateBurst,
        this.limits.ratePerSecond / 1000,
        this.limits.maxQueueWaiting,
        Math.max(
          60_000,
          Math.ceil((this.limits.rateBurst / Math.max(this.limits.ratePerSecond, 1e-9)) * 1000),
        ),
        DEVICE_READINGS_CAP,
        DEVICE_READINGS_TTL_MS,
        PROVE_JOB_NAME,
      ];
      const jobIds = batch.map((p) => readingJobId(p.item.deviceHex, p.item.seq));
      batch.forEach((p, i) => {
        const jobId = jobIds[i]!;
        keys.push(
          this.deviceKey(p.item.deviceHex),
          this.rateKey(p.item.deviceHex),
          this.queue.toKey(jobId),
          deviceReadingsKey(this.keyPrefix, p.item.deviceHex),
        );
        args.push(
          p.item.seq,
          p.item.reading.ed25519Signature,
          jobId,
          proveJobDataHead({ reading: p.item.reading, acceptedAt: now, source: p.source }),
          JSON.stringify({ ...JOB_OPTIONS, jobId }),
        );
      });
      const out = await this.redis.zkpinBridgeAdmit(keys.length, ...keys, ...args);

      batch.forEach((p, i) => {
        const decision = out[2 * i] as Decision;
        const prevSeq = out[2 * i + 1] || null;
        this.follow(p, decision === 'BACKPRESSURE', now);
        if (decision === 'OK' || decision === 'DUP' || decision === 'DUP_ADD') {
          const duplicate = decision !== 'OK';
          p.resolve({ accepted: true, jobId: jobIds[i]!, duplicate, prevSeq });
        } else {
          p.resolve({ accepted: false, reason: decision });
        }
      });
    } catch (e) {
      const message = `Redis failed: ${(e as Error).message}`;
      for (const p of batch) {
        this.follow(p, true, now);
        p.resolve({ accepted: false, reason: 'UNAVAILABLE', message });
      }
    }
  }
}

/**
 * A prove job's data as JSON up to the value of its last field, `prevSeq`, which the admission
 * script decides and appends (`null` or the seq as a JSON string) with the closing brace.
 */
export function proveJobDataHead(data: Omit<ProveJobData, 'prevSeq'>): string {
  const json = JSON.stringify({ ...data, prevSeq: null });
  return json.slice(0, -'null}'.length);
}
