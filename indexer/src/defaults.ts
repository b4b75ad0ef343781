/** The indexer's defaults (env.ts names the variables that change them). */
export const DEFAULTS = {
  port: 8790,
  host: '127.0.0.1',
  dataDir: '.zkpin/indexer',
  maxBodyBytes: 1024 * 1024,
  maxBatch: 100,
  minContextSlotWaitMs: 2_000,
  maxLagSlots: 20,
  pollMs: 1_000,
  /** Transactions of the history read and committed per database transaction. */
  backfillPageSize: 256,
  /** getTransaction requests in flight while the history is read over JSON-RPC. */
  rpcConcurrency: 16,
  /** Per client IP: generous, for integrators that batch; a public endpoint may want less. */
  rateLimitPerSecond: 500,
  rateLimitBurst: 1_000,
  shutdownTimeoutMs: 10_000,
} as const;
