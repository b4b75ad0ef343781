/** The indexer's configuration: parsed once at start; the only reader of `process.env`. */
import { z } from 'zod';
import { DEFAULTS } from './defaults.ts';
import { IndexerError } from './errors.ts';

const int = (d: number) => z.coerce.number().int().min(0).default(d);

const schema = z
  .object({
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
    /** A PostgreSQL server (postgres://...); unset: embedded PGlite in INDEXER_DATA_DIR. */
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
      .optional(),
    /** PGlite's data directory (ignored with DATABASE_URL). */
    INDEXER_DATA_DIR: z.string().min(1).default(DEFAULTS.dataDir),
    INDEXER_PORT: int(DEFAULTS.port).pipe(z.number().max(65535)),
    /** Loopback by default: put a proxy in front, or set 0.0.0.0 to serve other machines. */
    INDEXER_HOST: z.string().min(1).default(DEFAULTS.host),
    INDEXER_MAX_BODY_BYTES: int(DEFAULTS.maxBodyBytes).pipe(z.number().min(256)),
    INDEXER_MAX_BATCH: int(DEFAULTS.maxBatch).pipe(z.number().min(1)),
    /** How long a request with minContextSlot waits for the indexer to reach it. */
    INDEXER_MIN_CONTEXT_SLOT_WAIT_MS: int(DEFAULTS.minContextSlotWaitMs),
    /** getIndexerHealth answers `behind` past this many slots of lag. */
    INDEXER_MAX_LAG_SLOTS: int(DEFAULTS.maxLagSlots),
    /** Between two polls of the chain's slot and history (missed live transactions), ms. */
    INDEXER_POLL_MS: int(DEFAULTS.pollMs).pipe(z.number().min(100)),
    /** Transactions of the history applied per database transaction (a kill loses at most one page). */
    INDEXER_BACKFILL_PAGE_SIZE: int(DEFAULTS.backfillPageSize).pipe(z.number().min(1).max(10_000)),
    /** getTransaction requests in flight while the history is read (order is kept). */
    INDEXER_RPC_CONCURRENCY: int(DEFAULTS.rpcConcurrency).pipe(z.number().min(1).max(256)),
    /** JSON-RPC requests per second per client IP (token bucket refill); 0: no limit. */
    INDEXER_RATE_LIMIT_PER_S: int(DEFAULTS.rateLimitPerSecond),
    /** The bucket's size: the most requests a client may send at once. */
    INDEXER_RATE_LIMIT_BURST: int(DEFAULTS.rateLimitBurst).pipe(z.number().min(1)),
    /**
     * Comma-separated addresses of reverse proxies in front of the indexer: the rate limit
     * charges their requests to the client named by X-Forwarded-For. Unset: no proxy trusted.
     */
    INDEXER_TRUSTED_PROXIES: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((a) => a.trim())
          .filter((a) => a.length > 0),
      )
      .pipe(z.array(z.ipv4().or(z.ipv6())))
      .default([]),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
  })
  .refine((e) => e.ZKPIN_DEPLOYMENT !== undefined || e.NETWORK !== undefined, {
    message: 'set ZKPIN_DEPLOYMENT (the deployment manifest) or NETWORK',
    path: ['NETWORK'],
  });

export type Env = z.infer<typeof schema>;

/** Parses the environment; a variable set to the empty string counts as unset. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const set = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const r = schema.safeParse(set);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new IndexerError('INDEXER_CONFIG', `indexer: invalid environment\n${lines.join('\n')}`, {
      issues: r.error.issues.map((i) => i.path.join('.')),
    });
  }
  return r.data;
}

const statusSchema = z.object({
  /** The indexer the `status` command asks (default: http://INDEXER_HOST:INDEXER_PORT/). */
  INDEXER_URL: z.string().url().optional(),
  INDEXER_PORT: int(DEFAULTS.port).pipe(z.number().max(65535)),
  INDEXER_HOST: z.string().min(1).default(DEFAULTS.host),
});

/** The `zkpin-indexer status` command's configuration: the indexer's URL. */
export function parseStatusEnv(source: NodeJS.ProcessEnv = process.env): { indexerUrl: string } {
  const set = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const r = statusSchema.safeParse(set);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new IndexerError(
      'INDEXER_CONFIG',
      `zkpin-indexer status: invalid environment\n${lines.join('\n')}`,
      { issues: r.error.issues.map((i) => i.path.join('.')) },
    );
  }
  const host = r.data.INDEXER_HOST.includes(':') ? `[${r.data.INDEXER_HOST}]` : r.data.INDEXER_HOST;
  return { indexerUrl: r.data.INDEXER_URL ?? `http://${host}:${r.data.INDEXER_PORT}/` };
}
