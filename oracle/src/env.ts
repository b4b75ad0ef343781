/**
 * The oracle's configuration: parsed once at start from the environment (the only reader of
 * `process.env` in this service); a bad or missing value stops the process with a message
 * naming the variable.
 */
import { z } from 'zod';
import { DEFAULT_QUEUE_PREFIX } from '@zkpin/sdk';
import {
  DEFAULT_COMPUTE_UNIT_LIMIT,
  DEFAULT_PROVER_CONCURRENCY,
  DEFAULT_RELAYER_CONCURRENCY,
} from './defaults.ts';

/** `1`/`true` or `0`/`false` (empty: the default). */
const flag = z
  .enum(['0', '1', 'true', 'false', ''])
  .default('')
  .transform((v) => v === '1' || v === 'true');

const base58Key = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'expected a base58 public key');

/** What the operator's CLI reads (src/cli.ts): the queues' Redis and key prefix. */
const queueEnvSchema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z.string().min(1).default(DEFAULT_QUEUE_PREFIX),
});
export type QueueEnv = z.infer<typeof queueEnvSchema>;

const envSchema = queueEnvSchema.extend({
  /** JSON-RPC endpoint of the cluster (devnet, mainnet, a local validator). */
  SOLANA_RPC_URL: z.string().url().optional(),
  /** Path of the oracle keypair (a Solana CLI JSON array of 64 bytes); needed by the relayer. */
  ORACLE_KEYPAIR: z.string().min(1).optional(),
  /** The network's address (the Network PDA). */
  NETWORK: base58Key.optional(),
  /**
   * File of the network follower's snapshot (its replica and cursor): a restart reads only the
   * transactions since. Unset: no snapshot, every start reads the network's whole history.
   */
  FOLLOWER_STATE: z.string().min(1).optional(),
  ROLE: z.enum(['prover', 'relayer', 'all']).default('all'),
  PROVER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(DEFAULT_PROVER_CONCURRENCY),
  RELAYER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(DEFAULT_RELAYER_CONCURRENCY),
  /** The model's proving artifacts: a JSON file (circuits/runtime/artifacts.ts). */
  PROVER_ARTIFACTS: z.string().min(1).optional(),
  /** Prove with the INSECURE development ceremony's keys instead (local networks and tests only). */
  ZKPIN_DEV_ARTIFACTS: flag,
  PROVER_BACKEND: z.enum(['auto', 'native', 'snarkjs']).default('auto'),
  /** Path of the native prover binary (default: oracle/native-prover/target/release/). */
  ZKPIN_NATIVE_PROVER: z.string().min(1).optional(),
  /** The native prover prints the time of each proving phase on its stderr. */
  ZKPIN_PROVER_TRACE: flag,
  COMPUTE_UNIT_LIMIT: z.coerce
    .number()
    .int()
    .min(10_000)
    .max(1_400_000)
    .default(DEFAULT_COMPUTE_UNIT_LIMIT),
  PRIORITY_FEE_MICRO_LAMPORTS: z.coerce.number().int().min(0).default(0),
  /** Prometheus metrics on this port (0: off). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
});
export type Env = z.infer<typeof envSchema>;

function failOn(r: z.ZodSafeParseError<unknown>): never {
  const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new Error(`invalid oracle configuration:\n${lines.join('\n')}`);
}

/** The CLI's defaults of --redis-url and --prefix. */
export function parseQueueEnv(source: Record<string, string | undefined> = process.env): QueueEnv {
  const r = queueEnvSchema.safeParse(source);
  return r.success ? r.data : failOn(r);
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const r = envSchema.safeParse(source);
  if (!r.success) failOn(r);
  const env = r.data;
  const missing: string[] = (['SOLANA_RPC_URL', 'NETWORK'] as const).filter((k) => !env[k]);
  if (env.ROLE !== 'prover' && !env.ORACLE_KEYPAIR) missing.push('ORACLE_KEYPAIR');
  if (missing.length > 0) {
    throw new Error(
      `invalid oracle configuration: ROLE=${env.ROLE} needs ${missing.join(', ')} (both roles follow the network's devices on-chain; the relayer signs with ORACLE_KEYPAIR)`,
    );
  }
  if (env.ROLE !== 'relayer') {
    if (env.PROVER_ARTIFACTS && env.ZKPIN_DEV_ARTIFACTS) {
      throw new Error(
        'invalid oracle configuration: PROVER_ARTIFACTS and ZKPIN_DEV_ARTIFACTS=1 are both set; set one (the artifacts file for a deployment, the development keys for a local network)',
      );
    }
    if (!env.PROVER_ARTIFACTS && !env.ZKPIN_DEV_ARTIFACTS) {
      throw new Error(
        `invalid oracle configuration: ROLE=${env.ROLE} needs proving artifacts: set PROVER_ARTIFACTS to the model's artifacts file (JSON: modelId, onnx, onnxSha256, wasm, zkey, vk; oracle/README.md), or ZKPIN_DEV_ARTIFACTS=1 for the INSECURE development keys (local networks only: anyone can forge their proofs)`,
      );
    }
  }
  return env;
}

/** Where the prover's artifacts come from (undefined for a relayer). */
export type ArtifactsSource = { kind: 'file'; path: string } | { kind: 'dev' };

export function artifactsSource(env: Env): ArtifactsSource | undefined {
  if (env.ROLE === 'relayer') return undefined;
  return env.PROVER_ARTIFACTS ? { kind: 'file', path: env.PROVER_ARTIFACTS } : { kind: 'dev' };
}
