/**
 * The relayer: consumes `relay` jobs (a proof of one reading) and records them on-chain with
 * `submit_attestation`. This file wires the rooms of `relay/` together:
 *
 * - `../device-verdict.ts`: the device checks at the start of a job;
 * - `relay/ordering.ts`: a job waits while its device's previous reading is in flight;
 * - `relay/replica.ts`: the device proof, from a replica checked against the on-chain root;
 * - `relay/record-tree.ts`: which of the network's record trees (shards) a job appends to:
 *   jobs in flight at the same time lease different trees, so their transactions write-lock
 *   disjoint accounts (the network account is read-only);
 * - `relay/transaction.ts`: instruction, compute budget, lookup table, size;
 * - `relay/send.ts`: send, confirm, metrics;
 * - `relay/classify.ts`: a failed send → dead letter or retry.
 *
 * Outcomes of a job:
 * - `recorded`: the transaction confirmed;
 * - `already_recorded`: the device's seq is already at (or past) the job's seq — a reading
 *   seen twice, a replayed old seq, or a retry after a send whose confirmation was lost;
 * - retried with backoff: RPC faults (after the send's own retries: `ChainError` codes
 *   `CHAIN_RPC_UNAVAILABLE`, `CHAIN_CONFIRM_TIMEOUT`, `CHAIN_BLOCKHASH_EXPIRED`), a replica
 *   behind the chain; the next attempt follows the version the last one signed (job progress
 *   `inFlight`, relay/send.ts) before it signs another;
 * - dead letter: `PROGRAM_REJECTED: <program>: <Error> (<code>)`, `DEVICE_REVOKED`,
 *   `UNKNOWN_DEVICE`, `STALE_SEQ` (a later reading of the device was recorded first),
 *   `MALFORMED_JOB`, `RPC_UNAVAILABLE` (RPC faults through every attempt),
 *   `RETRIES_EXHAUSTED` (other transient failures through every attempt).
 */
import type { AddressLookupTableAccount, Keypair, PublicKey } from '@solana/web3.js';
import {
  DelayedError,
  Queue,
  UnrecoverableError,
  Worker,
  type ConnectionOptions,
  type Job,
} from 'bullmq';
import type { Logger } from 'pino';
import {
  DEFAULT_QUEUE_PREFIX,
  DeviceGate,
  QUEUE_PROVE,
  QUEUE_RELAY,
  isChainError,
  isRpcUnavailable,
  relayJobSchema,
  type Chain,
  type NetworkFollower,
  type ProgramIds,
  type RelayJob,
} from '@zkpin/sdk';
import { DEFAULT_COMPUTE_UNIT_LIMIT, DEFAULT_RELAYER_CONCURRENCY } from '../defaults.ts';
import { deviceVerdict, seqVerdict, type FinalVerdict } from './device-verdict.ts';
import { TransientError, deadLetter, errorMessage, isLastAttempt, transient } from './errors.ts';
import { countFailures } from './failures.ts';
import { silentLogger } from './logger.ts';
import { OracleMetrics } from './metrics.ts';
import { classifySendError } from './relay/classify.ts';
import { ReadingOrder } from './relay/ordering.ts';
import { RecordTreePool } from './relay/record-tree.ts';
import { syncedDeviceProof } from './relay/replica.ts';
import { countDelivery, inFlightOf, sendAttestation, type RelayResult } from './relay/send.ts';
import { AttestationTransactions } from './relay/transaction.ts';

export type { RelayResult } from './relay/send.ts';

export interface RelayerOptions {
  connection: ConnectionOptions;
  prefix?: string;
  chain: Chain;
  /** A started NetworkFollower of this network (device leaves and device tree replicas). */
  follower: NetworkFollower;
  /** Oracle key in the network's oracle set; pays and signs. */
  submitter: Keypair;
  /**
   * The network (`setUpNetwork`'s result fits). Record writes are spread over `recordTrees`
   * (else `recordTree`, else every record tree the follower knows, else the Network account's
   * last one).
   */
  setup: { network: PublicKey; recordTree?: PublicKey; recordTrees?: readonly PublicKey[] };
  /** Priority fee (ComputeBudgetProgram.setComputeUnitPrice); none by default. */
  priorityFeeMicroLamports?: number;
  /** default DEFAULT_COMPUTE_UNIT_LIMIT (130,000) */
  computeUnitLimit?: number;
  /** The deployment's program ids (default: the localnet build's). */
  programIds?: ProgramIds;
  /** Send v0 transactions through this lookup table (smaller transactions: deeper trees, fees). */
  lookupTable?: AddressLookupTableAccount;
  /** Jobs in flight per relayer (default DEFAULT_RELAYER_CONCURRENCY, 1: a device's seqs land in order). */
  concurrency?: number;
  /** default 30,000 ms (a confirmation over RPC can take seconds) */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How long to wait for the replica to reach the on-chain root before retrying (default 2,000 ms). */
  replicaWaitMs?: number;
  /** Delay of a job waiting for its device's previous reading (default 250 ms). */
  seqWaitDelayMs?: number;
  autorun?: boolean;
  logger?: Logger;
  metrics?: OracleMetrics;
}

export interface RelayerHandle {
  readonly worker: Worker<unknown, RelayResult>;
  readonly metrics: OracleMetrics;
  /** The record trees this relayer spreads writes over, and its jobs in flight on each. */
  readonly recordTrees: RecordTreePool;
  run(): void;
  close(force?: boolean): Promise<void>;
}

function parseRelayJob(data: unknown): RelayJob {
  const parsed = relayJobSchema.safeParse(data);
  if (!parsed.success) {
    throw deadLetter(
      'MALFORMED_JOB',
      `relay job payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/**
 * `message`, and on the job's last attempt what became of the version an earlier attempt
 * signed: it may still land until its blockhash expires, and a retry follows it first.
 */
function withInFlight(job: Job, message: string, e: unknown): string {
  const v = inFlightOf(job);
  const expired = isChainError(e) && e.code === 'CHAIN_BLOCKHASH_EXPIRED';
  if (!v || expired || !isLastAttempt(job)) return message;
  return `${message}; the last signed version ${v.signature} is valid through block height ${v.lastValidBlockHeight} and may still land (zkpin-oracle retry follows it before signing another)`;
}

export function createRelayer(o: RelayerOptions): RelayerHandle {
  const prefix = o.prefix ?? DEFAULT_QUEUE_PREFIX;
  const log = (o.logger ?? silentLogger()).child({ component: 'relayer' });
  const metrics = o.metrics ?? new OracleMetrics();
  const proveQueue = new Queue(QUEUE_PROVE, { connection: o.connection, prefix });
  const relayQueue = new Queue(QUEUE_RELAY, { connection: o.connection, prefix });
  const replicaWaitMs = o.replicaWaitMs ?? 2_000;
  const order = new ReadingOrder(relayQueue, proveQueue, o.seqWaitDelayMs ?? 250);
  const recordTrees = new RecordTreePool(o.chain, o.setup.network, {
    trees: o.setup.recordTrees ?? (o.setup.recordTree ? [o.setup.recordTree] : undefined),
    follower: o.follower,
    startKey: o.submitter.publicKey,
  });
  const transactions = new AttestationTransactions({
    submitter: o.submitter.publicKey,
    network: o.setup.network,
    computeUnitLimit: o.computeUnitLimit ?? DEFAULT_COMPUTE_UNIT_LIMIT,
    priorityFeeMicroLamports: o.priorityFeeMicroLamports,
    lookupTable: o.lookupTable,
    programIds: o.programIds,
    log,
  });

  const gate = new DeviceGate(o.follower);

  /** A verdict that ends the job: already recorded, or a dead letter. */
  async function settle(job: Job, v: FinalVerdict): Promise<RelayResult> {
    if (v.kind === 'reject') throw deadLetter(v.code, v.message);
    const seq = BigInt((job.data as RelayJob).seq);
    const inFlight = inFlightOf(job);
    await job.log(
      (v.known
        ? `device seq is already ${v.leafSeq} >= ${seq}: already recorded`
        : `device seq is already ${v.leafSeq} >= ${seq}: recorded before the replica's recent window`) +
        (inFlight ? ` (the last version this job signed: ${inFlight.signature})` : ''),
    );
    metrics.relayed.inc({ outcome: 'already_recorded' });
    return { outcome: 'already_recorded' };
  }

  const processJob = async (job: Job, token?: string): Promise<RelayResult> => {
    const r = parseRelayJob(job.data);
    const seq = BigInt(r.seq);
    const verdict = deviceVerdict(gate, { deviceHex: r.device, seq, modelId: r.modelId });
    if (verdict.kind !== 'proceed') return settle(job, verdict);
    const prevSeq = r.prevSeq == null ? undefined : BigInt(r.prevSeq);
    await order.awaitPrevious(job, token, r.device, seq, prevSeq, verdict.leafSeq);

    const device = await syncedDeviceProof(o.follower, job, r.device, replicaWaitMs);
    const leafSeq = BigInt(device.state.leaf.seq.toString());
    if (leafSeq >= seq) return settle(job, seqVerdict(o.follower, r.device, leafSeq, seq));

    const lease = await recordTrees.lease();
    let tx: ReturnType<typeof transactions.build>;
    try {
      tx = transactions.build(await transactions.instruction(r, device, lease.tree));
    } catch (e) {
      lease.release(); // not a send failure: nothing to classify
      throw e;
    }
    try {
      return await sendAttestation(o.chain, tx, o.submitter, job, r, metrics);
    } catch (e) {
      if (isChainError(e)) countDelivery(metrics, e.context.delivery);
      const failure = classifySendError(e, r.device, seq, o.programIds);
      await job.log(`send failed: ${failure.summary}`);
      // Whatever failed: if the device's seq has reached the job's, the reading is on-chain.
      const now = o.follower.device(r.device);
      const after = now ? BigInt(now.leaf.seq.toString()) : undefined;
      if (after !== undefined && after >= seq)
        return settle(job, seqVerdict(o.follower, r.device, after, seq));
      if (failure.kind === 'dead_letter') throw deadLetter(failure.code, failure.message);
      if (failure.refreshRecordTree) await recordTrees.retire(lease.tree);
      throw transient(job, withInFlight(job, failure.message, e), failure.exhausted);
    } finally {
      lease.release();
    }
  };

  /**
   * The job, with RPC faults outside the send (reading accounts, the replica's catch-up)
   * retried as the send's are, and ending as `RPC_UNAVAILABLE` when they outlast the attempts.
   */
  const processor = async (job: Job, token?: string): Promise<RelayResult> => {
    try {
      return await processJob(job, token);
    } catch (e) {
      const judged =
        e instanceof TransientError || e instanceof UnrecoverableError || e instanceof DelayedError;
      if (!judged && isRpcUnavailable(e))
        throw transient(job, withInFlight(job, `chain: ${errorMessage(e)}`, e), 'RPC_UNAVAILABLE');
      throw e;
    }
  };

  const worker = new Worker<unknown, RelayResult>(QUEUE_RELAY, processor, {
    connection: o.connection,
    prefix,
    concurrency: o.concurrency ?? DEFAULT_RELAYER_CONCURRENCY,
    lockDuration: o.lockDurationMs ?? 30_000,
    stalledInterval: o.stalledIntervalMs ?? 5_000,
    maxStalledCount: 3,
    autorun: o.autorun ?? true,
  });
  countFailures(worker, QUEUE_RELAY, metrics, log);
  worker.on('error', (err) => log.error({ err: err.message }, 'relayer worker error'));
  for (const q of [proveQueue, relayQueue])
    q.on('error', (err) => log.error({ err: err.message }, `${q.name} queue error`));

  return {
    worker,
    metrics,
    recordTrees,
    run: () => void worker.run(),
    close: async (force = false) => {
      await worker.close(force);
      await Promise.all([proveQueue.close(), relayQueue.close()]);
    },
  };
}
