/**
 * The indexer's parts wired together: database (PGlite or Postgres), store (migrated), ingest
 * on a chain, JSON-RPC server. The server listens as soon as the replicas are loaded, while
 * the backfill runs (health `starting` with its progress; `backfilled` resolves once it is
 * applied, rejects with what stopped it). `stop()` closes them in order: the server (no new
 * requests), ingest (its queue drained), the database; with a timeout.
 */
import type { PublicKey } from '@solana/web3.js';
import type { Chain, ProgramIds } from '@zkpin/sdk';
import type { Logger } from 'pino';
import { openDatabase, type DatabaseConfig } from './database.ts';
import { DEFAULTS } from './defaults.ts';
import { Ingest } from './ingest.ts';
import { IndexerMetrics } from './metrics.ts';
import type { RateLimit } from './rate-limiter.ts';
import { RpcServer } from './rpc-server.ts';
import { IndexerStore } from './store.ts';

export interface IndexerOptions {
  chain: Chain;
  network: PublicKey;
  programIds?: ProgramIds;
  database: DatabaseConfig;
  port?: number;
  host?: string;
  maxBodyBytes?: number;
  maxBatch?: number;
  minContextSlotWaitMs?: number;
  /** Per client IP; default `DEFAULTS.rateLimitPerSecond` / `rateLimitBurst`. */
  rateLimit?: RateLimit;
  /** Reverse proxies whose X-Forwarded-For names the client (rate limit). */
  trustedProxies?: readonly string[];
  maxLagSlots?: number;
  pollMs?: number;
  /** Transactions of the history per page (one database transaction); default 256. */
  backfillPageSize?: number;
  log?: Logger;
}

export interface RunningIndexer {
  url: string;
  store: IndexerStore;
  ingest: Ingest;
  server: RpcServer;
  /** Resolves once the start's backfill is applied; rejects with what stopped it. */
  backfilled: Promise<void>;
  stop(timeoutMs?: number): Promise<void>;
}

export async function startIndexer(o: IndexerOptions): Promise<RunningIndexer> {
  const store = await IndexerStore.open(await openDatabase(o.database));
  const ingest = new Ingest(o.chain, store, o.network, {
    programIds: o.programIds,
    pollMs: o.pollMs ?? DEFAULTS.pollMs,
    pageSize: o.backfillPageSize ?? DEFAULTS.backfillPageSize,
    log: o.log,
  });
  try {
    await ingest.begin();
  } catch (e) {
    await ingest.stop().catch(() => undefined);
    await store.close();
    throw e;
  }
  const server = new RpcServer(
    { store, ingest, maxLagSlots: o.maxLagSlots ?? DEFAULTS.maxLagSlots },
    {
      maxBodyBytes: o.maxBodyBytes,
      maxBatch: o.maxBatch,
      minContextSlotWaitMs: o.minContextSlotWaitMs,
      rateLimit: o.rateLimit ?? {
        perSecond: DEFAULTS.rateLimitPerSecond,
        burst: DEFAULTS.rateLimitBurst,
      },
      trustedProxies: o.trustedProxies,
      metrics: new IndexerMetrics(ingest),
      log: o.log,
    },
  );
  let url: string;
  try {
    url = await server.listen(o.port ?? DEFAULTS.port, o.host ?? DEFAULTS.host);
  } catch (e) {
    await ingest.stop().catch(() => undefined);
    await store.close();
    throw e;
  }
  return {
    url,
    store,
    ingest,
    server,
    backfilled: ingest.backfilled,
    stop: async (timeoutMs = DEFAULTS.shutdownTimeoutMs) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`indexer shutdown took over ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        await Promise.race([
          (async () => {
            await server.close();
            await ingest.stop();
            await store.close();
          })(),
          timeout,
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
