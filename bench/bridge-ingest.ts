/**
 * Ingest throughput: signed readings accepted into the `prove` queue per second, proving off.
 * Devices are known through an in-memory directory (the chain is not what is measured);
 * every reading carries a real ed25519 signature over its canonical bytes, which the bridge
 * verifies. The BabyJubJub fields come from one real `signReading` per device and are not
 * re-signed per seq (~30 ms each): the bridge checks the key against the device's
 * bjj_key_hash, not the signature (the prover does).
 *
 * The default transport is the real path: readings published at QoS 1 to Mosquitto on their
 * devices' topics, taken by the bridge's MQTT subscription, decided, then PUBACKed; the
 * devices (32 publishes in flight, one connection) run in a process of their own
 * (`bench/ingest-fleet.ts`) on the same cores, as they are not the bridge. `http` POSTs them; `direct` calls
 * `bridge.ingest` (no transport). In the same run, BullMQ's own `addBulk` adds as many jobs as
 * the bridge stores (same data size, ids and options) to a scratch queue right before and after
 * (`bullmq_noop_per_s`, the mean); `ingest_ratio` = ingest_per_s / bullmq_noop_per_s.
 *
 * `ed25519` picks the bridge's verifier (`native` addon or node:crypto `node`; default auto).
 *
 *   npx tsx bench/bridge-ingest.ts [count] [mqtt|http|direct] [verifyThreads] [auto|native|node]
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import {
  DEVICE_STATUS_ACTIVE,
  bjjKeyHashBytes,
  encodeReadingMessage,
  signReading,
  signedReadingToJson,
  type DeviceKeys,
  readingJobId,
  type ProveJobData,
  type SignedReadingJson,
} from '@zkpin/sdk';
import {
  generateDeviceKeys,
  resolveEd25519Backend,
  type Ed25519Backend,
  type Ed25519BackendChoice,
} from '@zkpin/sdk/node';
import {
  DEFAULT_LIMITS,
  JOB_OPTIONS,
  PROVE_JOB_NAME,
  createBridge,
  type DeviceDirectory,
} from '@zkpin/device-firmware-bridge';
import type { FleetToParent, ParentToFleet } from './ingest-fleet.ts';
import { report } from './report.ts';

/** Defaults of `measureIngest`: the bench's only reads of the environment. */
const DEFAULTS: Required<Omit<MeasureIngestOptions, 'verifyThreads' | 'ed25519Backend'>> = {
  count: 20_000,
  devices: 100,
  transport: 'mqtt',
  redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  mqttUrl: process.env['MQTT_URL'] ?? 'mqtt://127.0.0.1:1883',
};

export interface MeasureIngestOptions {
  /** Readings to push through (default 20,000). */
  count?: number;
  /** Distinct devices the readings are spread over (default 100). */
  devices?: number;
  /** `mqtt` (publish to the broker, default), `http` (POST, 64 in flight) or `direct` (bridge.ingest). */
  transport?: 'mqtt' | 'http' | 'direct';
  redisUrl?: string;
  mqttUrl?: string;
  /** Passed to createBridge (ed25519 worker threads). */
  verifyThreads?: number;
  /** Passed to createBridge (ed25519 backend). */
  ed25519Backend?: Ed25519BackendChoice;
}

export interface IngestMeasurement {
  transport: string;
  /** The bridge's ed25519 backend in this run. */
  ed25519Backend: Ed25519Backend;
  count: number;
  accepted: number;
  rejected: number;
  /** The rejections by reason (the reasons that occurred). */
  rejectedByReason: Record<string, number>;
  seconds: number;
  perSecond: number;
  /** BullMQ's own `addBulk` of as many jobs like the bridge's, right before and after (jobs/s). */
  bullmqNoopBefore: number;
  bullmqNoopAfter: number;
  /** Their mean, and perSecond over it. */
  bullmqNoopPerSecond: number;
  ratio: number;
  profile: IngestProfile;
}

/**
 * Where an ingest run's time went, per accepted reading. Redis figures come from `INFO cpu` and
 * `INFO commandstats` before and after, so other clients of the same Redis count too.
 */
export interface IngestProfile {
  /** Bytes of one reading as sent, and of its prove job's data (JSON). */
  readingBytes: number;
  jobDataBytes: number;
  /** The bridge process's event-loop busy time (ELU active), µs. */
  eventLoopUs: number;
  /** The bridge process's CPU (main thread and workers), µs. */
  processCpuUs: number;
  /** The device fleet's CPU (its own process; MQTT only, else 0), µs. */
  publisherCpuUs: number;
  /** Redis server CPU (user + sys), µs. */
  redisCpuUs: number;
  /** Time Redis spent in scripts (EVALSHA / EVAL), µs. */
  redisScriptUs: number;
  /** Scripts run (EVALSHA / EVAL calls) per reading: 1 / batch size for one script a batch. */
  redisScriptCalls: number;
  /** Mosquitto's CPU (user + sys), µs, when its process is visible. */
  mosquittoCpuUs: number | null;
}

/** Redis `INFO commandstats` and `INFO cpu` as numbers. */
async function redisCounters(redis: Redis) {
  const text = await redis.info('all');
  const cmds = new Map<string, { calls: number; usec: number }>();
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm))
    cmds.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  const cpu = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(text)?.[1] ?? 0);
  return { cmds, cpuUs: (cpu('used_cpu_user') + cpu('used_cpu_sys')) * 1e6 };
}

/** CPU time of every process named `mosquitto` (Linux /proc), µs; null where not visible. */
function mosquittoCpuUs(): number | null {
  try {
    let total = 0;
    let found = false;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue;
      }
      if (!stat.includes('(mosquitto)')) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
      found = true;
    }
    return found ? (total / 100) * 1e6 : null; // USER_HZ = 100 on Linux
  } catch {
    return null;
  }
}

/**
 * BullMQ's own `addBulk`, no bridge: `jobs` added to a scratch queue in batches of
 * `batch` (the bridge's admission batch), one batch at a time; jobs/s.
 */
export async function measureBullmqNoop(
  redisUrl: string,
  jobs: readonly { name: string; data: ProveJobData; opts: JobsOptions }[],
  batch = DEFAULT_LIMITS.maxBatch,
): Promise<number> {
  const prefix = `zkpin-bench-noop-${randomBytes(4).toString('hex')}`;
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('noop', { connection, prefix });
  try {
    await queue.waitUntilReady();
    const t0 = performance.now();
    for (let i = 0; i < jobs.length; i += batch) await queue.addBulk(jobs.slice(i, i + batch));
    return jobs.length / ((performance.now() - t0) / 1000);
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await deleteKeys(connection, prefix);
    await connection.quit();
  }
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    if (keys.length) await redis.del(...keys);
    cursor = nextCursor;
  } while (cursor !== '0');
}

/** Signed readings as devices send them, and the jobs the BullMQ baseline adds for them. */
export interface PreparedIngest {
  networkHex: string;
  directory: DeviceDirectory;
  messages: { topicDevice: string; payload: string }[];
  noopJobs: { name: string; data: ProveJobData; opts: JobsOptions }[];
}

/**
 * Ingest throughput, with BullMQ's own `addBulk` of as many jobs of the same size measured
 * right before and after it (`bullmqNoopPerSecond`, their mean) and the ratio of the two.
 */
export async function measureIngest(o: MeasureIngestOptions = {}): Promise<IngestMeasurement> {
  const redisUrl = o.redisUrl ?? DEFAULTS.redisUrl;
  const prepared = await prepareIngest(o);
  const bullmqNoopBefore = await measureBullmqNoop(redisUrl, prepared.noopJobs);
  const run = await runIngest(prepared, o);
  // Every reading is valid and each device sends in order: anything but all of them accepted
  // is a fault of the bridge (a lost or reordered reading), and makes the rate meaningless.
  if (run.accepted !== run.count) {
    const undecided = run.count - run.accepted - run.rejected;
    throw new Error(
      `the bridge accepted ${run.accepted} of ${run.count} valid readings sent in order: ` +
        `${run.rejected} refused ${JSON.stringify(run.rejectedByReason)}, ${undecided} undecided`,
    );
  }
  const bullmqNoopAfter = await measureBullmqNoop(redisUrl, prepared.noopJobs);
  const bullmqNoopPerSecond = (bullmqNoopBefore + bullmqNoopAfter) / 2;
  return {
    ...run,
    bullmqNoopBefore,
    bullmqNoopAfter,
    bullmqNoopPerSecond,
    ratio: run.perSecond / bullmqNoopPerSecond,
  };
}

/** Devices (keys, an in-memory directory) and `count` readings signed by them. */
export async function prepareIngest(o: MeasureIngestOptions = {}): Promise<PreparedIngest> {
  const count = o.count ?? DEFAULTS.count;
  const deviceCount = Math.min(o.devices ?? DEFAULTS.devices, count);
  const network = randomBytes(32);
  const networkHex = network.toString('hex');
  const modelId = 1;

  const devices: {
    keys: DeviceKeys;
    hex: string;
    template: ReturnType<typeof signedReadingToJson>;
    bjj: Pick<ReturnType<typeof signReading>, 'bjjPublicKey' | 'bjjSignature'>;
  }[] = [];
  const known = new Map<
    string,
    { leaf: { status: number; modelId: number; seq: bigint; bjjKeyHash: Uint8Array } }
  >();
  const t0s = BigInt(Math.floor(Date.now() / 1000));
  for (let i = 0; i < deviceCount; i++) {
    const keys = await generateDeviceKeys();
    const hex = Buffer.from(keys.ed25519.publicKey).toString('hex');
    const signed = signReading(keys, {
      network,
      seq: 1n,
      timestamp: t0s,
      modelId,
      readings: new Array<number>(16).fill(0),
      salt: new Uint8Array(32),
    });
    const bjj = { bjjPublicKey: signed.bjjPublicKey, bjjSignature: signed.bjjSignature };
    devices.push({ keys, hex, template: signedReadingToJson(signed), bjj });
    const bjjKeyHash = bjjKeyHashBytes(keys.babyJub.publicKey);
    known.set(hex, { leaf: { status: DEVICE_STATUS_ACTIVE, modelId, seq: 0n, bjjKeyHash } });
  }
  const directory: DeviceDirectory = { device: (hex) => known.get(hex) };

  // Pre-sign every reading (devices do this, not the bridge).
  const messages: { topicDevice: string; payload: string }[] = [];
  const seqs = new Array<bigint>(deviceCount).fill(0n);
  for (let i = 0; i < count; i++) {
    const d = i % deviceCount;
    const dev = devices[d]!;
    const seq = (seqs[d] = seqs[d]! + 1n);
    const readings = Array.from({ length: 16 }, (_, k) => ((i + k * 13) % 256) - 128);
    const salt = randomBytes(32);
    const timestamp = t0s;
    const sig = dev.keys.ed25519.sign(
      encodeReadingMessage({
        network,
        device: dev.keys.ed25519.publicKey,
        seq,
        timestamp,
        modelId,
        readings,
        salt,
        ...dev.bjj, // signed from reading message v2 on
      }),
    );
    messages.push({
      topicDevice: dev.hex,
      payload: JSON.stringify({
        ...dev.template,
        seq: seq.toString(),
        timestamp: timestamp.toString(),
        readings,
        salt: salt.toString('hex'),
        ed25519Signature: Buffer.from(sig).toString('hex'),
      }),
    });
  }

  // The baseline's jobs: what the bridge would store for these readings, same ids and options.
  const noopJobs = messages.map((m) => {
    const reading = JSON.parse(m.payload) as SignedReadingJson;
    const data: ProveJobData = { reading, acceptedAt: Date.now(), source: 'mqtt', prevSeq: null };
    const jobId = readingJobId(reading.device, reading.seq);
    return { name: PROVE_JOB_NAME, data, opts: { ...JOB_OPTIONS, jobId } };
  });
  return { networkHex, directory, messages, noopJobs };
}

/** The device fleet's process (`bench/ingest-fleet.ts`), connected to the broker and waiting. */
interface Fleet {
  /** Publishes every reading, keeping at most 600 undecided; the fleet's CPU time (µs). */
  run(decided: () => number): Promise<number>;
  stop(): void;
}

/** Most readings published and not yet decided: under Mosquitto's default queue of 1,000. */
const FLEET_WINDOW = 600;

async function startFleet(
  mqttUrl: string,
  networkHex: string,
  messages: PreparedIngest['messages'],
): Promise<Fleet> {
  const child = fork(fileURLToPath(new URL('./ingest-fleet.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // The fleet disconnects once done: a late `decided` goes nowhere (the callback takes the error).
  const post = (m: ParentToFleet) => {
    if (child.connected) child.send(m, () => undefined);
  };
  const answer = (timeoutMs: number) =>
    new Promise<FleetToParent>((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`the ingest fleet did not answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onMessage = (m: FleetToParent) =>
        finish(m.type === 'error' ? new Error(`ingest fleet: ${m.message}`) : undefined, m);
      const onExit = (code: number | null) =>
        finish(new Error(`the ingest fleet exited (${code}) before answering`));
      const finish = (e?: Error, m?: FleetToParent) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (e) reject(e);
        else resolve(m!);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  try {
    const ready = answer(30_000);
    post({ type: 'start', mqttUrl, networkHex, messages, window: FLEET_WINDOW, concurrency: 32 });
    await ready;
  } catch (e) {
    child.kill();
    throw e;
  }
  return {
    async run(decided) {
      // The bridge's decisions so far, every 2 ms: the fleet's flow control.
      const timer = setInterval(() => post({ type: 'decided', count: decided() }), 2);
      try {
        const done = answer(600_000);
        post({ type: 'go' });
        const m = await done;
        return m.type === 'done' ? m.cpuUs : 0;
      } finally {
        clearInterval(timer);
      }
    },
    stop: () => {
      if (child.exitCode === null) child.kill();
    },
  };
}

/**
 * Pushes the prepared readings through a bridge (`o.createBridge`, default this repository's)
 * over `o.transport`, and profiles the run.
 */
export async function runIngest(
  prepared: PreparedIngest,
  o: MeasureIngestOptions & { createBridge?: typeof createBridge } = {},
): Promise<
  Omit<IngestMeasurement, 'bullmqNoopBefore' | 'bullmqNoopAfter' | 'bullmqNoopPerSecond' | 'ratio'>
> {
  const { networkHex, directory, messages, noopJobs } = prepared;
  const count = messages.length;
  const transport = o.transport ?? DEFAULTS.transport;
  const redisUrl = o.redisUrl ?? DEFAULTS.redisUrl;
  const mqttUrl = o.mqttUrl ?? DEFAULTS.mqttUrl;
  const prefix = `zkpin-bench-ingest-${randomBytes(4).toString('hex')}`;
  const bridge = (o.createBridge ?? createBridge)({
    network: networkHex,
    directory,
    redisUrl,
    queuePrefix: prefix,
    mqttUrl: transport === 'mqtt' ? mqttUrl : undefined,
    httpPort: transport === 'http' ? 0 : undefined,
    limits: { rateBurst: count, ratePerSecond: count, maxQueueWaiting: count + 1 },
    logger: pino({ level: 'silent' }),
    verifyThreads: o.verifyThreads,
    ed25519Backend: o.ed25519Backend,
  });
  await bridge.start();
  // The devices publish from a process of their own, connected before the clock starts.
  const fleet =
    transport === 'mqtt'
      ? await startFleet(mqttUrl, networkHex, messages).catch(async (e: unknown) => {
          await bridge.stop();
          throw e;
        })
      : undefined;
  let publisherCpuUs = 0;
  const probe = new Redis(redisUrl);
  const redisBefore = await redisCounters(probe);
  const mosquittoBefore = mosquittoCpuUs();
  const cpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  const done = () => {
    const s = bridge.stats();
    return s.accepted + s.rejected >= count;
  };
  const t0 = performance.now();
  let seconds = 0;
  let stats = bridge.stats();
  try {
    if (transport === 'direct') {
      await Promise.all(messages.map((m) => bridge.ingest(m.payload, 'mqtt', m.topicDevice)));
    } else if (transport === 'http') {
      let next = 0;
      const url = `${bridge.httpAddress!}/v1/readings`;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < messages.length) {
            const m = messages[next++]!;
            const res = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: m.payload,
            });
            await res.arrayBuffer();
          }
        }),
      );
    } else {
      publisherCpuUs = await fleet!.run(() => {
        const s = bridge.stats();
        return s.accepted + s.rejected;
      });
    }
    const deadline = Date.now() + 60_000;
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  } finally {
    seconds = (performance.now() - t0) / 1000;
    stats = bridge.stats();
    fleet?.stop();
    await bridge.stop();
  }
  const elu = performance.eventLoopUtilization(eluBefore);
  const cpu = process.cpuUsage(cpuBefore);
  const mosquittoAfter = mosquittoCpuUs();
  const redisAfter = await redisCounters(probe);
  await deleteKeys(probe, prefix);
  await probe.quit();

  const per = Math.max(stats.accepted, 1);
  const delta = (cmd: string, k: 'calls' | 'usec') =>
    (redisAfter.cmds.get(cmd)?.[k] ?? 0) - (redisBefore.cmds.get(cmd)?.[k] ?? 0);
  return {
    transport,
    ed25519Backend: resolveEd25519Backend(o.ed25519Backend),
    count,
    accepted: stats.accepted,
    rejected: stats.rejected,
    rejectedByReason: Object.fromEntries(
      Object.entries(stats.rejectedByReason).filter(([, n]) => n > 0),
    ),
    seconds,
    perSecond: stats.accepted / seconds,
    profile: {
      readingBytes: Buffer.byteLength(messages[0]!.payload),
      jobDataBytes: Buffer.byteLength(JSON.stringify(noopJobs[0]!.data)),
      eventLoopUs: (elu.active * 1000) / per,
      processCpuUs: (cpu.user + cpu.system) / per,
      publisherCpuUs: publisherCpuUs / per,
      redisCpuUs: (redisAfter.cpuUs - redisBefore.cpuUs) / per,
      redisScriptUs: (delta('evalsha', 'usec') + delta('eval', 'usec')) / per,
      redisScriptCalls: (delta('evalsha', 'calls') + delta('eval', 'calls')) / per,
      mosquittoCpuUs:
        mosquittoBefore === null || mosquittoAfter === null
          ? null
          : (mosquittoAfter - mosquittoBefore) / per,
    },
  };
}

/** The figures `bench:pipeline` and this bench report, rounded. */
export function ingestMetrics(m: IngestMeasurement): Record<string, number> {
  return {
    ingest_per_s: Math.round(m.perSecond),
    bullmq_noop_per_s: Math.round(m.bullmqNoopPerSecond),
    ingest_ratio: Number(m.ratio.toFixed(3)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [count, transport, threads, backend] = process.argv.slice(2);
  measureIngest({
    count: count === undefined ? undefined : Number(count),
    transport: transport as MeasureIngestOptions['transport'],
    verifyThreads: threads === undefined || threads === '' ? undefined : Number(threads),
    ed25519Backend: backend as Ed25519BackendChoice | undefined,
  })
    .then((m) => {
      const profile = Object.fromEntries(
        Object.entries(m.profile).map(([k, v]: [string, number | null]) => [
          `per_reading_${k}`,
          v === null ? -1 : Number(v.toFixed(k === 'redisScriptCalls' ? 4 : 1)),
        ]),
      );
      report('bridge-ingest', {
        ...ingestMetrics(m),
        transport: m.transport,
        ed25519_backend: m.ed25519Backend,
        count: m.count,
        accepted: m.accepted,
        rejected: m.rejected,
        bullmq_noop_before_per_s: Math.round(m.bullmqNoopBefore),
        bullmq_noop_after_per_s: Math.round(m.bullmqNoopAfter),
        ...profile,
      });
      process.exit(0);
    })
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}
