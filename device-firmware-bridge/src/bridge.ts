/**
 * The bridge: MQTT and HTTP ingest → ReadingValidator → Admission (Redis) → `prove` queue.
 * Every message ends as accepted (one job; a re-send of an accepted reading is answered with
 * that job) or rejected with a reason, counted and logged once. MQTT messages are
 * acknowledged only then (mqtt-ingest.ts).
 */
import { availableParallelism } from 'node:os';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_QUEUE_PREFIX, QUEUE_PROVE, networkReadingsFilter } from '@zkpin/sdk';
import { Admission, type AdmissionLimits } from './admission.ts';
import { BridgeError, BridgeRejection, REJECT_REASONS, type RejectReason } from './errors.ts';
import { Ed25519Pool } from './ed25519-pool.ts';
import { DEFAULT_HTTP_LIMITS, buildHttpServer, type HttpLimits } from './http-server.ts';
import { startMetricsServer, type MetricsServer } from './metrics-server.ts';
import { BridgeMetrics, type BridgeStats, type Source } from './metrics.ts';
import { MqttIngest } from './mqtt-ingest.ts';
import {
  ReadingValidator,
  type DeviceDirectory,
  type TimestampWindow,
} from './reading-validator.ts';

export interface BridgeLimits extends AdmissionLimits, TimestampWindow {
  /** Largest message (MQTT payload or HTTP body) in bytes. */
  maxMessageBytes: number;
}

export const DEFAULT_LIMITS: BridgeLimits = {
  maxMessageBytes: 4096,
  rateBurst: 20,
  ratePerSecond: 10,
  maxQueueWaiting: 100_000,
  maxBatch: 500,
  maxReadingAgeS: 86_400,
  maxClockSkewS: 120,
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
  /**
   * Stable client id of the bridge's persistent MQTT session (unacknowledged and queued QoS 1
   * messages survive a bridge restart). Omitted: a random one (nothing survives a restart).
   * Each bridge needs its own.
   */
  mqttClientId?: string;
  mqttUsername?: string;
  mqttPassword?: string;
  /** Subscribe as `$share/<group>/…` so several bridges split the readings. */
  mqttSharedGroup?: string;
  /** HTTP ingest port; omitted: no HTTP ingest. 0 picks a free port (see `httpAddress`). */
  httpPort?: number;
  /** HTTP ingest address (default 127.0.0.1). */
  httpHost?: string;
  httpLimits?: Partial<HttpLimits>;
  /** Port of `GET /metrics` and `/healthz`; omitted: no metrics server. 0 picks a free port. */
  metricsPort?: number;
  /** Metrics address (default 127.0.0.1). */
  metricsHost?: string;
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
  | {
      accepted: true;
      jobId: string;
      /** A re-send of an accepted reading: `jobId` is that reading's job, no new job. */
      duplicate: boolean;
      /** The device's previously accepted seq, as carried in the prove job. */
      prevSeq: string | null;
    }
  | {
      accepted: false;
      reason: RejectReason;
      status: number;
      message: string;
      /** Logged with the rejection (device, seq). */
      context?: Record<string, unknown>;
    };

export interface Bridge {
  start(): Promise<void>;
  stop(): Promise<void>;
  stats(): BridgeStats;
  /** `http://host:port` once started with HTTP enabled. */
  readonly httpAddress: string | undefined;
  /** `http://host:port` of `/metrics` once started with a metrics port. */
  readonly metricsAddress: string | undefined;
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
  const httpLimits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...o.httpLimits };
  const prefix = o.queuePrefix ?? DEFAULT_QUEUE_PREFIX;
  const log = o.logger ?? pino({ name: 'zkpin-bridge' });
  const connectTimeoutMs = o.connectTimeoutMs ?? 3000;
  const metrics = new BridgeMetrics(o.registry);
  const validator = new ReadingValidator(networkHex, o.directory, limits.maxMessageBytes, limits);
  const topic = `${o.mqttSharedGroup ? `$share/${o.mqttSharedGroup}/` : ''}${networkReadingsFilter(networkHex)}`;

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

  let mqttIngest: MqttIngest | undefined;
  let http: FastifyInstance | undefined;
  let httpAddress: string | undefined;
  let metricsServer: MetricsServer | undefined;
  let accepting = false;
  const healthy = () => accepting && redis.status === 'ready';

  const rejection = (
    reason: RejectReason,
    message: string,
    context?: Record<string, unknown>,
  ): IngestResult => ({
    accepted: false,
    reason,
    status: REJECT_REASONS[reason].status,
    message,
    context,
  });

  /** Counts and logs a decision. */
  function record(r: IngestResult, source: Source): IngestResult {
    if (r.accepted) metrics.accepted(source, r.duplicate);
    else {
      metrics.rejected(r.reason, source);
      log.warn({ reason: r.reason, source, ...r.context }, r.message);
    }
    return r;
  }

  const inflight = new Set<Promise<IngestResult>>();
  /** Decides one message without counting it (MQTT retries transient outcomes). */
  function decide(
    payload: Buffer | string,
    source: Source,
    topicDevice?: string,
  ): Promise<IngestResult> {
    const p = decideOne(payload, source, topicDevice);
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    return p;
  }

  async function decideOne(
    payload: Buffer | string,
    source: Source,
    topicDevice?: string,
  ): Promise<IngestResult> {
    if (!accepting) return rejection('UNAVAILABLE', 'the bridge is not running');
    let valid;
    try {
      const checked = validator.check(payload, topicDevice);
      const { device, ed25519Signature } = checked.reading;
      if (!(await verifier.verify(device, checked.message, ed25519Signature))) {
        throw new BridgeRejection('BAD_SIGNATURE', undefined, {
          device: checked.deviceHex,
          seq: checked.seq,
        });
      }
      valid = validator.finish(checked);
    } catch (e) {
      if (e instanceof BridgeRejection) return rejection(e.code, e.message, e.context);
      return rejection(
        'SCHEMA_INVALID',
        `the reading could not be encoded: ${(e as Error).message}`,
      );
    }
    const r = await admission.submit(valid, source);
    if (r.accepted) return r;
    return rejection(r.reason, r.message ?? REJECT_REASONS[r.reason].message, {
      device: valid.deviceHex,
      seq: valid.seq,
    });
  }

  return {
    topic,
    registry: metrics.registry,
    queue,
    get httpAddress() {
      return httpAddress;
    },
    get metricsAddress() {
      return metricsServer?.address;
    },
    stats: () => metrics.stats(),
    ingest: async (payload, source, topicDevice) =>
      record(await decide(payload, source, topicDevice), source),

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
      if (o.metricsPort !== undefined) {
        const host = o.metricsHost ?? '127.0.0.1';
        try {
          metricsServer = await startMetricsServer(metrics.registry, healthy, o.metricsPort, host);
        } catch (e) {
          await this.stop();
          throw new BridgeError(
            'HTTP_LISTEN_FAILED',
            `cannot serve metrics on ${host}:${o.metricsPort}: ${(e as Error).message}`,
          );
        }
        log.info({ address: metricsServer.address }, 'metrics listening');
      }
      if (o.mqttUrl !== undefined) {
        mqttIngest = new MqttIngest({
          url: o.mqttUrl,
          clientId: o.mqttClientId,
          username: o.mqttUsername,
          password: o.mqttPassword,
          topic,
          connectTimeoutMs,
          decide: (payload, topicDevice) => decide(payload, 'mqtt', topicDevice),
          record: (r) => void record(r, 'mqtt'),
          metrics,
          log,
        });
        try {
          await mqttIngest.start();
        } catch (e) {
          await this.stop();
          throw e;
        }
      }
      if (o.httpPort !== undefined) {
        http = buildHttpServer({
          maxMessageBytes: limits.maxMessageBytes,
          limits: httpLimits,
          ingest: async (b) => record(await decide(b, 'http'), 'http'),
          reject: (reason, message) => void record(rejection(reason, message), 'http'),
          healthy,
        });
        const host = o.httpHost ?? '127.0.0.1';
        try {
          httpAddress = await http.listen({ port: o.httpPort, host });
        } catch (e) {
          await this.stop();
          throw new BridgeError(
            'HTTP_LISTEN_FAILED',
            `cannot listen on ${host}:${o.httpPort}: ${(e as Error).message}`,
          );
        }
        log.info({ address: httpAddress }, 'http ingest listening');
      }
    },

    /**
     * Stops ingest: MQTT (acknowledges what it decides, leaves the rest to the broker), HTTP,
     * in-flight ingests; drains admitted batches, then closes the queue and Redis.
     */
    async stop() {
      const steps = async () => {
        await mqttIngest?.stop();
        mqttIngest = undefined;
        if (http) await http.close().catch(() => undefined);
        http = undefined;
        while (inflight.size > 0) await Promise.allSettled([...inflight]);
        await admission.idle();
        accepting = false;
        await metricsServer?.close();
        metricsServer = undefined;
        await verifier.close();
        await queue.close().catch(() => undefined);
        if (redis.status !== 'end') await redis.quit().catch(() => undefined);
      };
      try {
        await withTimeout(steps(), o.shutdownTimeoutMs ?? 5000, 'bridge shutdown');
      } catch (e) {
        log.warn({ err: (e as Error).message }, 'forcing bridge shutdown');
        void mqttIngest?.stop(true);
        redis.disconnect();
        void metricsServer?.close();
        void verifier.close();
      } finally {
        accepting = false;
      }
    },
  };
}
