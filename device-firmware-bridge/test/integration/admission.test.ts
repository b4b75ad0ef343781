/**
 * The admission script stores each prove job itself (one round trip per batch). These tests
 * hold it to BullMQ's own layout: the same job hash, lists, events and marker as `addBulk`
 * writes, jobs a real BullMQ Worker takes, a paused queue honoured; and to admission's rules
 * within one batch (duplicates, replays, a missing job stored again).
 */
import { randomBytes } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  QUEUE_PROVE,
  deviceReadingsKey,
  proveJobSchema,
  readingJobId,
  type ProveJobData,
} from '@zkpin/sdk';
import {
  Admission,
  JOB_OPTIONS,
  PROVE_JOB_NAME,
  type AdmissionLimits,
} from '../../src/admission.ts';
import { DEFAULT_LIMITS } from '../../src/defaults.ts';
import type { ValidReading } from '../../src/reading-validator.ts';
import {
  REDIS_URL,
  assertServices,
  cleanUp,
  newDevice,
  nowS,
  randomPrefix,
  signedReading,
  waitFor,
  type TestDevice,
} from './helpers.ts';

const net = { networkHex: randomBytes(32).toString('hex'), modelId: 1 };
let device: TestDevice;
let redis: Redis;
const prefixes: string[] = [];

beforeAll(async () => {
  await assertServices();
  device = await newDevice();
  redis = new Redis(REDIS_URL);
});

afterEach(async () => {
  for (const p of prefixes.splice(0)) await cleanUp(p);
});

afterAll(async () => {
  await redis?.quit();
});

function valid(seq: bigint, d = device): ValidReading {
  const reading = signedReading(net, d, seq, { timestamp: nowS() });
  return { reading, deviceHex: d.hex, seq: seq.toString() };
}

function admissionOn(prefix = randomPrefix(), limits: Partial<AdmissionLimits> = {}) {
  prefixes.push(prefix);
  const queue = new Queue(QUEUE_PROVE, { connection: redis, prefix });
  const admission = new Admission(redis, queue, prefix, { ...DEFAULT_LIMITS, ...limits });
  return { prefix, queue, admission };
}

/** Every field of a job's hash but its timestamp, data and opts parsed. */
async function jobHash(prefix: string, id: string) {
  const h = await redis.hgetall(`${prefix}:${QUEUE_PROVE}:${id}`);
  const { timestamp, data, opts, ...rest } = h;
  expect(Number(timestamp)).toBeGreaterThan(0);
  return { ...rest, data: JSON.parse(data!) as ProveJobData, opts: JSON.parse(opts!) as object };
}

/** The queue's keys and what they hold, events without their ids. */
async function queueState(prefix: string) {
  const k = (s: string) => `${prefix}:${QUEUE_PROVE}:${s}`;
  const events = (await redis.xrange(k('events'), '-', '+')).map(([, f]) => f);
  return {
    wait: await redis.lrange(k('wait'), 0, -1),
    paused: await redis.lrange(k('paused'), 0, -1),
    marker: await redis.zrange(k('marker'), 0, -1, 'WITHSCORES'),
    id: await redis.get(k('id')),
    maxLenEvents: await redis.hget(k('meta'), 'opts.maxLenEvents'),
    events,
  };
}

describe('admission stores prove jobs as BullMQ does', () => {
  it('writes the job hash, lists, events and marker that addBulk writes', async () => {
    const r1 = valid(1n);
    const r2 = valid(2n);
    const ours = admissionOn();
    const results = await Promise.all([
      ours.admission.submit(r1, 'mqtt'),
      ours.admission.submit(r2, 'http'),
    ]);
    const id1 = readingJobId(device.hex, 1n);
    const id2 = readingJobId(device.hex, 2n);
    expect(results).toEqual([
      { accepted: true, jobId: id1, duplicate: false, prevSeq: null },
      { accepted: true, jobId: id2, duplicate: false, prevSeq: '1' },
    ]);

    // The same jobs through BullMQ's addBulk, with the data the script completed.
    const bull = admissionOn();
    const po = ours.prefix;
    const ourData = [(await jobHash(po, id1)).data, (await jobHash(po, id2)).data];
    await bull.queue.addBulk(
      [id1, id2].map((jobId, i) => ({
        name: PROVE_JOB_NAME,
        data: ourData[i]!,
        opts: { ...JOB_OPTIONS, jobId },
      })),
    );
    const pb = bull.prefix;
    for (const id of [id1, id2]) expect(await jobHash(po, id)).toEqual(await jobHash(pb, id));
    expect(await queueState(po)).toEqual(await queueState(pb));
    expect(ourData[0]).toMatchObject({ reading: r1.reading, source: 'mqtt', prevSeq: null });
    expect(ourData[1]).toMatchObject({ reading: r2.reading, source: 'http', prevSeq: '1' });

    // BullMQ reads it back, and a Worker takes both jobs, in order, with data the prover parses.
    const job = await ours.queue.getJob(id2);
    expect(job?.name).toBe(PROVE_JOB_NAME);
    expect(job?.opts).toMatchObject({ attempts: JOB_OPTIONS.attempts, jobId: id2 });
    const seen: Job[] = [];
    const worker = new Worker(QUEUE_PROVE, (j) => Promise.resolve(void seen.push(j)), {
      connection: { url: REDIS_URL },
      prefix: po,
    });
    try {
      await waitFor(() => seen.length === 2, 'the worker to take both jobs');
    } finally {
      await worker.close();
    }
    expect(seen.map((j) => j.id)).toEqual([id1, id2]);
    expect(proveJobSchema.parse(seen[1]!.data).prevSeq).toBe('1');
  });

  it('puts jobs on the paused list of a paused queue, and a worker takes them once resumed', async () => {
    const { prefix, queue, admission } = admissionOn();
    await queue.pause();
    const r = await admission.submit(valid(1n), 'mqtt');
    expect(r).toMatchObject({ accepted: true, duplicate: false });
    const state = await queueState(prefix);
    expect(state.wait).toEqual([]);
    expect(state.paused).toEqual([readingJobId(device.hex, 1n)]);
    expect(state.marker).toEqual([]);
    const seen: string[] = [];
    const worker = new Worker(QUEUE_PROVE, (j) => Promise.resolve(void seen.push(j.id!)), {
      connection: { url: REDIS_URL },
      prefix,
    });
    try {
      await queue.resume();
      await waitFor(() => seen.length === 1, 'the worker to take the job after resume');
    } finally {
      await worker.close();
    }
  });

  it('decides a batch item by item: a copy is a duplicate, a lower seq a replay, a missing job is stored again', async () => {
    const { prefix, queue, admission } = admissionOn();
    const r3 = valid(3n);
    const [first, copy, replay] = await Promise.all([
      admission.submit(r3, 'mqtt'),
      admission.submit(r3, 'http'),
      admission.submit(valid(2n), 'mqtt'),
    ]);
    const id3 = readingJobId(device.hex, 3n);
    expect(first).toEqual({ accepted: true, jobId: id3, duplicate: false, prevSeq: null });
    expect(copy).toEqual({ accepted: true, jobId: id3, duplicate: true, prevSeq: null });
    expect(replay).toEqual({ accepted: false, reason: 'REPLAYED_SEQ' });
    expect(await queue.getWaitingCount()).toBe(1);
    // Only the admission joined the device's reading index.
    const indexed = async () =>
      (await redis.zrange(deviceReadingsKey(prefix, device.hex), 0, -1)).map(
        (m) => m.split(':')[0],
      );
    expect(await indexed()).toEqual(['3'.padStart(20, '0')]);

    // Another content under seq 3 conflicts; the job, once gone, comes back on a re-send.
    const other = valid(3n);
    expect(await admission.submit(other, 'mqtt')).toEqual({
      accepted: false,
      reason: 'SEQ_CONFLICT',
    });
    await (await queue.getJob(id3))!.remove();
    expect(await admission.submit(r3, 'mqtt')).toEqual({
      accepted: true,
      jobId: id3,
      duplicate: true,
      prevSeq: null,
    });
    const again = await queue.getJob(id3);
    expect(again?.data).toMatchObject({ reading: r3.reading, prevSeq: null });
    expect(await queue.getWaitingCount()).toBe(1);
    expect(await indexed()).toEqual(['3'.padStart(20, '0')]);
  });

  it('holds a device behind its deferred reading: its higher seqs wait until that one is decided', async () => {
    const { queue, admission } = admissionOn(undefined, { maxQueueWaiting: 1 });
    expect(await admission.submit(valid(1n), 'mqtt')).toMatchObject({ accepted: true });
    expect(await admission.submit(valid(2n), 'mqtt')).toMatchObject({ reason: 'BACKPRESSURE' });
    await queue.remove(readingJobId(device.hex, 1n));
    // The queue has room, but seq 2 goes first.
    expect(await admission.submit(valid(3n), 'mqtt')).toMatchObject({
      accepted: false,
      reason: 'BACKPRESSURE',
      message: expect.stringContaining('seq 2') as unknown,
    });
    expect(await admission.submit(valid(2n), 'mqtt')).toMatchObject({ accepted: true });
    await queue.remove(readingJobId(device.hex, 2n));
    expect(await admission.submit(valid(3n), 'mqtt')).toMatchObject({
      accepted: true,
      prevSeq: '2',
    });
  });

  it('answers UNAVAILABLE for the whole batch when Redis fails', async () => {
    const broken = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
    const prefix = randomPrefix();
    prefixes.push(prefix);
    const queue = new Queue(QUEUE_PROVE, { connection: broken, prefix });
    queue.on('error', () => undefined);
    broken.on('error', () => undefined);
    const admission = new Admission(broken, queue, prefix, DEFAULT_LIMITS);
    broken.disconnect();
    const results = await Promise.all([
      admission.submit(valid(1n), 'mqtt'),
      admission.submit(valid(2n), 'mqtt'),
    ]);
    for (const r of results) expect(r).toMatchObject({ accepted: false, reason: 'UNAVAILABLE' });
    await queue.close().catch(() => undefined);
  });
});
