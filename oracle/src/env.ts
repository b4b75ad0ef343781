/**
 * The oracle's configuration: parsed once at start from the environment (the only reader of
 * `process.env` in this service); a bad or missing value stops the process with a message
 * naming the variable.
 */
import { z } from 'zod';
import { DEFAULT_QUEUE_PREFIX } from '@zkpin/sdk';

const base58Key = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'expected a base58 public key');

export const envSchema = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z.string().min(1).default(DEFAULT_QUEUE_PREFIX),
  /** JSON-RPC endpoint of the cluster (devnet, mainnet, a local validator). */
  SOLANA_RPC_URL: z.string().url().optional(),
  /** Path of the oracle keypair (a Solana CLI JSON array of 64 bytes); needed by the relayer. */
  ORACLE_KEYPAIR: z.string().min(1).optional(),
  /** The network's address (the Network PDA). */
  NETWORK: base58Key.optional(),
  ROLE: z.enum(['prover', 'relayer', 'all']).default('all'),
  PROVER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  RELAYER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  PROVER_BACKEND: z.enum(['auto', 'native', 'snarkjs']).default('auto'),
  COMPUTE_UNIT_LIMIT: z.coerce.number().int().min(10_000).max(1_400_000).default(130_000),
  PRIORITY_FEE_MICRO_LAMPORTS: z.coerce.number().int().min(0).default(0),
  /** Prometheus metrics on this port (0: off). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
});
export type Env = z.infer<typeof envSchema>;

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const r = envSchema.safeParse(source);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid oracle configuration:\n${lines.join('\n')}`);
  }
  const env = r.data;
  const missing: string[] = (['SOLANA_RPC_URL', 'NETWORK'] as const).filter((k) => !env[k]);
  if (env.ROLE !== 'prover' && !env.ORACLE_KEYPAIR) missing.push('ORACLE_KEYPAIR');
  if (missing.length > 0) {
    throw new Error(
      `invalid oracle configuration: ROLE=${env.ROLE} needs ${missing.join(', ')} (both roles follow the network's devices on-chain; the relayer signs with ORACLE_KEYPAIR)`,
    );
  }
  return env;
}
