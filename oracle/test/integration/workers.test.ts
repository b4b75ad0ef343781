/**
 * Prover worker and relayer against real Redis, the LiteSVM chain with both programs and the
 * real prover: readings become records in seq order, duplicates and replays record once,
 * permanent faults become dead letters with their reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, QueueEvents, type Job } from 'bullmq';
import {
  QUEUE_PROVE,
  QUEUE_RELAY,
  createRelayerLookupTable,
  deadLetterReason,
  type RelayJob,
} from '@zkpin/sdk';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import {
  createProverWorker,
  createRelayer,
  type ProverWorkerHandle,
  type RelayerHandle,
} from '../../src/workers/index.ts';
import {
  PipelineFixture,
  REDIS_URL,
  obliterate,
  randomPrefix,
  requireRedis,
  waitFor,
  type TestDevice,
} from '../support/pipeline-fixture.ts';

const connection = { url: REDIS_URL };
const prefix = randomPrefix();
let fx: PipelineFixture;
let proveQueue: Queue;
let relayQueue: Queue;
let prover: ProverWorkerHandle;
let relayer: RelayerHandle;
let events: QueueEvents;
let a: TestDevice;

beforeAll(async () => {
  await requireRedis();
  // Two device trees and two record trees: the relayer spreads records over both.
  fx = await PipelineFixture.create(undefined, { shards: 2 });
  a = await fx.addDevice();
  proveQueue = new Queue(QUEUE_PROVE, { connection, prefix });
  relayQueue = new Queue(QUEUE_RELAY, { connection, prefix });
  events = new QueueEvents(QUEUE_RELAY, { connection, prefix });
  await events.waitUntilReady();
  prover = createProverWorker({
    connection,
    prefix,
    prover: fx.prover,
    follower: fx.follower,
    relayJobOptions: { attempts: 3, backoff: { type: 'fixed', delay: 100 } },
  });
  relayer = createRelayer({
    connection,
    prefix,
    chain: fx.chain,
    follower: fx.follower,
    submitter: fx.oracle,
    setup: fx.setup,
    lookupTable: await createRelayerLookupTable(fx.chain, fx.oracle, fx.setup),
    priorityFeeMicroLamports: 1_000,
  });
}, 600_000);

afterAll(async () => {
  await prover?.close();
  await relayer?.close();
  await events?.close();
  await proveQueue?.close();
  await relayQueue?.close();
  await obliterate(connection, prefix);
  await fx?.close();
});

async function settled(q: Queue, id: string, timeoutMs = 60_000): Promise<Job> {
  return waitFor(
    async () => {
      const job = await q.getJob(id);
      const state = await job?.getState();
      return state === 'completed' || state === 'failed' ? q.getJob(id) : undefined;
    },
    timeoutMs,
    `job ${id} in ${q.name} to settle`,
  );
}

describe('prover worker + relayer', () => {
  it('proves and records readings in seq order, even when seq 2 arrives first; a duplicate is one job', async () => {
    const r1 = fx.proveJob(fx.reading(a, 1n));
    const r2 = fx.proveJob(fx.reading(a, 2n, new Array<number>(16).fill(127)));
    await proveQueue.add(QUEUE_PROVE, r2.data, { jobId: r2.id });
    await proveQueue.add(QUEUE_PROVE, r1.data, { jobId: r1.id });
    await proveQueue.add(QUEUE_PROVE, r1.data, { jobId: r1.id }); // seen twice
    const j1 = await settled(relayQueue, r1.id);
    const j2 = await settled(relayQueue, r2.id);
    expect(await j1.getState()).toBe('completed');
    expect(await j2.getState()).toBe('completed');
    expect(j1.returnvalue).toMatchObject({ outcome: 'recorded' });
    expect(j2.returnvalue).toMatchObject({ outcome: 'recorded' });
    expect((j1.returnvalue as { computeUnits: number }).computeUnits).toBeLessThan(130_000);
    console.log(
      JSON.stringify({
        test: 'relay',
        seq1: j1.returnvalue as unknown,
        seq2: j2.returnvalue as unknown,
      }),
    );
    expect(fx.follower.records).toBe(2);
    // One record in each of the network's two record trees (the relayer's RecordTreePool).
    const recordTrees = [...fx.follower.trees.values()].filter((t) => t.kind === 1);
    expect(recordTrees.map((t) => t.replica.size)).toEqual([1, 1]);
    expect(relayer.recordTrees.trees).toHaveLength(2);
    expect(fx.seqOf(a)).toBe(2n);
    // The prove jobs complete after they enqueued the relay jobs (on a loaded machine, seconds
    // after the records).
    await waitFor(
      async () => ((await proveQueue.getJobCounts('completed')).completed === 2 ? true : undefined),
      30_000,
      'both prove jobs completed',
    );
    expect((j2.data as RelayJob).class).toBe(3);
  });

  it('a replayed old seq records nothing more (prove and relay side)', async () => {
    const old = (await relayQueue.getJob(fx.proveJob(fx.reading(a, 1n)).id))!;
    // The relay payload again under another id (e.g. restored from a backup).
    await relayQueue.add(QUEUE_RELAY, old.data, { jobId: 'replay-relay' });
    const replayRelay = await settled(relayQueue, 'replay-relay');
    expect(replayRelay.returnvalue).toEqual({ outcome: 'already_recorded' });
    // The reading again under another id: the prover does not even prove it.
    const again = fx.proveJob(fx.reading(a, 1n));
    await proveQueue.add(QUEUE_PROVE, again.data, { jobId: 'replay-prove' });
    const replayProve = await settled(proveQueue, 'replay-prove');
    expect(replayProve.returnvalue).toEqual({ outcome: 'already_recorded' });
    expect(fx.follower.records).toBe(2);
  });

  it('dead-letters permanent faults with their reason', async () => {
    // Unknown device.
    const stranger = fx.reading({ keys: await generateDeviceKeys(), hex: '' }, 1n);
    const unknown = fx.proveJob(stranger);
    await proveQueue.add(QUEUE_PROVE, unknown.data, { jobId: unknown.id });
    // A bad ed25519 signature.
    const bad = fx.reading(a, 3n);
    bad.ed25519Signature[0]! ^= 1;
    const badJob = fx.proveJob(bad);
    await proveQueue.add(QUEUE_PROVE, badJob.data, { jobId: badJob.id });
    // A proof the program rejects (flipped byte in C), for a second device with a's key.
    const b = await fx.addDevice(a);
    const good = (await relayQueue.getJob(fx.proveJob(fx.reading(a, 1n)).id))!.data as RelayJob;
    const proof = Buffer.from(good.proof, 'hex');
    proof[255]! ^= 1;
    await relayQueue.add(
      QUEUE_RELAY,
      { ...good, device: b.hex, proof: proof.toString('hex') },
      { jobId: 'bad-proof' },
    );

    const u = await settled(proveQueue, unknown.id);
    expect(u.failedReason).toMatch(/^UNKNOWN_DEVICE: /);
    const s = await settled(proveQueue, badJob.id);
    expect(deadLetterReason(s.failedReason), s.failedReason).toBe('INVALID_ED25519_SIGNATURE');
    const p = await settled(relayQueue, 'bad-proof');
    expect(p.failedReason).toMatch(
      /^PROGRAM_REJECTED: inference_attestation: (InvalidProof \(6008\)|MalformedProof \(6009\))/,
    );
    expect(p.attemptsMade).toBe(1);
    expect(fx.seqOf(b)).toBe(0n);
  });

  it('tells a malformed reading (MALFORMED_READING) from a malformed job (MALFORMED_JOB)', async () => {
    const ok = fx.proveJob(fx.reading(a, 9n));
    // What the device sent is wrong (a non-canonical seq), the rest of the job is fine.
    const reading = { ...ok.data, reading: { ...ok.data.reading, seq: '09' } };
    await proveQueue.add(QUEUE_PROVE, reading, { jobId: 'malformed-reading' });
    // The producer's part is wrong (no source), the reading is fine.
    const noSource: Partial<typeof ok.data> = { ...ok.data };
    delete noSource.source;
    await proveQueue.add(QUEUE_PROVE, noSource, { jobId: 'malformed-prove-job' });
    await relayQueue.add(
      QUEUE_RELAY,
      { device: a.hex, seq: '1' },
      { jobId: 'malformed-relay-job' },
    );
    expect(deadLetterReason((await settled(proveQueue, 'malformed-reading')).failedReason)).toBe(
      'MALFORMED_READING',
    );
    for (const [q, id] of [
      [proveQueue, 'malformed-prove-job'],
      [relayQueue, 'malformed-relay-job'],
    ] as const)
      expect(deadLetterReason((await settled(q, id)).failedReason), id).toBe('MALFORMED_JOB');
  });
});
