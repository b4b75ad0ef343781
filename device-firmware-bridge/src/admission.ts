/**
 * Admission of validated readings into the `prove` queue, in batches.
 *
 * Per batch, three Redis round trips:
 * 1. one Lua script decides every item atomically: per-device token bucket, seq strictly
 *    above the last accepted seq (the same seq again is DUPLICATE, a lower one REPLAYED_SEQ,
 *    also between items of the batch), and backpressure (the queue's `wait` list length plus
 *    the items admitted so far must stay under the limit);
 * 2. `addBulk` of the admitted jobs, each with job id `<device>-<seq>`;
 * 3. a Lua script that advances each device's last accepted seq (only ever upwards).
 *
 * The seq advances only after the job is in Redis, so a crash between 2 and 3 loses nothing:
 * the device's retry passes step 1 again and BullMQ's job-id dedup returns the same job. A
 * crash before 2 means no 202/PUBACK-backed acceptance was recorded, and the retry is admitted.
 * Batches run one at a time, so one bridge never races itself; several bridges share the
 * Redis state and the job-id dedup keeps a seq to one job.
 */
import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import { readingJobId, type ProveJob } from '@zkpin/sdk';
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
}

export type AdmissionResult =
  { accepted: true; jobId: string } | { accepted: false; reason: RejectReason; message?: string };

interface Pending {
  item: ValidReading;
  source: 'mqtt' | 'http';
  resolve: (r: AdmissionResult) => void;
}

const DECIDE = `
local function gt(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
local now = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local refill = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local budget = -1
if limit > 0 then budget = limit - redis.call('LLEN', KEYS[1]) end
local n = (#KEYS - 1) / 2
local out = {}
local pending = {}
for i = 1, n do
  local sk = KEYS[2 * i]
  local rk = KEYS[2 * i + 1]
  local seq = ARGV[5 + i]
  local r = 'OK'
  if cap > 0 then
    local b = redis.call('HMGET', rk, 't', 'ts')
    local tokens = tonumber(b[1]) or cap
    local ts = tonumber(b[2]) or now
    if now > ts then tokens = math.min(cap, tokens + (now - ts) * refill) end
    if tokens < 1 then r = 'RATE_LIMITED' else tokens = tokens - 1 end
    redis.call('HSET', rk, 't', tostring(tokens), 'ts', tostring(math.max(now, ts)))
    redis.call('PEXPIRE', rk, ttl)
  end
  if r == 'OK' then
    local last = pending[sk] or redis.call('GET', sk)
    if last then
      if last == seq then r = 'DUPLICATE' elseif not gt(seq, last) then r = 'REPLAYED_SEQ' end
    end
  end
  if r == 'OK' and budget >= 0 then
    if budget <= 0 then r = 'BACKPRESSURE' else budget = budget - 1 end
  end
  if r == 'OK' then pending[sk] = seq end
  out[i] = r
end
return out
`;

const COMMIT = `
local function gt(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
for i = 1, #KEYS do
  local cur = redis.call('GET', KEYS[i])
  if not cur or gt(ARGV[i], cur) then redis.call('SET', KEYS[i], ARGV[i]) end
end
return #KEYS
`;

export const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 3600, count: 10000 },
  removeOnFail: false,
} as const;

export class Admission {
  private readonly pending: Pending[] = [];
  private running: Promise<void> | undefined;
  private readonly waitKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly keyPrefix: string,
    private readonly limits: AdmissionLimits,
  ) {
    this.waitKey = `${keyPrefix}:${queue.name}:wait`;
    redis.defineCommand('zkpinBridgeDecide', { lua: DECIDE });
    redis.defineCommand('zkpinBridgeCommit', { lua: COMMIT });
  }

  /** Redis key of a device's last accepted seq. */
  seqKey(deviceHex: string): string {
    return `${this.keyPrefix}:bridge:seq:${deviceHex}`;
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

  private async runBatch(batch: Pending[]): Promise<void> {
    try {
      const now = Date.now();
      const keys = [this.waitKey];
      const args: (string | number)[] = [
        now,
        this.limits.rateBurst,
        this.limits.ratePerSecond / 1000,
        this.limits.maxQueueWaiting,
        Math.max(
          60_000,
          Math.ceil((this.limits.rateBurst / Math.max(this.limits.ratePerSecond, 1e-9)) * 1000),
        ),
      ];
      for (const p of batch) {
        keys.push(this.seqKey(p.item.deviceHex), this.rateKey(p.item.deviceHex));
        args.push(p.item.seq);
      }
      const decide = (
        this.redis as unknown as Record<string, (...a: unknown[]) => Promise<string[]>>
      )['zkpinBridgeDecide']!;
      const decisions = await decide.call(this.redis, keys.length, ...keys, ...args);
      const admitted: Pending[] = [];
      batch.forEach((p, i) => {
        const d = decisions[i] as RejectReason | 'OK';
        if (d === 'OK') admitted.push(p);
        else p.resolve({ accepted: false, reason: d });
      });
      if (admitted.length === 0) return;
      const acceptedAt = Date.now();
      await this.queue.addBulk(
        admitted.map((p) => ({
          name: 'reading',
          data: { reading: p.item.reading, acceptedAt, source: p.source } satisfies ProveJob,
          opts: { ...JOB_OPTIONS, jobId: readingJobId(p.item.deviceHex, p.item.seq) },
        })),
      );
      const commit = (
        this.redis as unknown as Record<string, (...a: unknown[]) => Promise<number>>
      )['zkpinBridgeCommit']!;
      await commit.call(
        this.redis,
        admitted.length,
        ...admitted.map((p) => this.seqKey(p.item.deviceHex)),
        ...admitted.map((p) => p.item.seq),
      );
      for (const p of admitted)
        p.resolve({ accepted: true, jobId: readingJobId(p.item.deviceHex, p.item.seq) });
    } catch (e) {
      const message = `Redis failed: ${(e as Error).message}`;
      for (const p of batch) p.resolve({ accepted: false, reason: 'UNAVAILABLE', message });
    }
  }
}
