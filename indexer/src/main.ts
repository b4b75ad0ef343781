#!/usr/bin/env -S npx tsx
/**
 * Standalone indexer: follows the network of ZKPIN_DEPLOYMENT (or NETWORK) over JSON-RPC,
 * stores it in PGlite (INDEXER_DATA_DIR) or Postgres (DATABASE_URL), serves JSON-RPC on
 * INDEXER_HOST:INDEXER_PORT. Environment: src/env.ts; methods: README.md.
 *   ZKPIN_DEPLOYMENT=deployments/local/manifest.json npx tsx indexer/src/main.ts
 */
import { mkdirSync } from 'node:fs';
import { pino } from 'pino';
import { RpcChain } from '@zkpin/sdk';
import { serviceDeployment } from '@zkpin/sdk/node';
import { parseEnv } from './env.ts';
import { startIndexer } from './indexer.ts';

async function main(): Promise<void> {
  const env = parseEnv();
  const log = pino({ name: 'zkpin-indexer', level: env.LOG_LEVEL });
  const deployment = serviceDeployment({
    deployment: env.ZKPIN_DEPLOYMENT,
    network: env.NETWORK,
    rpcUrl: env.SOLANA_RPC_URL ?? (env.ZKPIN_DEPLOYMENT ? undefined : 'http://127.0.0.1:8899'),
  });
  const chain = new RpcChain(deployment.rpcUrl, {
    wsUrl: env.SOLANA_WS_URL,
    history: { concurrency: env.INDEXER_RPC_CONCURRENCY },
  });
  if (!env.DATABASE_URL) mkdirSync(env.INDEXER_DATA_DIR, { recursive: true });
  const indexer = await startIndexer({
    chain,
    network: deployment.network,
    programIds: deployment.programIds,
    database: env.DATABASE_URL
      ? { kind: 'postgres', url: env.DATABASE_URL }
      : { kind: 'pglite', dataDir: env.INDEXER_DATA_DIR },
    port: env.INDEXER_PORT,
    host: env.INDEXER_HOST,
    maxBodyBytes: env.INDEXER_MAX_BODY_BYTES,
    maxBatch: env.INDEXER_MAX_BATCH,
    minContextSlotWaitMs: env.INDEXER_MIN_CONTEXT_SLOT_WAIT_MS,
    rateLimit: { perSecond: env.INDEXER_RATE_LIMIT_PER_S, burst: env.INDEXER_RATE_LIMIT_BURST },
    trustedProxies: env.INDEXER_TRUSTED_PROXIES,
    maxLagSlots: env.INDEXER_MAX_LAG_SLOTS,
    pollMs: env.INDEXER_POLL_MS,
    backfillPageSize: env.INDEXER_BACKFILL_PAGE_SIZE,
    log,
  });
  log.info(
    {
      url: indexer.url,
      network: deployment.network.toBase58(),
      database: env.DATABASE_URL ? 'postgres' : `pglite:${env.INDEXER_DATA_DIR}`,
      slot: indexer.ingest.slot,
      // `zkpin-indexer status` shows its progress; 'backfill applied' is logged at its end.
      backfill: 'under way',
    },
    'indexer running',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, stats: indexer.ingest.stats }, 'shutting down');
    try {
      await indexer.stop();
      await chain.close();
      process.exit(0);
    } catch (e) {
      log.error({ err: e }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // A backfill that cannot go on (a transaction the RPC node does not serve, a gap the history
  // does not fill) ends the process: everything applied so far is committed, and the next
  // start resumes after it.
  indexer.backfilled.catch((e: unknown) => {
    if (stopping) return;
    stopping = true;
    log.fatal({ err: e }, 'backfill stopped: restart to resume from the last page applied');
    void indexer
      .stop()
      .catch(() => undefined)
      .then(() => chain.close())
      .finally(() => process.exit(1));
  });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
