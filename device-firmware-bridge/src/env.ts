/** The bridge's configuration: parsed once at start; the only reader of `process.env`. */
import { hostname } from 'node:os';
import { z } from 'zod';
import { DEFAULT_INDEXER_SNAPSHOT_TIMEOUT_MS, DEFAULT_QUEUE_PREFIX } from '@zkpin/sdk';
import type { BridgeOptions } from './bridge.ts';
import { DEFAULTS, DEFAULT_LIMITS } from './defaults.ts';
import { DEFAULT_HTTP_LIMITS } from './http-server.ts';

const int = (d: number) => z.coerce.number().int().min(0).default(d);
const port = (d: number) => int(d).pipe(z.number().max(65535));

const schema = z
  .object({
    REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
    MQTT_URL: z.string().url().default('mqtt://127.0.0.1:1883'),
    /**
     * Client id of the bridge's persistent MQTT session: QoS 1 readings wait in the broker
     * while the bridge is down, and unacknowledged ones come again. One per bridge.
     */
    MQTT_CLIENT_ID: z.string().min(1).default(`zkpin-bridge-${hostname()}`),
    MQTT_USERNAME: z.string().min(1).optional(),
    MQTT_PASSWORD: z.string().optional(),
    /** Shared-subscription group when several bridges run side by side. */
    MQTT_SHARED_GROUP: z.string().min(1).optional(),
    HTTP_PORT: port(DEFAULTS.httpPort),
    /** Loopback by default: put a proxy in front, or set 0.0.0.0 to take device traffic directly. */
    HTTP_HOST: z.string().min(1).default(DEFAULTS.httpHost),
    HTTP_REQUEST_TIMEOUT_MS: int(DEFAULT_HTTP_LIMITS.requestTimeoutMs).pipe(z.number().min(1)),
    HTTP_HEADERS_TIMEOUT_MS: int(DEFAULT_HTTP_LIMITS.headersTimeoutMs).pipe(z.number().min(1)),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: int(DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs).pipe(z.number().min(1)),
    HTTP_MAX_CONNECTIONS: int(DEFAULT_HTTP_LIMITS.maxConnections).pipe(z.number().min(1)),
    /** `GET /metrics` and `/healthz`, on their own port. */
    BRIDGE_METRICS_PORT: port(DEFAULTS.metricsPort),
    BRIDGE_METRICS_HOST: z.string().min(1).default(DEFAULTS.metricsHost),
    QUEUE_PREFIX: z.string().min(1).default(DEFAULT_QUEUE_PREFIX),
    /** The deployment manifest (migrations/deploy.ts writes it): network, program ids, cluster. */
    ZKPIN_DEPLOYMENT: z.string().min(1).optional(),
    /** Without a manifest: the network account (base58) on the localnet program ids. */
    NETWORK: z
      .string()
      .regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'NETWORK must be a base58 Solana address')
      .optional(),
    /** JSON-RPC endpoint (default: the manifest's, else http://127.0.0.1:8899). */
    SOLANA_RPC_URL: z.string().url().optional(),
    /** Its WebSocket endpoint, when it is not the RPC port + 1. */
    SOLANA_WS_URL: z.string().url().optional(),
    /**
     * File of the network follower's snapshot (its replica and cursor): a restart reads only the
     * transactions since. Unset: no snapshot, every start reads the network's whole history.
     */
    FOLLOWER_STATE: z.string().min(1).optional(),
    /**
     * The indexer's JSON-RPC URL: the follower starts from its network snapshot
     * (getNetworkSnapshot), checked against the chain, and reads only the transactions after the
     * indexer's cursor. When the indexer cannot answer within INDEXER_TIMEOUT_MS, FOLLOWER_STATE
     * is read instead (or, without it, the whole history); the reason is logged.
     */
    INDEXER_URL: z.string().url().optional(),
    /** How long the indexer may take to answer the snapshot. */
    INDEXER_TIMEOUT_MS: int(DEFAULT_INDEXER_SNAPSHOT_TIMEOUT_MS).pipe(z.number().min(100)),
    MAX_MESSAGE_BYTES: int(DEFAULT_LIMITS.maxMessageBytes),
    /** Readings older than this many seconds are rejected (TIMESTAMP_OUT_OF_RANGE). */
    BRIDGE_MAX_READING_AGE_S: int(DEFAULT_LIMITS.maxReadingAgeS),
    /** Readings more than this many seconds ahead of the bridge's clock are rejected. */
    BRIDGE_MAX_CLOCK_SKEW_S: int(DEFAULT_LIMITS.maxClockSkewS),
    RATE_BURST: int(DEFAULT_LIMITS.rateBurst),
    RATE_PER_SECOND: z.coerce.number().min(0).default(DEFAULT_LIMITS.ratePerSecond),
    MAX_QUEUE_WAITING: int(DEFAULT_LIMITS.maxQueueWaiting),
    MAX_BATCH: int(DEFAULT_LIMITS.maxBatch).pipe(z.number().min(1)),
    /** ed25519 worker threads; 0 verifies inline. Unset: cores − 2, at least 1, at most 4 (0 on 1 core). */
    BRIDGE_VERIFY_THREADS: z.coerce.number().int().min(0).optional(),
    /** ed25519 backend: native (the sdk's addon; refused when not built), node (node:crypto) or auto. */
    ZKPIN_ED25519_BACKEND: z.enum(['auto', 'native', 'node']).default('auto'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
  })
  .refine((e) => e.ZKPIN_DEPLOYMENT !== undefined || e.NETWORK !== undefined, {
    message: 'set ZKPIN_DEPLOYMENT (the deployment manifest) or NETWORK',
    path: ['NETWORK'],
  })
  .refine((e) => e.HTTP_HEADERS_TIMEOUT_MS <= e.HTTP_REQUEST_TIMEOUT_MS, {
    message: 'HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS',
    path: ['HTTP_HEADERS_TIMEOUT_MS'],
  })
  .refine((e) => e.BRIDGE_METRICS_PORT === 0 || e.BRIDGE_METRICS_PORT !== e.HTTP_PORT, {
    message: 'BRIDGE_METRICS_PORT must differ from HTTP_PORT (metrics stay off the ingest port)',
    path: ['BRIDGE_METRICS_PORT'],
  });

export type Env = z.infer<typeof schema>;

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const r = schema.safeParse(source);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`device-firmware-bridge: invalid environment\n${lines.join('\n')}`);
  }
  return r.data;
}

/** The bridge's options from the environment (all but the network's devices and the logger). */
export function bridgeOptionsFromEnv(
  env: Env,
): Omit<BridgeOptions, 'network' | 'directory' | 'logger'> {
  return {
    redisUrl: env.REDIS_URL,
    queuePrefix: env.QUEUE_PREFIX,
    mqttUrl: env.MQTT_URL,
    mqttClientId: env.MQTT_CLIENT_ID,
    mqttUsername: env.MQTT_USERNAME,
    mqttPassword: env.MQTT_PASSWORD,
    mqttSharedGroup: env.MQTT_SHARED_GROUP,
    httpPort: env.HTTP_PORT,
    httpHost: env.HTTP_HOST,
    httpLimits: {
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: env.HTTP_MAX_CONNECTIONS,
    },
    metricsPort: env.BRIDGE_METRICS_PORT,
    metricsHost: env.BRIDGE_METRICS_HOST,
    limits: {
      maxMessageBytes: env.MAX_MESSAGE_BYTES,
      maxReadingAgeS: env.BRIDGE_MAX_READING_AGE_S,
      maxClockSkewS: env.BRIDGE_MAX_CLOCK_SKEW_S,
      rateBurst: env.RATE_BURST,
      ratePerSecond: env.RATE_PER_SECOND,
      maxQueueWaiting: env.MAX_QUEUE_WAITING,
      maxBatch: env.MAX_BATCH,
    },
    verifyThreads: env.BRIDGE_VERIFY_THREADS,
    ed25519Backend: env.ZKPIN_ED25519_BACKEND,
  };
}
