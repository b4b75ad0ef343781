/**
 * Item 6, no loss on a bridge crash. The bridge acknowledges an MQTT QoS 1 message only once
 * it is admitted or rejected, on a persistent session; so a bridge killed with SIGKILL
 * mid-stream loses nothing: the broker redelivers what was unacknowledged, and admission is
 * idempotent. Real processes: a private redis-server and the local network's mosquitto
 * (ACL, bridge password), the bridge in a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { Queue } from 'bullmq';
import { PublicKey } from '@solana/web3.js';
import {
  QUEUE_PROVE,
  bjjKeyHashBytes,
  readingJobId,
  type SignedReadingJson,
  readingsTopic,
} from '@zkpin/sdk';
import { REPO_ROOT } from '@zkpin/sdk/testing';
import { startMosquitto, startRedis, type Mosquitto } from '../../../scripts/lib/services.ts';
import {
  TestBridges,
  memoryDirectory,
  newDevice,
  randomPrefix,
  signedReading,
  waitFor,
  type TestDevice,
  proveJobJson,
  post,
} from './helpers.ts';
import type { IngestResult } from '../../src/index.ts';

const net = { networkHex: '3c'.repeat(32), modelId: 5 };
let redis: Awaited<ReturnType<typeof startRedis>>;
let broker: Mosquitto;
let devices: TestDevice[];
const clients = new Map<string, MqttClient>();
const children: ChildProcess[] = [];
const bridges = new TestBridges();

beforeAll(async () => {
  // Private servers: the test stops Redis (SIGSTOP) and needs the ACL'd broker config.
  redis = await startRedis();
  broker = await startMosquitto();
  devices = await Promise.all([newDevice(), newDevice(), newDevice()]);
  for (const d of devices) {
    clients.set(
      d.hex,
      await mqtt.connectAsync(broker.url, { clientId: d.hex, connectTimeout: 2000 }),
    );
  }
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  redis?.child.kill('SIGCONT');
  for (const c of clients.values()) await c.endAsync().catch(() => undefined);
  await broker?.stop();
  await redis?.stop();
});

afterEach(() => bridges.stopAll());

function topicOf(d: TestDevice): string {
  return readingsTopic(net.networkHex, d.hex);
}

function publish(d: TestDevice, r: SignedReadingJson | string): Promise<unknown> {
  return clients
    .get(d.hex)!
    .publishAsync(topicOf(d), typeof r === 'string' ? r : JSON.stringify(r), { qos: 1 });
}

/** Value of one Prometheus sample (summed over label sets that contain `labels`). */
async function metric(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const [key, value] = line.split(' ');
    if (key === name || (key!.startsWith(`${name}{`) && key!.includes(labels)))
      sum += Number(value);
  }
  return sum;
}

/** A bridge of the test's network, its devices known in memory, on the private Redis. */
function inMemory() {
  return {
    network: net.networkHex,
    directory: memoryDirectory(devices, net.modelId),
    redisUrl: redis.url,
  };
}

/** The private broker, as the bridge's user. */
function onBroker() {
  return {
    mqttUrl: broker.url,
    mqttUsername: broker.bridge.username,
    mqttPassword: broker.bridge.password,
  };
}

interface Child {
  proc: ChildProcess;
  metrics: string;
  /** Parsed pino lines. */
  logs: Record<string, unknown>[];
}

/** Starts the bridge in its own process (node itself, so that SIGKILL hits the bridge). */
async function startChild(prefix: string, clientId: string): Promise<Child> {
  const spec = {
    modelId: net.modelId,
    devices: devices.map((d) => ({
      hex: d.hex,
      bjjKeyHash: Buffer.from(bjjKeyHashBytes(d.keys.babyJub.publicKey)).toString('hex'),
    })),
  };
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO_ROOT, 'device-firmware-bridge/test/support/bridge-child.ts'),
      JSON.stringify(spec),
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        NETWORK: new PublicKey(Buffer.from(net.networkHex, 'hex')).toBase58(),
        REDIS_URL: redis.url,
        QUEUE_PREFIX: prefix,
        MQTT_URL: broker.url,
        MQTT_CLIENT_ID: clientId,
        MQTT_USERNAME: broker.bridge.username,
        MQTT_PASSWORD: broker.bridge.password,
        HTTP_PORT: '0',
        BRIDGE_METRICS_PORT: '0',
        RATE_BURST: '1000', // the test publishes far faster than a device would
        LOG_LEVEL: 'warn',
      },
    },
  );
  children.push(proc);
  const logs: Record<string, unknown>[] = [];
  const lines = createInterface({ input: proc.stdout });
  const metrics = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error('the bridge process did not start within 30 s')),
      30_000,
    );
    lines.on('line', (l) => {
      let j: Record<string, unknown>;
      try {
        j = JSON.parse(l) as Record<string, unknown>;
      } catch {
        return;
      }
      if (j['ready'] === true) {
        clearTimeout(t);
        resolve(j['metrics'] as string);
      } else logs.push(j);
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`the bridge process exited (${code}) before it was ready`));
    });
  });
  return { proc, metrics, logs };
}

describe('MQTT delivery (item 6)', () => {
  it('loses nothing when the bridge is SIGKILLed mid-stream: every published reading ends as one job or a counted rejection', async () => {
    const prefix = randomPrefix();
    const clientId = `zkpin-bridge-test-${prefix}`;
    const queue = new Queue(QUEUE_PROVE, { connection: { url: redis.url }, prefix });
    const valid = new Map<string, SignedReadingJson>();
    const invalid = new Set<string>();
    /** Seq s of every device; every 10th is tampered with (BAD_SIGNATURE). */
    const publishRound = async (seq: bigint) => {
      for (const d of devices) {
        const r = signedReading(net, d, seq);
        if (seq % 10n === 0n) {
          invalid.add(readingJobId(d.hex, seq));
          await publish(d, { ...r, readings: r.readings.map((x) => (x === 0 ? 1 : 0)) });
        } else {
          valid.set(readingJobId(d.hex, seq), r);
          await publish(d, r);
        }
      }
    };
    const jobCount = async () => (await queue.getJobCountByTypes('waiting', 'prioritized')) ?? 0;

    try {
      // 1. Bridge up, a first part of the stream admitted.
      const first = await startChild(prefix, clientId);
      for (let s = 1n; s <= 15n; s++) await publishRound(s);
      await waitFor(async () => (await jobCount()) === 42, 'the first 42 readings as jobs', 20_000);

      // 2. Redis stops answering: the bridge receives, cannot decide, acknowledges nothing.
      redis.child.kill('SIGSTOP');
      for (let s = 16n; s <= 25n; s++) await publishRound(s);
      await waitFor(
        async () => (await metric(first.metrics, 'zkpin_bridge_mqtt_unacked')) >= 10,
        'the bridge to hold 10 unacknowledged messages',
        20_000,
      );
      const unackedAtKill = await metric(first.metrics, 'zkpin_bridge_mqtt_unacked');
      first.proc.kill('SIGKILL');
      await new Promise((r) => first.proc.once('exit', r));
      redis.child.kill('SIGCONT');

      // 3. The stream goes on while no bridge runs (the broker queues for the session), with
      //    exact re-sends: of each device's latest reading (duplicates: the same job) and of
      //    an older one (REPLAYED_SEQ: below the latest; its job stays).
      for (let s = 26n; s <= 40n; s++) await publishRound(s);
      for (const d of devices) await publish(d, valid.get(readingJobId(d.hex, 39n))!);
      await publish(devices[0]!, valid.get(readingJobId(devices[0]!.hex, 5n))!);

      // 4. The bridge comes back with the same session.
      const second = await startChild(prefix, clientId);
      await waitFor(
        async () => (await jobCount()) === valid.size,
        `${valid.size} jobs (one per valid reading)`,
        30_000,
      );
      // Everything it was handed is decided (rejections of the tampered readings included).
      await waitFor(
        async () => (await metric(second.metrics, 'zkpin_bridge_mqtt_unacked')) === 0,
        'the second bridge to acknowledge everything',
        10_000,
      );

      const jobs = await queue.getJobs(['waiting', 'prioritized']);
      expect(jobs.map((j) => j.id).sort()).toEqual([...valid.keys()].sort());
      for (const j of jobs) {
        expect(proveJobJson(j.data).reading, j.id).toEqual(valid.get(j.id!));
      }
      // Each tampered reading was rejected, by one bridge or the other (or both, when the first
      // decided it and died before acknowledging it).
      const rejected = (reason: string) =>
        [first, second].flatMap((c) =>
          c.logs
            .filter((l) => l['reason'] === reason)
            .map((l) => readingJobId(l['device'] as string, l['seq'] as string)),
        );
      const badSignature = rejected('BAD_SIGNATURE');
      for (const id of invalid) expect(badSignature, `rejection of ${id}`).toContain(id);
      expect(badSignature.every((id) => invalid.has(id))).toBe(true);
      expect(rejected('REPLAYED_SEQ')).toEqual([readingJobId(devices[0]!.hex, 5n)]);

      // The kill happened with messages in the window that early acknowledgement would lose,
      // and the second bridge got them again: all unacknowledged, plus the 49 sent while down.
      expect(unackedAtKill).toBeGreaterThanOrEqual(10);
      const handled =
        (await metric(second.metrics, 'zkpin_bridge_accepted_total')) +
        (await metric(second.metrics, 'zkpin_bridge_duplicates_total')) +
        (await metric(second.metrics, 'zkpin_bridge_rejected_total'));
      expect(handled).toBeGreaterThanOrEqual(unackedAtKill + 47);
      expect(await metric(second.metrics, 'zkpin_bridge_duplicates_total')).toBeGreaterThanOrEqual(
        2,
      );
      console.log(
        JSON.stringify({
          test: 'bridge-sigkill',
          published: valid.size + invalid.size + 4,
          jobs: jobs.length,
          unackedAtKill,
          handledAfterRestart: handled,
        }),
      );
    } finally {
      redis.child.kill('SIGCONT');
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  }, 120_000);

  it('keeps a message it cannot admit yet (BACKPRESSURE) unacknowledged, retries it, and admits it once the queue drains', async () => {
    const bridge = await bridges.start({
      ...inMemory(),
      ...onBroker(),
      limits: { maxQueueWaiting: 1 },
    });
    const [d] = devices;
    await publish(d!, signedReading(net, d!, 1n));
    await waitFor(() => bridge.stats().accepted === 1, 'the first reading');
    await publish(d!, signedReading(net, d!, 2n));
    await waitFor(() => bridge.stats().deferred >= 2, 'the second reading to be retried');
    expect(bridge.stats()).toMatchObject({ accepted: 1, rejected: 0 });
    await (await bridge.queue.getJob(readingJobId(d!.hex, 1n)))!.remove();
    await waitFor(
      () => bridge.stats().accepted === 2,
      'the second reading after the queue drained',
      10_000,
    );
    expect(bridge.stats().rejected).toBe(0);
    expect(await bridge.queue.getJob(readingJobId(d!.hex, 2n))).toBeDefined();
  });
  it("keeps a deferred reading ahead of the same device's next one: the next seq waits, nothing is lost", async () => {
    const bridge = await bridges.start({
      ...inMemory(),
      ...onBroker(),
      limits: { maxQueueWaiting: 1 },
    });
    const [, , d] = devices;
    const job = (seq: bigint) => bridge.queue.getJob(readingJobId(d!.hex, seq));
    await publish(d!, signedReading(net, d!, 1n));
    await waitFor(() => bridge.stats().accepted === 1, 'the first reading');
    // Seq 2 finds the queue full and waits for its retry (250 ms, then longer).
    await publish(d!, signedReading(net, d!, 2n));
    await waitFor(() => bridge.stats().deferred >= 1, 'the second reading to be deferred');
    // The queue drains, and seq 3 arrives before seq 2's retry: it must not overtake it.
    await (await job(1n))!.remove();
    await publish(d!, signedReading(net, d!, 3n));
    await waitFor(async () => (await job(2n)) !== undefined, 'seq 2 admitted on its retry', 10_000);
    expect(await job(3n)).toBeUndefined();
    await (await job(2n))!.remove();
    await waitFor(() => bridge.stats().accepted === 3, 'seq 3 after seq 2', 10_000);
    expect(bridge.stats().rejected).toBe(0);
    expect((await job(3n))!.data).toMatchObject({ prevSeq: '2' });
  });

  it('holds a device behind its deferred HTTP reading until that is retried, or until the hold ends', async () => {
    const bridge = await bridges.start({
      ...inMemory(),
      limits: { maxQueueWaiting: 1, deferredHoldMs: 2500 },
    });
    const [d] = devices;
    const job = (seq: bigint) => bridge.queue.getJob(readingJobId(d!.hex, seq));
    expect((await post(bridge, signedReading(net, d!, 1n))).status).toBe(202);
    const full = await post(bridge, signedReading(net, d!, 2n));
    expect(full).toMatchObject({ status: 503, body: { error: 'BACKPRESSURE' } });
    await (await job(1n))!.remove();
    // The queue has room, yet seq 3 waits behind seq 2, which the device has to send first…
    const held = await post(bridge, signedReading(net, d!, 3n));
    expect(held).toMatchObject({ status: 503, body: { error: 'BACKPRESSURE' } });
    expect(held.body['message']).toContain('seq 2');
    // …unless it gives up on seq 2 for longer than the hold.
    await new Promise((r) => setTimeout(r, 2600));
    expect((await post(bridge, signedReading(net, d!, 3n))).status).toBe(202);
    expect(await job(2n)).toBeUndefined();
    // Another device was never held.
    const [, other] = devices;
    await (await job(3n))!.remove();
    expect((await post(bridge, signedReading(net, other!, 1n))).status).toBe(202);
  });

  it('admits a burst of one device in the order it was sent, with several verify threads', async () => {
    // Batches of 12 and of 1 alternate over 3 verify threads: a batch of one is verified
    // before the larger one that came before it, yet must not be admitted first (its seqs are
    // higher: the earlier readings would be rejected as REPLAYED_SEQ and lost).
    const [d] = devices;
    const bridge = await bridges.start({
      ...inMemory(),
      limits: { rateBurst: 1000 },
      verifyThreads: 3,
    });
    const burst = Array.from({ length: 65 }, (_, i) =>
      JSON.stringify(signedReading(net, d!, BigInt(i + 1))),
    );
    const answers: Promise<IngestResult>[] = [];
    for (let i = 0, big = true; i < burst.length; big = !big) {
      const n = big ? 12 : 1;
      for (const r of burst.slice(i, i + n)) answers.push(bridge.ingest(r, 'mqtt', d!.hex));
      i += n;
      await new Promise((r) => setImmediate(r)); // the next batch forms in the next turn
    }
    const results = await Promise.all(answers);
    expect(results.filter((r) => !r.accepted)).toEqual([]);
    // Each job carries the seq admitted before it: 1 ← 2 ← … ← 65.
    expect(results.map((r) => r.accepted && r.prevSeq)).toEqual(
      burst.map((_, i) => (i === 0 ? null : String(i))),
    );
    expect(bridge.stats()).toMatchObject({ accepted: 65, rejected: 0 });
  });

  it("admits a session's backlog in order when the bridge comes back (3 verify threads)", async () => {
    const prefix = randomPrefix();
    const [, d] = devices;
    const options = {
      ...inMemory(),
      ...onBroker(),
      queuePrefix: prefix,
      mqttClientId: `zkpin-bridge-test-${prefix}`,
      limits: { rateBurst: 1000 },
      verifyThreads: 3,
    };
    // The session exists (subscribed), then the bridge goes away and the device goes on.
    await (await bridges.start(options)).stop();
    const backlog = Array.from({ length: 120 }, (_, i) => signedReading(net, d!, BigInt(i + 1)));
    for (const r of backlog) await publish(d!, r);
    // The broker hands the whole backlog over as soon as the bridge is back.
    const bridge = await bridges.start(options);
    await waitFor(
      () => bridge.stats().accepted + bridge.stats().rejected >= 120,
      'the backlog to be decided',
      20_000,
    );
    expect(bridge.stats()).toMatchObject({ accepted: 120, rejected: 0 });
    const queue = new Queue(QUEUE_PROVE, { connection: { url: redis.url }, prefix });
    try {
      const data = await Promise.all(
        backlog.map(async (_, i) => {
          const job = await queue.getJob(readingJobId(d!.hex, BigInt(i + 1)));
          return (job?.data as { prevSeq: string | null } | undefined)?.prevSeq;
        }),
      );
      expect(data).toEqual(backlog.map((_, i) => (i === 0 ? null : String(i))));
    } finally {
      await queue.close();
    }
  });
});
