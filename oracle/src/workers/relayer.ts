/**
 * The relayer: consumes `relay` jobs (a proof of one reading) and records them on-chain with
 * `submit_attestation`. The device leaf and its proof come from the oracle's own replica of
 * the device tree (NetworkFollower), checked against the on-chain root before sending.
 *
 * Outcomes of a job:
 * - `recorded`: the transaction confirmed;
 * - `already_recorded`: the device's seq is already at (or past) the job's seq — a reading
 *   seen twice, a replayed old seq, or a retry after a send whose confirmation was lost;
 * - retried with backoff: network and blockhash errors, a replica behind the chain;
 * - dead letter: `PROGRAM_REJECTED: <program>: <Error> (<code>)`, `DEVICE_REVOKED`,
 *   `UNKNOWN_DEVICE`, `STALE_SEQ` (a later reading of the device was recorded first),
 *   `RETRIES_EXHAUSTED`.
 *
 * Ordering: the chain takes any seq above the device's (gaps allowed), so a reading that
 * could not be proved never blocks the next ones. To record a device's readings in order, a
 * job waits (moved to delayed, no attempt spent) while the reading the bridge accepted just
 * before it (`prevSeq`) is still in flight; once that one is recorded or dead-lettered, it
 * goes.
 */
import { countFailures } from './failures.ts';
import {
  AddressLookupTableAccount,
  ComputeBudgetProgram,
  Keypair,
  PublicKey,
  Transaction,
  TransactionMessage,
  VersionedTransaction,
  type TransactionInstruction,
} from '@solana/web3.js';
import type { Provider } from '@coral-xyz/anchor';
import { DelayedError, Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import {
  DEFAULT_QUEUE_PREFIX,
  DEVICE_STATUS_ACTIVE,
  QUEUE_PROVE,
  QUEUE_RELAY,
  attributeProgramError,
  deadLetterReason,
  deviceRegistryProgram,
  fromHex,
  inferenceAttestationProgram,
  isTransientChainError,
  modelPda,
  readingJobId,
  relayJobSchema,
  submitAttestationInstruction,
  type Chain,
  type NetworkFollower,
  type RelayJob,
} from '@zkpin/sdk';
import { deadLetter, errorMessage, transient } from './errors.ts';
import { OracleMetrics } from './metrics.ts';
import { silentLogger } from './logger.ts';

/**
 * Compute-unit limit of a submit_attestation transaction: 114,417 CU measured for a record
 * tree's first record (docs/programs.md; 107,611 in steady state) plus about 13% margin.
 */
export const DEFAULT_COMPUTE_UNIT_LIMIT = 130_000;

export interface RelayerOptions {
  connection: ConnectionOptions;
  prefix?: string;
  chain: Chain;
  /** A started NetworkFollower of this network (device leaves and device tree replicas). */
  follower: NetworkFollower;
  /** Oracle key in the network's oracle set; pays and signs. */
  submitter: Keypair;
  /** The network (`setUpNetwork`'s result fits). The record tree is read from the Network account when not given. */
  setup: { network: PublicKey; recordTree?: PublicKey };
  /** Priority fee (ComputeBudgetProgram.setComputeUnitPrice); none by default. */
  priorityFeeMicroLamports?: number;
  /** default DEFAULT_COMPUTE_UNIT_LIMIT (130,000) */
  computeUnitLimit?: number;
  /** Send v0 transactions through this lookup table (smaller transactions: deeper trees, fees). */
  lookupTable?: AddressLookupTableAccount;
  /** Jobs in flight per relayer (default 1: a device's seqs land in order). */
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

export interface RelayResult {
  outcome: 'recorded' | 'already_recorded';
  signature?: string;
  computeUnits?: number;
  relayMs?: number;
}

export interface RelayerHandle {
  readonly worker: Worker<unknown, RelayResult>;
  readonly metrics: OracleMetrics;
  run(): void;
  close(force?: boolean): Promise<void>;
}

/** Largest transaction Solana accepts (bytes on the wire). */
export const MAX_TX_BYTES = 1232;

function legacySize(tx: Transaction, payer: PublicKey): number {
  tx.feePayer = payer;
  tx.recentBlockhash = PublicKey.default.toBase58();
  const message = tx.serializeMessage();
  return 1 + 64 * tx.compileMessage().header.numRequiredSignatures + message.length;
}

const registryCoder = deviceRegistryProgram({} as Provider).coder;
const IN_FLIGHT = new Set([
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'paused',
]);

export function createRelayer(o: RelayerOptions): RelayerHandle {
  const prefix = o.prefix ?? DEFAULT_QUEUE_PREFIX;
  const log = (o.logger ?? silentLogger()).child({ component: 'relayer' });
  const metrics = o.metrics ?? new OracleMetrics();
  const program = inferenceAttestationProgram({
    publicKey: o.submitter.publicKey,
  } as unknown as Provider);
  const proveQueue = new Queue(QUEUE_PROVE, { connection: o.connection, prefix });
  const relayQueue = new Queue(QUEUE_RELAY, { connection: o.connection, prefix });
  const cuLimit = o.computeUnitLimit ?? DEFAULT_COMPUTE_UNIT_LIMIT;
  const replicaWaitMs = o.replicaWaitMs ?? 2_000;
  const seqWaitDelayMs = o.seqWaitDelayMs ?? 250;
  let recordTree = o.setup.recordTree;
  let warnedFee = false;

  async function currentRecordTree(refresh = false): Promise<PublicKey> {
    if (recordTree && !refresh) return recordTree;
    const info = await o.chain.getAccountInfo(o.setup.network);
    if (!info) throw new Error(`network account ${o.setup.network.toBase58()} not found`);
    const n = registryCoder.accounts.decode<{ recordTree: PublicKey }>('network', info.data);
    recordTree = n.recordTree;
    return recordTree;
  }

  function leafSeq(deviceHex: string): bigint | undefined {
    const s = o.follower.device(deviceHex);
    return s ? BigInt(s.leaf.seq.toString()) : undefined;
  }

  /** State of the job of `seq` (relay queue first, then prove queue). */
  async function jobState(
    deviceHex: string,
    seq: bigint,
  ): Promise<{ state: string; failedReason?: string }> {
    const id = readingJobId(deviceHex, seq);
    for (const q of [relayQueue, proveQueue]) {
      const job = await q.getJob(id);
      if (!job) continue;
      const state = await job.getState();
      if (state === 'failed') return { state, failedReason: job.failedReason };
      if (state !== 'unknown') return { state };
    }
    return { state: 'missing' };
  }

  async function buildTransaction(
    ix: TransactionInstruction,
  ): Promise<Transaction | VersionedTransaction> {
    const ixs = [ComputeBudgetProgram.setComputeUnitLimit({ units: cuLimit })];
    if (o.priorityFeeMicroLamports) {
      ixs.push(
        ComputeBudgetProgram.setComputeUnitPrice({ microLamports: o.priorityFeeMicroLamports }),
      );
    }
    ixs.push(ix);
    if (!o.lookupTable) {
      // A depth-20 device proof leaves no room for the compute-budget instructions in a legacy
      // transaction: drop the fee, then the limit (the default 200,000 CU covers the call).
      for (const budget of [ixs.slice(0, -1), ixs.slice(0, 1), []]) {
        const tx = new Transaction().add(...budget, ix);
        if (legacySize(tx, o.submitter.publicKey) <= MAX_TX_BYTES) {
          if (budget.length < ixs.length - 1 && !warnedFee) {
            log.warn(
              'compute-budget instructions dropped: the transaction would exceed 1,232 bytes; pass a lookupTable (createRelayerLookupTable)',
            );
            warnedFee = true;
          }
          return tx;
        }
      }
      return new Transaction().add(ix);
    }
    const message = new TransactionMessage({
      payerKey: o.submitter.publicKey,
      recentBlockhash: PublicKey.default.toBase58(), // Chain.send sets a fresh one
      instructions: ixs,
    }).compileToV0Message([o.lookupTable]);
    return Promise.resolve(new VersionedTransaction(message));
  }

  const processJob = async (job: Job, token?: string): Promise<RelayResult> => {
    const parsed = relayJobSchema.safeParse(job.data);
    if (!parsed.success) {
      throw deadLetter(
        'MALFORMED_JOB',
        `relay job payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    const r: RelayJob = parsed.data;
    const seq = BigInt(r.seq);
    const state = o.follower.device(r.device);
    if (!state)
      throw deadLetter(
        'UNKNOWN_DEVICE',
        `device ${r.device} is not in this network's device trees`,
      );
    const current = BigInt(state.leaf.seq.toString());
    if (current >= seq) return alreadyRecorded(job, current, seq);
    if (state.leaf.status !== DEVICE_STATUS_ACTIVE) {
      throw deadLetter(
        'DEVICE_REVOKED',
        `device ${r.device} was revoked at seq ${current}; seq ${seq} cannot be recorded`,
      );
    }

    const prevSeq = r.prevSeq == null ? undefined : BigInt(r.prevSeq);
    if (prevSeq !== undefined && prevSeq > current) {
      // The reading accepted just before this one is not on-chain: wait while it is in flight
      // (recording this one first would make it stale); go once it is recorded or dead.
      const prev = await jobState(r.device, prevSeq);
      if (IN_FLIGHT.has(prev.state)) {
        await job.moveToDelayed(Date.now() + seqWaitDelayMs, token);
        throw new DelayedError();
      }
      if (prev.state === 'failed')
        await job.log(
          `seq ${prevSeq} is a dead letter (${deadLetterReason(prev.failedReason)}): recording seq ${seq} after the gap`,
        );
    }

    const proof = o.follower.proof(r.device);
    if (!proof) throw deadLetter('UNKNOWN_DEVICE', `device ${r.device}: no replica of its tree`);
    if (!(await o.follower.ensureInSync(proof.state.tree, replicaWaitMs))) {
      throw transient(
        job,
        `device tree replica of ${proof.state.tree.toBase58()} does not match the on-chain root after ${replicaWaitMs} ms`,
      );
    }
    const fresh = o.follower.proof(r.device)!; // the wait may have brought new leaves
    if (BigInt(fresh.state.leaf.seq.toString()) >= seq)
      return alreadyRecorded(job, BigInt(fresh.state.leaf.seq.toString()), seq);

    const ix = await submitAttestationInstruction(program, {
      submitter: o.submitter.publicKey,
      network: o.setup.network,
      model: modelPda(o.setup.network, fresh.state.leaf.modelId),
      deviceTree: fresh.state.tree,
      recordTree: await currentRecordTree(),
      leaf: fresh.state.leaf,
      leafIndex: fresh.state.leafIndex,
      seq,
      root: fresh.root,
      proofNodes: fresh.nodes,
      proof: fromHex(r.proof),
      timestamp: BigInt(r.timestamp),
      inputCommitment: fromHex(r.inputCommitment),
      class: r.class,
      score: BigInt(r.score),
    });
    const tx = await buildTransaction(ix);
    const started = performance.now();
    try {
      const res = await o.chain.send(tx, [o.submitter]);
      const relayMs = performance.now() - started;
      metrics.relaySeconds.observe(relayMs / 1000);
      metrics.computeUnits.observe(res.computeUnits);
      metrics.endToEndSeconds.observe((Date.now() - r.acceptedAt) / 1000);
      metrics.relayed.inc({ outcome: 'recorded' });
      await job.log(
        `recorded: ${res.signature} (${res.computeUnits} CU, ${relayMs.toFixed(0)} ms)`,
      );
      return {
        outcome: 'recorded',
        signature: res.signature,
        computeUnits: res.computeUnits,
        relayMs: Math.round(relayMs),
      };
    } catch (e) {
      return classifySendError(job, r, seq, e);
    }
  };

  async function classifySendError(
    job: Job,
    r: RelayJob,
    seq: bigint,
    e: unknown,
  ): Promise<RelayResult> {
    const msg = errorMessage(e);
    const logs = (e as { logs?: unknown }).logs;
    const attributed = Array.isArray(logs) ? attributeProgramError(logs as string[]) : undefined;
    await job.log(
      `send failed: ${attributed ? `${attributed.program}: ${attributed.name ?? '?'} (${attributed.code})` : msg}`,
    );
    // Whatever failed: if the device's seq has reached the job's, the reading is on-chain.
    const after = leafSeq(r.device);
    if (after !== undefined && after >= seq) return alreadyRecorded(job, after, seq);
    if (attributed) {
      const name = `${attributed.program}: ${attributed.name ?? 'unknown error'} (${attributed.code})`;
      switch (attributed.name) {
        case 'DeviceRevoked':
          throw deadLetter('DEVICE_REVOKED', `${name}: device ${r.device} is revoked`);
        case 'StaleSeq':
        case 'SeqMismatch':
          throw deadLetter(
            'STALE_SEQ',
            `${name}: device ${r.device} already has a seq at or above ${seq} (a later reading was recorded first)`,
          );
        case 'InvalidDeviceProof':
          // The leaf changed under us (another relayer, a transfer): rebuild from the replica.
          throw transient(job, `${name}: the device leaf changed since the proof was built`);
        case 'WrongRecordTree':
          await currentRecordTree(true);
          throw transient(job, `${name}: the network rotated its record tree`);
        default:
          throw deadLetter(
            'PROGRAM_REJECTED',
            `${name}${attributed.msg ? `: ${attributed.msg}` : ''}`,
          );
      }
    }
    if (/too large/i.test(msg))
      throw deadLetter('PROGRAM_REJECTED', `${msg} (use a lookup table: createRelayerLookupTable)`);
    if (isTransientChainError(e)) throw transient(job, `chain: ${msg}`);
    throw deadLetter('PROGRAM_REJECTED', msg);
  }

  /**
   * The device is at or past the job's seq: the reading was recorded (a retry after a lost
   * confirmation, a replay), or a later reading was recorded first and this one never can be:
   * a dead letter, so nothing is reported recorded that is not.
   */
  async function alreadyRecorded(job: Job, current: bigint, seq: bigint): Promise<RelayResult> {
    const r = job.data as RelayJob;
    const recorded = o.follower.isRecorded(r.device, seq);
    if (recorded === false)
      throw deadLetter(
        'STALE_SEQ',
        `device ${r.device} is at seq ${current} and seq ${seq} was never recorded (a later reading was recorded first)`,
      );
    await job.log(
      recorded
        ? `device seq is already ${current} >= ${seq}: already recorded`
        : `device seq is already ${current} >= ${seq}: recorded before the replica's recent window`,
    );
    metrics.relayed.inc({ outcome: 'already_recorded' });
    return { outcome: 'already_recorded' };
  }

  const worker = new Worker<unknown, RelayResult>(QUEUE_RELAY, processJob, {
    connection: o.connection,
    prefix,
    concurrency: o.concurrency ?? 1,
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
    run: () => void worker.run(),
    close: async (force = false) => {
      await worker.close(force);
      await Promise.all([proveQueue.close(), relayQueue.close()]);
    },
  };
}
