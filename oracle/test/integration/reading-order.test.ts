/**
 * The relayer's per-device order (`ReadingOrder`) against real Redis and BullMQ queues: a
 * reading waits while the one accepted before it is being proved or waits to be relayed, and
 * goes once that one is recorded or dead. The prover hands a reading over by adding its relay
 * job and then completing its prove job; a check that looks at the relay queue first can fall
 * between the two and see neither in flight, so the next seq would be recorded first and the
 * previous one, still valid, would be refused on chain.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { QUEUE_PROVE, QUEUE_RELAY, readingJobId } from '@zkpin/sdk';
import { ReadingOrder } from '../../src/workers/relay/ordering.ts';
import { REDIS_URL, obliterate, randomPrefix, requireRedis } from '../support/pipeline-fixture.ts';

const connection = { url: REDIS_URL };
const prefix = randomPrefix();
const device = 'ab'.repeat(32);
/** The relay jobs whose turn is checked (the readings after the one waited for). */
const NEXT = 'relay-next';
let proveQueue: Queue;
let relayQueue: Queue;
let nextQueue: Queue;
const workers: Worker[] = [];

beforeAll(async () => {
  await requireRedis();
  proveQueue = new Queue(QUEUE_PROVE, { connection, prefix });
  relayQueue = new Queue(QUEUE_RELAY, { connection, prefix });
  nextQueue = new Queue(NEXT, { connection, prefix });
});

afterAll(async () => {
  for (const w of workers) await w.close();
  for (const q of [proveQueue, relayQueue, nextQueue]) await q?.close();
  await obliterate(connection, prefix);
});

/** Takes the next job of `queue` as a worker does: active, with its lock token. */
async function take(queue: string): Promise<{ job: Job; token: string }> {
  const w = new Worker(queue, null, { connection, prefix });
  workers.push(w);
  const token = randomUUID();
  const job = await w.getNextJob(token);
  if (!job) throw new Error(`no job to take from ${queue}`);
  return { job, token };
}

/** Adds the job of reading `seq` to `queue`. */
function add(queue: Queue, seq: bigint): Promise<Job> {
  return queue.add(queue.name, { seq: String(seq) }, { jobId: readingJobId(device, seq) });
}

/** Whether reading `seq`, taken by the relayer, has to wait for reading `prev`. */
async function waits(order: ReadingOrder, seq: bigint, prev: bigint): Promise<boolean> {
  await add(nextQueue, seq);
  const { job, token } = await take(NEXT);
  try {
    await order.awaitPrevious(job, token, device, seq, prev, 0n);
    await job.moveToCompleted('recorded', token, false);
    return false;
  } catch (e) {
    if (e instanceof DelayedError) return true;
    throw e;
  }
}

describe('ReadingOrder (relayer, per-device order)', () => {
  it('waits while the previous reading is proved or waits to be relayed; goes once it is recorded or dead', async () => {
    const order = new ReadingOrder(relayQueue, proveQueue, 10_000);
    // Seq 1 is being proved.
    await add(proveQueue, 1n);
    const prove1 = await take(QUEUE_PROVE);
    expect(await waits(order, 2n, 1n)).toBe(true);
    // Handed over: it waits to be relayed.
    await add(relayQueue, 1n);
    await prove1.job.moveToCompleted('proved', prove1.token, false);
    expect(await waits(order, 3n, 1n)).toBe(true);
    // Recorded.
    const relay1 = await take(QUEUE_RELAY);
    await relay1.job.moveToCompleted('recorded', relay1.token, false);
    expect(await waits(order, 4n, 1n)).toBe(false);
    // A dead letter does not hold the next seq back.
    await add(proveQueue, 5n);
    const prove5 = await take(QUEUE_PROVE);
    await prove5.job.moveToFailed(new Error('PROOF_INVALID: test'), prove5.token, false);
    expect(await waits(order, 6n, 5n)).toBe(false);
  });

  it("does not miss the hand-over between the prover's two writes (relay job added, prove job completed)", async () => {
    const order = new ReadingOrder(relayQueue, proveQueue, 10_000);
    await add(proveQueue, 10n);
    const prove10 = await take(QUEUE_PROVE);
    // The hand-over happens right after the check has looked at the relay queue, if it does.
    const getJob = relayQueue.getJob.bind(relayQueue);
    let handedOver = false;
    const spy = vi.spyOn(relayQueue, 'getJob').mockImplementation(async (id: string) => {
      const found = await getJob(id);
      if (!handedOver && id === readingJobId(device, 10n)) {
        handedOver = true;
        await add(relayQueue, 10n);
        await prove10.job.moveToCompleted('proved', prove10.token, false);
      }
      return found;
    });
    try {
      expect(await waits(order, 11n, 10n)).toBe(true);
    } finally {
      spy.mockRestore();
    }
    // Seq 10 now waits to be relayed: seq 12 waits too.
    expect(await waits(order, 12n, 10n)).toBe(true);
  });
});
