/**
 * A device's recent readings and their pipeline state, read from Redis: the seqs from the
 * bridge's per-device index (`deviceReadingsKey`, newest first), each one's state from its
 * `relay` job, else its `prove` job (both have the id `readingJobId(device, seq)`), else from
 * the chain replica (docs/pipeline.md, "Pipeline status"):
 *
 * | job that holds it            | BullMQ state                                  | state         |
 * | ---------------------------- | --------------------------------------------- | ------------- |
 * | relay                        | completed                                     | `recorded`    |
 * | relay                        | failed                                        | `dead_letter` |
 * | relay                        | waiting, delayed, prioritized, active         | `relayed`     |
 * | prove (no relay job)         | waiting, delayed, prioritized                 | `accepted`    |
 * | prove                        | active                                        | `proving`     |
 * | prove                        | failed                                        | `dead_letter` |
 * | prove                        | completed as `already_recorded`               | `recorded`    |
 * | none (or a proved prove job) | the replica has the seq recorded              | `recorded`    |
 * | none (or a proved prove job) | otherwise                                     | `unknown`     |
 *
 * BullMQ moves a failed attempt that will be retried to `delayed` (or `waiting`), never to
 * `failed`: a job in `failed` is final, a dead letter; a job being retried keeps its state
 * and carries `attempts` and its last error as `message`.
 */
import { Queue, type ConnectionOptions, type Job } from 'bullmq';
import {
  QUEUE_PROVE,
  QUEUE_RELAY,
  deadLetterReason,
  deviceReadingsKey,
  parseDeviceReadingsMember,
  readingJobId,
  type DeviceDirectory,
  type ReadingStatus,
} from '@zkpin/sdk';

export interface ReadingStatusReaderOptions {
  /** The queues' Redis (BullMQ connection options or an ioredis instance). */
  connection: ConnectionOptions;
  /** Queue key prefix (the bridge's and the workers'). */
  prefix: string;
  /** Says whether a seq whose jobs are gone was recorded (a NetworkFollower). */
  directory?: Pick<DeviceDirectory, 'isRecorded'>;
}

/** Longest message an answer carries. */
const MAX_MESSAGE = 500;

/**
 * A failure's message as the endpoint shows it: URLs (an RPC endpoint's may carry an API key)
 * replaced by `<url>`, cut at 500 characters.
 */
export function publicMessage(message: string): string {
  const m = message.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>()]+/gi, '<url>');
  return m.length > MAX_MESSAGE ? `${m.slice(0, MAX_MESSAGE - 1)}…` : m;
}

export class ReadingStatusReader {
  readonly proveQueue: Queue;
  readonly relayQueue: Queue;

  constructor(private readonly o: ReadingStatusReaderOptions) {
    this.proveQueue = new Queue(QUEUE_PROVE, { connection: o.connection, prefix: o.prefix });
    this.relayQueue = new Queue(QUEUE_RELAY, { connection: o.connection, prefix: o.prefix });
  }

  /** The device's newest `limit` readings the bridge accepted, newest first. */
  async deviceReadings(deviceHex: string, limit: number): Promise<ReadingStatus[]> {
    const redis = await this.proveQueue.client;
    const members = await redis.zrevrange(
      deviceReadingsKey(this.o.prefix, deviceHex),
      0,
      limit - 1,
    );
    const entries = members.flatMap((m) => parseDeviceReadingsMember(m) ?? []);
    return Promise.all(entries.map((e) => this.reading(deviceHex, e.seq, e.acceptedAt)));
  }

  /** One reading's state (its jobs read concurrently). */
  async reading(deviceHex: string, seq: string, acceptedAt: number): Promise<ReadingStatus> {
    const id = readingJobId(deviceHex, seq);
    const [relay, prove] = await Promise.all([
      this.relayQueue.getJob(id),
      this.proveQueue.getJob(id),
    ]);
    const [relayState, proveState] = await Promise.all([relay?.getState(), prove?.getState()]);
    const fromRelay = relay && relayState && this.fromJob('relay', relay, relayState, seq);
    if (fromRelay) return { acceptedAt: acceptedAtOf(relay, acceptedAt), ...fromRelay };
    const fromProve = prove && proveState && this.fromJob('prove', prove, proveState, seq);
    if (fromProve) return { acceptedAt: acceptedAtOf(prove, acceptedAt), ...fromProve };
    const recorded = this.o.directory?.isRecorded?.(deviceHex, BigInt(seq)) === true;
    return {
      seq,
      state: recorded ? 'recorded' : 'unknown',
      acceptedAt: prove ? acceptedAtOf(prove, acceptedAt) : acceptedAt,
    };
  }

  /** The state a job says, or undefined when it says nothing (gone, or proved without a relay job). */
  private fromJob(
    stage: 'prove' | 'relay',
    job: Job,
    state: string,
    seq: string,
  ): Omit<ReadingStatus, 'acceptedAt'> | undefined {
    const updatedAt = job.finishedOn ?? job.processedOn ?? job.timestamp;
    const base = { seq, stage, updatedAt };
    if (state === 'failed') {
      const failed = job.failedReason ?? '';
      const reason = deadLetterReason(failed);
      return {
        ...base,
        state: 'dead_letter',
        reason,
        message: publicMessage(
          failed.startsWith(`${reason}: `) ? failed.slice(reason.length + 2) : failed,
        ),
        attempts: job.attemptsMade,
      };
    }
    if (state === 'completed') {
      if (stage === 'relay') return { ...base, state: 'recorded' };
      const outcome = (job.returnvalue as { outcome?: string } | null)?.outcome;
      return outcome === 'already_recorded' ? { ...base, state: 'recorded' } : undefined;
    }
    if (state === 'unknown') return undefined; // removed since getJob
    const retrying =
      job.attemptsMade > 0 && job.failedReason
        ? { attempts: job.attemptsMade, message: publicMessage(job.failedReason) }
        : {};
    if (stage === 'relay') return { ...base, state: 'relayed', ...retrying };
    return { ...base, state: state === 'active' ? 'proving' : 'accepted', ...retrying };
  }

  async close(): Promise<void> {
    await this.proveQueue.close();
    await this.relayQueue.close();
  }
}

/** The job's `acceptedAt` (both job payloads carry it), else the index's. */
function acceptedAtOf(job: Job, fallback: number): number {
  const v = (job.data as { acceptedAt?: unknown } | null)?.acceptedAt;
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : fallback;
}
