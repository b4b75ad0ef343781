/**
 * Test fixtures: real Redis and Mosquitto (checked up front, failing fast with a clear
 * message), a local network (`@zkpin/sdk/testing`) with registered devices,
 * followed by the real NetworkFollower, and real signed readings.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue, type Job } from 'bullmq';
import mqtt from 'mqtt';
import { pino } from 'pino';
import {
  DEVICE_STATUS_ACTIVE,
  QUEUE_PROVE,
  bjjKeyHashBytes,
  signReading,
  proveJobSchema,
  signedReadingToJson,
  type DeviceKeys,
  type NetworkFollower,
  type SignedReadingJson,
} from '@zkpin/sdk';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import { type EmbeddedChain, localNetwork } from '@zkpin/sdk/testing';
import {
  createBridge,
  type Bridge,
  type BridgeOptions,
  type DeviceDirectory,
} from '../../src/index.ts';

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const MQTT_URL = process.env['MQTT_URL'] ?? 'mqtt://127.0.0.1:1883';

/** Throws a clear error within ~2 s when Redis or the MQTT broker is down. */
export async function assertServices(): Promise<void> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 1500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(
      `Redis is not reachable at ${REDIS_URL} (${(e as Error).message}): start redis-server or set REDIS_URL`,
    );
  } finally {
    redis.disconnect();
  }
  try {
    const c = await Promise.race([
      mqtt.connectAsync(MQTT_URL, { connectTimeout: 1500, reconnectPeriod: 0 }, false),
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timed out')), 2000)),
    ]);
    await c.endAsync();
  } catch (e) {
    throw new Error(
      `MQTT broker is not reachable at ${MQTT_URL} (${(e as Error).message}): start mosquitto or set MQTT_URL`,
    );
  }
}

export function randomPrefix(): string {
  return `zkpin-test-bridge-${randomBytes(5).toString('hex')}`;
}

/** Obliterates the prove queue and deletes every key under the prefix. */
export async function cleanUp(prefix: string, redisUrl = REDIS_URL): Promise<void> {
  const q = new Queue(QUEUE_PROVE, { connection: { url: redisUrl }, prefix });
  await q.obliterate({ force: true }).catch(() => undefined);
  await q.close();
  const redis = new Redis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

export interface TestDevice {
  keys: DeviceKeys;
  hex: string;
}

export interface TestNetwork {
  chain: EmbeddedChain;
  follower: NetworkFollower;
  networkHex: string;
  modelId: number;
  register(): Promise<TestDevice>;
  revoke(d: TestDevice): Promise<void>;
}

/** A local network (maker, model, trees), followed from its events. */
export async function testNetwork(): Promise<TestNetwork> {
  const net = await localNetwork();
  return {
    chain: net.embedded,
    follower: net.follower,
    networkHex: net.setup.network.toBuffer().toString('hex'),
    modelId: net.setup.modelId,
    async register() {
      const { keys, hex } = await net.registerDevice();
      return { keys, hex };
    },
    async revoke(d) {
      await net.revokeDevice(d);
    },
  };
}

/** Unix seconds now. */
export function nowS(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

/** A real signed reading (ed25519 over the canonical bytes, EdDSA-Poseidon over msg), timestamped now. */
export function signedReading(
  net: { networkHex: string; modelId: number },
  d: TestDevice,
  seq: bigint,
  o: { modelId?: number; networkHex?: string; timestamp?: bigint; readings?: number[] } = {},
): SignedReadingJson {
  const readings =
    o.readings ?? Array.from({ length: 16 }, (_, i) => ((i * 7 + Number(seq)) % 200) - 100);
  return signedReadingToJson(
    signReading(d.keys, {
      network: Buffer.from(o.networkHex ?? net.networkHex, 'hex'),
      seq,
      timestamp: o.timestamp ?? nowS(),
      modelId: o.modelId ?? net.modelId,
      readings,
      salt: randomBytes(32),
    }),
  );
}

/**
 * Devices known without a chain (tests of the transport, not of the follower): active, at
 * on-chain seq 0, with the model and BabyJubJub key hash they were made with.
 */
export function memoryDirectory(devices: TestDevice[], modelId: number): DeviceDirectory {
  const known = new Map(
    devices.map((d) => [
      d.hex,
      {
        leaf: {
          status: DEVICE_STATUS_ACTIVE,
          modelId,
          seq: 0n,
          bjjKeyHash: bjjKeyHashBytes(d.keys.babyJub.publicKey),
        },
      },
    ]),
  );
  return { device: (hex) => known.get(hex) };
}

/** New device keys, not registered anywhere. */
export async function newDevice(): Promise<TestDevice> {
  const keys = await generateDeviceKeys();
  return { keys, hex: Buffer.from(keys.ed25519.publicKey).toString('hex') };
}

export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  ms = 5000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Bridges started by a test file, each on its own key prefix; `stopAll` in afterEach. */
export class TestBridges {
  private readonly running: { bridge: Bridge; prefix: string; redisUrl: string }[] = [];

  async start(
    o: Partial<BridgeOptions> & Pick<BridgeOptions, 'network' | 'directory'>,
  ): Promise<Bridge> {
    const redisUrl = o.redisUrl ?? REDIS_URL;
    const prefix = o.queuePrefix ?? randomPrefix();
    const bridge = createBridge({
      httpPort: 0,
      metricsPort: 0,
      logger: pino({ level: 'silent' }),
      verifyThreads: 0,
      ...o,
      // Never the default prefix: tests share Redis with whoever else uses this machine.
      redisUrl,
      queuePrefix: prefix,
    });
    this.running.push({ bridge, prefix, redisUrl });
    await bridge.start();
    return bridge;
  }

  async stopAll(): Promise<void> {
    const prefixes = new Map<string, string>();
    for (const { bridge, prefix, redisUrl } of this.running.splice(0)) {
      await bridge.stop();
      prefixes.set(prefix, redisUrl);
    }
    for (const [prefix, redisUrl] of prefixes) await cleanUp(prefix, redisUrl);
  }
}

export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs a reading (JSON-encoded unless `raw`) to the bridge's HTTP ingest. */
export async function post(bridge: Bridge, body: unknown, raw = false): Promise<HttpAnswer> {
  const res = await fetch(`${bridge.httpAddress!}/v1/readings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Every job of the bridge's prove queue, in any state. */
export function allJobs(bridge: Bridge): Promise<Job[]> {
  return bridge.queue.getJobs([
    'waiting',
    'active',
    'delayed',
    'prioritized',
    'completed',
    'failed',
  ]);
}

/** A prove job's data, checked by `proveJobSchema`, with the reading in its JSON (wire) form. */
export function proveJobJson(data: unknown) {
  const job = proveJobSchema.parse(data);
  return { ...job, reading: signedReadingToJson(job.reading) };
}
