/**
 * `npx tsx bench/indexer-backfill-rpc.ts [devices]`: the indexer's backfill over JSON-RPC (a
 * local zkpin-validator) of a network with `devices` registrations (default 300), before and
 * after the paged, concurrent history read, in the same run:
 * - `read_*`: `RpcChain.history()` alone (getSignaturesForAddress + getTransaction), with 1
 *   request in flight (what the history read did before: one getTransaction after the other)
 *   and with 16 (the default now);
 * - `backfill_*`: a fresh indexer (PGlite data directory), from the backfill's start to its
 *   end (`Ingest.stats.backfillMs`: the store's writes included), the same two ways.
 * Printed as JSON and saved to bench/results/indexer-backfill-rpc.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcChain } from '@zkpin/sdk';
import { startValidator, validatorNetwork } from '@zkpin/sdk/testing';
import { startIndexer } from '../indexer/src/indexer.ts';
import { report } from './report.ts';

const round = (x: number) => Math.round(x);

async function main() {
  const devices = Number(process.argv[2] ?? 300);
  const validator = await startValidator();
  const net = await validatorNetwork(validator);
  const metrics: Record<string, number> = { devices };
  try {
    await net.registerDevices(devices, { concurrency: 16 });
    for (const concurrency of [1, 16]) {
      const chain = new RpcChain(validator.rpcUrl, {
        wsUrl: validator.wsUrl,
        history: { concurrency },
      });
      try {
        const t0 = performance.now();
        const read = (await chain.history(net.setup.network)).length;
        metrics['transactions'] = read;
        metrics[`read_c${concurrency}_tx_per_s`] = round(read / ((performance.now() - t0) / 1000));

        const dir = mkdtempSync(join(tmpdir(), 'zkpin-bench-backfill-'));
        const indexer = await startIndexer({
          chain,
          network: net.setup.network,
          database: { kind: 'pglite', dataDir: dir },
          port: 0,
          pollMs: 0,
        });
        await indexer.backfilled;
        // From the backfill's start (the database opened and migrated) to its end.
        const { backfillTransactions, backfillMs } = indexer.ingest.stats;
        metrics[`backfill_c${concurrency}_tx_per_s`] = round(
          backfillTransactions / (backfillMs / 1000),
        );
        await indexer.stop();
        rmSync(dir, { recursive: true, force: true });
      } finally {
        await chain.close();
      }
    }
  } finally {
    await net.close();
    await validator.stop();
  }
  report('indexer-backfill-rpc', metrics);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
