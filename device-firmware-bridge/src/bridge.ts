/**
 * The bridge: MQTT (mqtt-ingest.ts) and HTTP (http-server.ts) → ReadingIngest (ingest.ts:
 * ReadingValidator, Ed25519Pool, Admission) → `prove` queue. This file only wires the rooms
 * together and runs their lifecycle; defaults are in defaults.ts.
 */
import { Queue } from 'bullmq';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DEFAULT_QUEUE_PREFIX, QUEUE_PROVE, READING_MESSAGE_MAX_BYTES } from '@zkpin/sdk';
import type { Ed25519BackendChoice } from '@zkpin/sdk/node/ed25519';
import { Admission } from './admission.ts';
import { DEFAULTS, DEFAULT_LIMITS, defaultVerifyThreads, type BridgeLimits } from './defaults.ts';
import { Ed25519Pool } from './ed25519-pool.ts';
import { BridgeError } from './errors.ts';
import { DEFAULT_HTTP_LIMITS, HttpIngest, type HttpLimits } from './http-server.ts';
import { ReadingIngest, type IngestResult } from './ingest.ts';
import { startMetricsServer, type MetricsServer } from './metrics-server.ts';
import { BridgeMetrics, type BridgeStats, type Source } from './metrics.ts';
import { MqttIngest, readingsSubscription } from './mqtt-ingest.ts';
import { ReadingValidator, type DeviceDirectory } from './reading-validator.ts';
import { connectRedis, createRedis } from './redis-connection.ts';
import { withTimeout } from './with-timeout.ts';

export interface BridgeOptions {
  /** The network served: its 32-byte address as a PublicKey, bytes or lower-case hex. */
  network: { toBuffer(): Buffer } | Uint8Array | string;
  /** Devices by device hex (`NetworkFollower` satisfies it). */
  directory: DeviceDirectory;
  /**
   * Each model's window (model id → number of readings), from the deployment manifest's
   * models: a reading of another length is refused (`WINDOW_MISMATCH`) before it is queued.
   */
  modelWindows?: ReadonlyMap<number, number>;
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
  /** Start-up connection timeout for Redis and MQTT (ms, default 3000). */
  connectTimeoutMs?: number;
  /** `stop()` forces the connections closed after this (ms, default 5000). */
  shutdownTimeoutMs?: number;
  /** Worker threads verifying ed25519 signatures (default: cores - 2, at least 1, at most 4; 0 on 1 core); 0 verifies inline. */
  verifyThreads?: number;
  /**
   * ed25519 backend of those threads: `native` (the sdk's addon, built by scripts/setup.sh),
   * `node` (node:crypto) or `auto` (native when built; default `ZKPIN_ED25519_BACKEND`, else auto).
   */
  ed25519Backend?: Ed25519BackendChoice;
}

export interface Bridge {
  start(): Promise<void>;
  /**
   * Shuts down within `shutdownTimeoutMs`: the transports (MQTT acknowledges what it decides
   * and leaves the rest to the broker; HTTP answers the requests in flight), the ingest and its
   * admitted batches, then the metrics server, the ed25519 workers, the queue and Redis.
   */
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
  /** The ingest path shared by MQTT and HTTP (embedding and benchmarks call it directly). */
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

export function createBridge(o: BridgeOptions): Bridge {
  const networkHex = toHex(o.network);
  const limits: BridgeLimits = { ...DEFAULT_LIMITS, ...o.limits };
  const prefix = o.queuePrefix ?? DEFAULT_QUEUE_PREFIX;
  const log = o.logger ?? pino({ name: 'zkpin-bridge' });
  const connectTimeoutMs = o.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
  const topic = readingsSubscription(networkHex, o.mqttSharedGroup);

  // Connections and queues.
  const redis = createRedis(o.redisUrl, connectTimeoutMs, log);
  const queue = new Queue(QUEUE_PROVE, { connection: redis, prefix });
  queue.on('error', (e: Error) => log.debug({ err: e.message }, 'queue error'));

  // The ingest pipeline.
  const metrics = new BridgeMetrics(o.registry);
  const admission = new Admission(redis, queue, prefix, limits);
  const verifier = new Ed25519Pool(
    o.verifyThreads ?? defaultVerifyThreads(),
    READING_MESSAGE_MAX_BYTES,
    (e) => log.error({ err: e.message }, 'ed25519 worker failed; it leaves the pool'),
    o.ed25519Backend,
  );
  const validator = new ReadingValidator(
    networkHex,
    o.directory,
    limits.maxMessageBytes,
    limits,
    o.modelWindows,
  );
  const ingest = new ReadingIngest({
    maxBatch: limits.maxBatch,
    validator,
    verifier,
    admission,
    metrics,
    log,
  });
  const healthy = () => ingest.isOpen && redis.status === 'ready';

  // Transports, created by `start`.
  let mqtt: MqttIngest | undefined;
  let http: HttpIngest | undefined;
  let metricsServer: MetricsServer | undefined;

  async function startTransports(): Promise<void> {
    if (o.metricsPort !== undefined) {
      const host = o.metricsHost ?? DEFAULTS.metricsHost;
      try {
        metricsServer = await startMetricsServer(metrics.registry, healthy, o.metricsPort, host);
      } catch (e) {
        throw new BridgeError(
          'HTTP_LISTEN_FAILED',
          `cannot serve metrics on ${host}:${o.metricsPort}: ${(e as Error).message}`,
        );
      }
      log.info({ address: metricsServer.address }, 'metrics listening');
    }
    if (o.mqttUrl !== undefined) {
      mqtt = new MqttIngest({
        url: o.mqttUrl,
        clientId: o.mqttClientId,
        username: o.mqttUsername,
        password: o.mqttPassword,
        topic,
        connectTimeoutMs,
        ingest,
        metrics,
        log,
      });
      await mqtt.start();
    }
    if (o.httpPort !== undefined) {
      http = new HttpIngest({
        port: o.httpPort,
        host: o.httpHost ?? DEFAULTS.httpHost,
        maxMessageBytes: limits.maxMessageBytes,
        limits: { ...DEFAULT_HTTP_LIMITS, ...o.httpLimits },
        ingest,
        healthy,
      });
      log.info({ address: await http.start() }, 'http ingest listening');
    }
  }

  async function shutdown(): Promise<void> {
    // Transports: nothing new comes in; what they took is decided.
    await mqtt?.stop();
    mqtt = undefined;
    await http?.stop();
    // The pipeline: decisions in flight and their admitted batches.
    await ingest.idle();
    ingest.close();
    await metricsServer?.close();
    metricsServer = undefined;
    await verifier.close();
    // Queues, then connections.
    await queue.close().catch(() => undefined);
    if (redis.status !== 'end') await redis.quit().catch(() => undefined);
  }

  function forceShutdown(): void {
    void mqtt?.stop(true);
    redis.disconnect();
    void metricsServer?.close();
    void verifier.close();
  }

  const bridge: Bridge = {
    topic,
    registry: metrics.registry,
    queue,
    get httpAddress() {
      return http?.address;
    },
    get metricsAddress() {
      return metricsServer?.address;
    },
    stats: () => metrics.stats(),
    ingest: (payload, source, topicDevice) => ingest.ingest(payload, source, topicDevice),

    async start() {
      await connectRedis(redis, o.redisUrl, connectTimeoutMs);
      await verifier.ready();
      log.info({ backend: verifier.backend, threads: verifier.threads }, 'ed25519 verification');
      ingest.open();
      try {
        await startTransports();
      } catch (e) {
        await bridge.stop();
        throw e;
      }
    },

    async stop() {
      try {
        await withTimeout(
          shutdown(),
          o.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs,
          'bridge shutdown',
        );
      } catch (e) {
        log.warn({ err: (e as Error).message }, 'forcing bridge shutdown');
        forceShutdown();
      } finally {
        ingest.close();
      }
    },
  };
  return bridge;
}
