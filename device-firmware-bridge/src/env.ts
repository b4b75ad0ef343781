/** The bridge's configuration: parsed once at start; the only reader of `process.env`. */
import { z } from 'zod';
import { DEFAULT_QUEUE_PREFIX } from '@zkpin/sdk';
import { DEFAULT_LIMITS } from './bridge.ts';

const int = (d: number) => z.coerce.number().int().min(0).default(d);

const schema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  MQTT_URL: z.string().url().default('mqtt://127.0.0.1:1883'),
  /** Stable MQTT client id for a persistent session (QoS 1 readings queue while the bridge is down). */
  MQTT_CLIENT_ID: z.string().min(1).optional(),
  /** Shared-subscription group when several bridges run side by side. */
  MQTT_SHARED_GROUP: z.string().min(1).optional(),
  HTTP_PORT: int(8080).pipe(z.number().max(65535)),
  HTTP_HOST: z.string().default('0.0.0.0'),
  QUEUE_PREFIX: z.string().min(1).default(DEFAULT_QUEUE_PREFIX),
  /** The network account (base58), as printed by the network setup. */
  NETWORK: z
    .string()
    .regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'NETWORK must be a base58 Solana address'),
  SOLANA_RPC_URL: z.string().url().default('http://127.0.0.1:8899'),
  MAX_MESSAGE_BYTES: int(DEFAULT_LIMITS.maxMessageBytes),
  RATE_BURST: int(DEFAULT_LIMITS.rateBurst),
  RATE_PER_SECOND: z.coerce.number().min(0).default(DEFAULT_LIMITS.ratePerSecond),
  MAX_QUEUE_WAITING: int(DEFAULT_LIMITS.maxQueueWaiting),
  MAX_BATCH: int(DEFAULT_LIMITS.maxBatch).pipe(z.number().min(1)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
