/**
 * The oracle's configuration: parsed once at start from the environment (the only reader of
 * `process.env` in this service); a bad or missing value stops the process with a message
 * naming the variable.
 */
import { z } from 'zod';
import {
  DEFAULT_INDEXER_SNAPSHOT_TIMEOUT_MS,
  DEFAULT_QUEUE_PREFIX,
  DEFAULT_RPC_SEND_OPTIONS,
  clusterName,
  isLocalCluster,
  type DeploymentManifest,
  type RpcSendOptions,
} from '@zkpin/sdk';
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

/** A duration in milliseconds, at least `min`. */
const ms = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

const base58Key = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'expected a base58 public key');

/** What the operator's CLI reads (src/cli.ts): the queues' Redis and key prefix. */
const queueEnvSchema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z.string().min(1).default(DEFAULT_QUEUE_PREFIX),
});
export type QueueEnv = z.infer<typeof queueEnvSchema>;

const envSchema = queueEnvSchema.extend({
  /**
   * The deployment manifest (migrations/deploy.ts writes it): cluster, program ids, network,
   * models, trees, lookup table. The way to run against a cluster.
   */
  ZKPIN_DEPLOYMENT: z.string().min(1).optional(),
  /** JSON-RPC endpoint of the cluster (default: the manifest's). */
  SOLANA_RPC_URL: z.string().url().optional(),
  /** Its WebSocket endpoint, when it is not the RPC port + 1. */
  SOLANA_WS_URL: z.string().url().optional(),
  /** Path of the oracle keypair (a Solana CLI JSON array of 64 bytes); needed by the relayer. */
  ORACLE_KEYPAIR: z.string().min(1).optional(),
  /** The network's address (the Network PDA), without a manifest: localnet program ids. */
  NETWORK: base58Key.optional(),
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
  INDEXER_TIMEOUT_MS: ms(100, DEFAULT_INDEXER_SNAPSHOT_TIMEOUT_MS),
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
  /** Longest one send may take before the job is retried (it follows the same transaction). */
  RPC_SEND_TIMEOUT_MS: ms(1_000, DEFAULT_RPC_SEND_OPTIONS.timeoutMs),
  /** Re-broadcast an unconfirmed transaction this often. */
  RPC_REBROADCAST_MS: ms(100, DEFAULT_RPC_SEND_OPTIONS.rebroadcastMs),
  /** One JSON-RPC request's timeout. */
  RPC_REQUEST_TIMEOUT_MS: ms(100, DEFAULT_RPC_SEND_OPTIONS.requestTimeoutMs),
  /** How long RPC faults in a row are retried within one send. */
  RPC_UNAVAILABLE_BUDGET_MS: ms(0, DEFAULT_RPC_SEND_OPTIONS.unavailableBudgetMs),
  /** Fresh blockhashes per send after a version expired without landing. */
  RPC_MAX_RESIGNS: z.coerce
    .number()
    .int()
    .min(0)
    .max(20)
    .default(DEFAULT_RPC_SEND_OPTIONS.maxResigns),
  /**
   * The pipeline status endpoint (`GET /v1/devices/<device>/readings`, src/status/) on this
   * port (0: off): what owners' apps read to show each recent reading's state.
   */
  STATUS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** The interface it listens on. */
  STATUS_HOST: z.string().min(1).default('0.0.0.0'),
  /** Its requests per second per client address, bursts of twice that (0: no limit). */
  STATUS_RATE_LIMIT: z.coerce.number().min(0).max(10_000).default(10),
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
  const missing: string[] = env.ZKPIN_DEPLOYMENT
    ? []
    : (['SOLANA_RPC_URL', 'NETWORK'] as const).filter((k) => !env[k]);
  if (env.ROLE !== 'prover' && !env.ORACLE_KEYPAIR) missing.push('ORACLE_KEYPAIR');
  if (missing.length > 0) {
    throw new Error(
      `invalid oracle configuration: ROLE=${env.ROLE} needs ${missing.join(', ')} (both roles follow the network's devices on-chain: set ZKPIN_DEPLOYMENT to the deployment manifest, or SOLANA_RPC_URL and NETWORK; the relayer signs with ORACLE_KEYPAIR)`,
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
export type ArtifactsSource = { kind: 'files'; paths: string[] } | { kind: 'dev' };

/** PROVER_ARTIFACTS names one artifacts file per model, separated by commas. */
export function artifactsSource(env: Env): ArtifactsSource | undefined {
  if (env.ROLE === 'relayer') return undefined;
  if (!env.PROVER_ARTIFACTS) return { kind: 'dev' };
  const paths = env.PROVER_ARTIFACTS.split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  return { kind: 'files', paths };
}

/**
 * Refuses the INSECURE development keys (ZKPIN_DEV_ARTIFACTS=1) off a local cluster: the
 * JSON-RPC URL the oracle uses and, with a manifest, the one the deployment was made on must
 * both be local (`isLocalCluster`, the rule migrations/deploy.ts applies to `"artifacts":
 * "dev"`). Anyone can forge proofs for these keys.
 */
export function assertDevArtifactsLocal(
  env: Env,
  deployment: { rpcUrl: string; manifest?: Pick<DeploymentManifest, 'cluster'> },
): void {
  if (artifactsSource(env)?.kind !== 'dev') return;
  const urls = [deployment.rpcUrl, deployment.manifest?.cluster.rpcUrl];
  const remote = urls.find((u): u is string => u !== undefined && !isLocalCluster(u));
  if (remote === undefined) return;
  const label = deployment.manifest ? `, deployment on "${deployment.manifest.cluster.name}"` : '';
  throw new Error(
    `invalid oracle configuration: ZKPIN_DEV_ARTIFACTS=1 (the INSECURE development keys: anyone can forge their proofs) is refused on ${clusterName(remote)} (${remote}${label}); it is for a local validator only (a loopback JSON-RPC URL). Set PROVER_ARTIFACTS to the artifacts file of your model's ceremony (docs/ceremony.md).`,
  );
}

/** The budgets of the relayer's sends (`RpcChain`'s `send` option), from RPC_* variables. */
export function rpcSendOptions(env: Env): RpcSendOptions {
  return {
    timeoutMs: env.RPC_SEND_TIMEOUT_MS,
    rebroadcastMs: env.RPC_REBROADCAST_MS,
    requestTimeoutMs: env.RPC_REQUEST_TIMEOUT_MS,
    unavailableBudgetMs: env.RPC_UNAVAILABLE_BUDGET_MS,
    maxResigns: env.RPC_MAX_RESIGNS,
  };
}
