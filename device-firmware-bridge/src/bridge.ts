/**
 * The bridge: MQTT and HTTP ingest → ReadingValidator → Admission (Redis) → `prove` queue.
 * Every message ends as accepted (one job) or rejected with a reason, counted and logged once.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import mqtt, { type MqttClient } from 'mqtt';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_QUEUE_PREFIX, QUEUE_PROVE } from '@zkpin/sdk';
import { Admission, type AdmissionLimits } from './admission.ts';
import { BridgeError, BridgeRejection, REJECT_REASONS, type RejectReason } from './errors.ts';
import { Ed25519Pool } from './ed25519-pool.ts';
import { buildHttpServer } from './http-server.ts';
import { BridgeMetrics, type BridgeStats, type Source } from './metrics.ts';
import { ReadingValidator, type DeviceDirectory } from './reading-validator.ts';

export interface BridgeLimits extends AdmissionLimits {
  /** Largest message (MQTT payload or HTTP body) in bytes. */
  maxMessageBytes: number;
}

export const DEFAULT_LIMITS: BridgeLimits = {
  maxMessageBytes: 4096,
  rateBurst: 20,
  ratePerSecond: 10,
  maxQueueWaiting: 100_000,
  maxBatch: 500,
};

export interface BridgeOptions {
  /** The network served: its 32-byte address as a PublicKey, bytes or lower-case hex. */
  network: { toBuffer(): Buffer } | Uint8Array | string;
  /** Devices by device hex (`NetworkFollower` satisfies it). */
  directory: DeviceDirectory;
  /** Redis URL (the bridge opens and closes its own connection). */
  redisUrl: string;
  /** BullMQ prefix; the bridge's own keys live under `<prefix>:bridge:`. */
  queuePrefix?: string;
  /** MQTT broker URL; omitted: no MQTT ingest. */
  mqttUrl?: string;
  /** Stable client id: the broker keeps a persistent session (QoS 1 messages queue while the bridge is down). */
  mqttClientId?: string;
  /** Subscribe as `$share/<group>/…` so several bridges split the readings. */
  mqttSharedGroup?: string;
  /** HTTP port; omitted: no HTTP ingest. 0 picks a free port (see `httpAddress`). */
  httpPort?: number;
  httpHost?: string;
  limits?: Partial<BridgeLimits>;
  logger?: Logger;
  /** Prometheus registry for the bridge's metrics (a fresh one by default). */
  registry?: Registry;
  /** Start-up connection timeout for Redis and MQTT (ms). */
  connectTimeoutMs?: number;
  shutdownTimeoutMs?: number;
  /** Worker threads verifying ed25519 signatures (default: cores - 2, at most 4; 0 on 2 cores); 0 verifies inline. */
  verifyThreads?: number;
}

export type IngestResult =
  | { accepted: true; jobId: string }
  | { accepted: false; reason: RejectReason; status: number; message: string };

export interface Bridge {
  start(): Promise<void>;
  stop(): Promise<void>;
  stats(): BridgeStats;
  /** `http://host:port` once started with HTTP enabled. */
  readonly httpAddress: string | undefined;
  /** MQTT topic filter the bridge subscribes to. */
  readonly topic: string;
  readonly registry: Registry;
  readonly queue: Queue;
  /** The ingest path shared by MQTT and HTTP (benchmarks and embedding call it directly). */
  ingest(payload: Buffer | string, source: Source, topicDevice?: string): Promise<IngestResult>;
}

function toHex(network: BridgeOptions['network']): string {
  if (typeof network === 'string') {
    if (!/^[0-9a-f]{64}$/.test(network))
      throw new BridgeError('CONFIG_INVALID', 'network must be 32 bytes as lower-case hex');
    return network;
  }
  const bytes = network instanceof Uint8Array ? network : network.toBuffer();
  if (bytes.length !== 32) throw new BridgeError('CONFIG_INVALID', 'network must be 32 bytes');
  return Buffer.from(bytes).toString('hex');
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves when the connection is ready; rejects on its first connection error. */
function redisReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onReady = () => {
      redis.off('error', onError);
      resolve();
    };
    const onError = (e: Error) => {
      redis.off('ready', onReady);
      reject(e);
    };
    redis.once('ready', onReady);
    redis.once('error', onError);
    if (redis.status === 'wait') redis.connect().catch(() => undefined);
  });
}

export function createBridge(o: BridgeOptions): Bridge {
  const networkHex = toHex(o.network);
  const limits: BridgeLimits = { ...DEFAULT_LIMITS, ...o.limits };
  const prefix = o.queuePrefix ?? DEFAULT_QUEUE_PREFIX;
  const log = o.logger ?? pino({ name: 'zkpin-bridge' });
  const connectTimeoutMs = o.connectTimeoutMs ?? 3000;
  const metrics = new BridgeMetrics(o.registry);
  const validator = new ReadingValidator(networkHex, o.directory, limits.maxMessageBytes);
  const topic = `${o.mqttSharedGroup ? `$share/${o.mqttSharedGroup}/` : ''}zkpin/v1/${networkHex}/devices/+/readings`;

  const redis = new Redis(o.redisUrl, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: 2,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  redis.on('error', (e: Error) => log.debug({ err: e.message }, 'redis connection error'));
  const queue = new Queue(QUEUE_PROVE, { connection: redis, prefix });
  queue.on('error', (e: Error) => log.debug({ err: e.message }, 'queue error'));
  const admission = new Admission(redis, queue, prefix, limits);
  // Threads pay off only with spare cores: on 2 cores, Redis and the event loop need both.
  const cores = availableParallelism();
  const verifier = new Ed25519Pool(o.verifyThreads ?? (cores > 2 ? Math.min(4, cores - 2) : 0));

  let client: MqttClient | undefined;
  let http: FastifyInstance | undefined;
  let httpAddress: string | undefined;
  let accepting = false;

  function reject(
    reason: RejectReason,
    source: Source,
    message: string,
    context: Record<string, unknown> = {},
  ): IngestResult {
    metrics.rejected(reason, source);
    log.warn({ reason, source, ...context }, message);
    return { accepted: false, reason, status: REJECT_REASONS[reason].status, message };
  }

  const inflight = new Set<Promise<IngestResult>>();
  function ingest(
    payload: Buffer | string,
    source: Source,
    topicDevice?: string,
  ): Promise<IngestResult> {
    const p = ingestOne(payload, source, topicDevice);
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    return p;
  }

  async function ingestOne(
    payload: Buffer | string,
    source: Source,
    topicDevice?: string,
  ): Promise<IngestResult> {
    if (!accepting) return reject('UNAVAILABLE', source, 'the bridge is not running');
    let valid;
    try {
      const checked = validator.check(payload, topicDevice);
      if (!(await verifier.verify(checked.device, checked.message, checked.signature))) {
        throw new BridgeRejection('BAD_SIGNATURE', undefined, {
          device: checked.deviceHex,
          seq: checked.seq,
        });
      }
      valid = validator.finish(checked);
    } catch (e) {
      if (e instanceof BridgeRejection) return reject(e.code, source, e.message, e.context);
      return reject(
        'SCHEMA_INVALID',
        source,
        `the reading could not be encoded: ${(e as Error).message}`,
      );
    }
    const r = await admission.submit(valid, source);
    if (r.accepted) {
      metrics.accepted(source);
      return r;
    }
    return reject(r.reason, source, r.message ?? REJECT_REASONS[r.reason].message, {
      device: valid.deviceHex,
      seq: valid.seq,
    });
  }

  function onMqttMessage(t: string, payload: Buffer): void {
    // zkpin/v1/<network>/devices/<device>/readings
    const parts = t.split('/');
    const topicDevice = parts.length === 6 ? parts[4] : undefined;
    ingest(payload, 'mqtt', topicDevice ?? '').catch((e: unknown) =>
      log.error({ err: e }, 'mqtt ingest failed'),
    );
  }

  return {
    topic,
    registry: metrics.registry,
    queue,
    get httpAddress() {
      return httpAddress;
    },
    stats: () => metrics.stats(),
    ingest,

    async start() {
      try {
        await withTimeout(redisReady(redis), connectTimeoutMs, 'Redis connect');
        await withTimeout(redis.ping(), connectTimeoutMs, 'Redis PING');
      } catch (e) {
        redis.disconnect();
        throw new BridgeError(
          'REDIS_UNREACHABLE',
          `cannot reach Redis at ${o.redisUrl}: ${(e as Error).message}. Start Redis or set REDIS_URL.`,
        );
      }
      accepting = true;
      if (o.mqttUrl !== undefined) {
        const m = { url: o.mqttUrl, clientId: o.mqttClientId };
        try {
          client = await withTimeout(
            mqtt.connectAsync(
              m.url,
              {
                clientId: m.clientId ?? `zkpin-bridge-${randomBytes(6).toString('hex')}`,
                clean: m.clientId === undefined,
                connectTimeout: connectTimeoutMs,
                reconnectPeriod: 1000,
              },
              false,
            ),
            connectTimeoutMs + 500,
            'MQTT connect',
          );
        } catch (e) {
          await this.stop();
          throw new BridgeError(
            'MQTT_UNREACHABLE',
            `cannot reach the MQTT broker at ${m.url}: ${(e as Error).message}. Start a broker or set MQTT_URL.`,
          );
        }
        client.on('message', onMqttMessage);
        client.on('error', (e) => log.warn({ err: e.message }, 'mqtt error'));
        await client.subscribeAsync(topic, { qos: 1 });
        log.info({ topic, url: m.url }, 'mqtt ingest subscribed');
      }
      if (o.httpPort !== undefined) {
        http = buildHttpServer({
          maxMessageBytes: limits.maxMessageBytes,
          ingest: (b) => ingest(b, 'http'),
          reject: (reason, message) => void reject(reason, 'http', message),
          registry: metrics.registry,
          healthy: () => accepting && redis.status === 'ready',
        });
        try {
          httpAddress = await http.listen({ port: o.httpPort, host: o.httpHost ?? '127.0.0.1' });
        } catch (e) {
          await this.stop();
          throw new BridgeError(
            'HTTP_LISTEN_FAILED',
            `cannot listen on port ${o.httpPort}: ${(e as Error).message}`,
          );
        }
        log.info({ address: httpAddress }, 'http ingest listening');
      }
    },

    /** Stops ingest (MQTT, HTTP), drains admitted batches, then closes the queue and Redis. */
    async stop() {
      const steps = async () => {
        if (client) await client.endAsync().catch(() => undefined);
        client = undefined;
        if (http) await http.close().catch(() => undefined);
        http = undefined;
        while (inflight.size > 0) await Promise.allSettled([...inflight]);
        await admission.idle();
        accepting = false;
        await verifier.close();
        await queue.close().catch(() => undefined);
        if (redis.status !== 'end') await redis.quit().catch(() => undefined);
      };
      try {
        await withTimeout(steps(), o.shutdownTimeoutMs ?? 5000, 'bridge shutdown');
      } catch (e) {
        log.warn({ err: (e as Error).message }, 'forcing bridge shutdown');
        client?.end(true);
        redis.disconnect();
        void verifier.close();
      } finally {
        accepting = false;
      }
    },
  };
}
