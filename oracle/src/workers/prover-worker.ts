/**
 * The prover worker: consumes `prove` jobs (a signed reading the bridge accepted), proves
 * them once the device gate lets them through, and enqueues the `relay` job under
 * the same `<device>-<seq>` id (so a reading proven twice is still relayed once).
 *
 * Permanent faults (bad reading, bad signature, unknown or revoked device, key mismatch) end
 * the job as a dead letter; anything else is retried with backoff. A short lock lets another
 * worker take over the job of a worker that died mid-proof within seconds.
 */
import { countFailures } from './failures.ts';
import { Queue, Worker, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import {
  DEFAULT_QUEUE_PREFIX,
  DeviceGate,
  QUEUE_PROVE,
  QUEUE_RELAY,
  bigIntToBytesBE,
  proveJobSchema,
  readingJobId,
  relayJobSchema,
  toHex,
  type DeviceDirectory,
  type RelayJob,
  type SignedReading,
} from '@zkpin/sdk';
import { isProverError, type Attestation } from '../prover/index.ts';
import { DEFAULT_PROVER_CONCURRENCY } from '../defaults.ts';
import { deviceVerdict } from './device-verdict.ts';
import { deadLetter, errorMessage, transient } from './errors.ts';
import { OracleMetrics } from './metrics.ts';
import { silentLogger } from './logger.ts';

export interface ProverLike {
  prove(reading: SignedReading): Promise<Attestation>;
}

export interface ProverWorkerOptions {
  /** BullMQ connection: `{ url }`, ioredis options, or an ioredis instance. */
  connection: ConnectionOptions;
  /** Queue key prefix (default `zkpin`). */
  prefix?: string;
  prover: ProverLike;
  /** Where devices are looked up (a NetworkFollower, or any directory of device leaves). */
  follower: DeviceDirectory;
  /** Jobs in flight per worker (default DEFAULT_PROVER_CONCURRENCY, 2: one proving while the next is checked and inferred). */
  concurrency?: number;
  /** Lock on an active job, renewed every half of it (default 5,000 ms). */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died (default 2,500 ms). */
  stalledIntervalMs?: number;
  /** Options of the relay jobs this worker enqueues (attempts, backoff). */
  relayJobOptions?: JobsOptions;
  /** Do not start consuming until `run()` (default: start at once). */
  autorun?: boolean;
  logger?: Logger;
  metrics?: OracleMetrics;
}

export interface ProverWorkerResult {
  outcome: 'proved' | 'already_recorded';
  relayJobId?: string;
  proveMs?: number;
  class?: number;
}

export interface ProverWorkerHandle {
  readonly worker: Worker<unknown, ProverWorkerResult>;
  /** The `relay` queue this worker enqueues into. */
  readonly relayQueue: Queue;
  readonly metrics: OracleMetrics;
  /** Starts consuming (only needed with `autorun: false`). */
  run(): void;
  /** Finishes the jobs in flight (or, with `force`, abandons them to another worker) and closes. */
  close(force?: boolean): Promise<void>;
}

/** Relay jobs: a chain outage of about a minute is retried before a job dead-letters. */
const DEFAULT_RELAY_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: false,
};

export function createProverWorker(o: ProverWorkerOptions): ProverWorkerHandle {
  const prefix = o.prefix ?? DEFAULT_QUEUE_PREFIX;
  const log = (o.logger ?? silentLogger()).child({ component: 'prover-worker' });
  const metrics = o.metrics ?? new OracleMetrics();
  const relayQueue = new Queue(QUEUE_RELAY, { connection: o.connection, prefix });
  const relayJobOptions = { ...DEFAULT_RELAY_JOB_OPTIONS, ...o.relayJobOptions };

  const gate = new DeviceGate(o.follower);

  const process = async (job: Job): Promise<ProverWorkerResult> => {
    const parsed = proveJobSchema.safeParse(job.data);
    if (!parsed.success) {
      // The reading itself (what the device sent) or the rest of the job (what a producer wrote).
      const readingOnly = parsed.error.issues.every((i) => i.path[0] === 'reading');
      throw deadLetter(
        readingOnly ? 'MALFORMED_READING' : 'MALFORMED_JOB',
        `prove job payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    const { reading } = parsed.data;
    const deviceHex = toHex(reading.device);
    const verdict = deviceVerdict(gate, {
      deviceHex,
      seq: reading.seq,
      modelId: reading.modelId,
      bjjPublicKey: reading.bjjPublicKey,
    });
    if (verdict.kind === 'reject') throw deadLetter(verdict.code, verdict.message);
    if (verdict.kind === 'recorded') {
      // A replay of a reading already on-chain: nothing to prove.
      await job.log(`device seq is already ${verdict.leafSeq} >= ${reading.seq}: already recorded`);
      metrics.proofs.inc({ outcome: 'already_recorded' });
      return { outcome: 'already_recorded' };
    }

    const started = performance.now();
    let a: Attestation;
    try {
      a = await o.prover.prove(reading);
    } catch (e) {
      if (isProverError(e)) throw deadLetter(e.code, e.message.slice(e.code.length + 2));
      throw transient(job, `prover: ${errorMessage(e)}`);
    }
    const proveMs = performance.now() - started;
    metrics.proveSeconds.observe(proveMs / 1000);

    const relay: RelayJob = relayJobSchema.parse({
      device: deviceHex,
      seq: reading.seq.toString(),
      modelId: a.fields.modelId,
      timestamp: a.fields.timestamp.toString(),
      inputCommitment: toHex(bigIntToBytesBE(a.fields.inputCommitment, 32)),
      class: a.fields.class,
      score: a.fields.score.toString(),
      proof: toHex(a.proofBytes),
      acceptedAt: parsed.data.acceptedAt,
      prevSeq: parsed.data.prevSeq,
    });
    const relayJobId = readingJobId(deviceHex, reading.seq);
    try {
      await relayQueue.add(QUEUE_RELAY, relay, { ...relayJobOptions, jobId: relayJobId });
    } catch (e) {
      throw transient(job, `enqueue relay job: ${errorMessage(e)}`);
    }
    await job.log(
      `proved in ${proveMs.toFixed(0)} ms (class ${a.fields.class}); relay job ${relayJobId}`,
    );
    metrics.proofs.inc({ outcome: 'proved' });
    return { outcome: 'proved', relayJobId, proveMs: Math.round(proveMs), class: a.fields.class };
  };

  const worker = new Worker<unknown, ProverWorkerResult>(QUEUE_PROVE, process, {
    connection: o.connection,
    prefix,
    concurrency: o.concurrency ?? DEFAULT_PROVER_CONCURRENCY,
    lockDuration: o.lockDurationMs ?? 5_000,
    stalledInterval: o.stalledIntervalMs ?? 2_500,
    maxStalledCount: 3,
    autorun: o.autorun ?? true,
  });
  countFailures(worker, QUEUE_PROVE, metrics, log);
  worker.on('error', (err) => log.error({ err: err.message }, 'prover worker error'));
  relayQueue.on('error', (err) => log.error({ err: err.message }, 'relay queue error'));

  return {
    worker,
    relayQueue,
    metrics,
    run: () => void worker.run(),
    close: async (force = false) => {
      await worker.close(force);
      await relayQueue.close();
    },
  };
}
