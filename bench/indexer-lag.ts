/**
 * `npx tsx bench/indexer-lag.ts [seconds]`: how far the indexer process (src/main.ts over
 * JSON-RPC, PGlite) trails a local zkpin-validator (400 ms slots, as clusters) while a stream
 * of device registrations lands (`writers` in a row each):
 * - every `sampleMs` (100 ms) for `seconds` (default 40): the validator's `getSlot`
 *   (confirmed) minus the indexer's `getIndexerSlot`: `lag_slots_p50/p99/max`;
 * - per registration: from its confirmation to the first `getDevice` that finds it,
 *   `visible_ms_p50/p99`, and the validator's slot then minus the slot the transaction
 *   landed in, `visible_slots_p50/p99`.
 * Last line `{"bench":"indexer-lag","metrics":{...}}`, saved to bench/results/indexer-lag.json.
 * `INDEXER_POLL_MS` passes through to the indexer (its default otherwise).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PublicKey } from '@solana/web3.js';
import { fromHex, isIndexerClientError, type IndexerClient } from '@zkpin/sdk';
import { startValidator, validatorNetwork } from '@zkpin/sdk/testing';
import { spawnIndexer, until } from '../indexer/test/support/indexer-process.ts';
import { report } from './report.ts';

export interface IndexerLagOptions {
  seconds?: number;
  sampleMs?: number;
  /** Registrations sent one after the other, this many at once (default 2). */
  writers?: number;
  /** Environment of the indexer process (INDEXER_POLL_MS, ...). */
  env?: Record<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Polls getDevice until it finds `device`; returns the answer's device slot and when. */
async function firstSeen(
  client: IndexerClient,
  device: string,
): Promise<{ at: number; slot: number }> {
  const end = performance.now() + 60_000;
  for (;;) {
    try {
      const a = await client.getDevice({ device });
      return { at: performance.now(), slot: a.value.slot };
    } catch (e) {
      if (!isIndexerClientError(e) || performance.now() > end) throw e;
    }
    await sleep(25);
  }
}

export async function measureIndexerLag(
  o: IndexerLagOptions = {},
): Promise<Record<string, number>> {
  const seconds = o.seconds ?? 40;
  const sampleMs = o.sampleMs ?? 100;
  const writers = o.writers ?? 2;
  const dir = mkdtempSync(join(tmpdir(), 'zkpin-bench-lag-'));
  const validator = await startValidator();
  const net = await validatorNetwork(validator);
  const indexer = await spawnIndexer({
    validator,
    network: net.setup.network,
    database: { kind: 'pglite', dataDir: join(dir, 'indexer') },
    // The watchers poll getDevice every 25 ms each: no rate limit in the way.
    env: { INDEXER_RATE_LIMIT_PER_S: '0', ...o.env },
  });
  try {
    await net.registerDevices(20, { concurrency: 4 });
    await until(
      async () => ((await indexer.health())?.status === 'ok' ? true : undefined),
      'the indexer to be ok',
    );
    const connection = net.chain.connection;
    const end = performance.now() + seconds * 1000;
    const lags: number[] = [];
    const visibleMs: number[] = [];
    const visibleSlots: number[] = [];
    const watches: Promise<void>[] = [];

    const sampler = (async () => {
      while (performance.now() < end) {
        const next = performance.now() + sampleMs;
        const [chainSlot, indexerSlot] = await Promise.all([
          connection.getSlot('confirmed'),
          indexer.client.getIndexerSlot(),
        ]);
        lags.push(Math.max(0, chainSlot - indexerSlot.value));
        await sleep(Math.max(0, next - performance.now()));
      }
    })();
    const writer = async () => {
      while (performance.now() < end) {
        const [hex] = await net.registerDevices(1);
        const confirmed = performance.now();
        const device = new PublicKey(fromHex(hex!)).toBase58();
        watches.push(
          firstSeen(indexer.client, device).then(async (seen) => {
            visibleMs.push(seen.at - confirmed);
            visibleSlots.push((await connection.getSlot('confirmed')) - seen.slot);
          }),
        );
      }
    };
    await Promise.all([sampler, ...Array.from({ length: writers }, writer)]);
    await Promise.all(watches);
    const health = await indexer.health();
    const text = await (await fetch(new URL('metrics', indexer.url))).text();
    const counter = (name: string) =>
      Number(new RegExp(`^zkpin_indexer_${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    return {
      seconds,
      samples: lags.length,
      registrations: visibleMs.length,
      lag_slots_p50: quantile(lags, 0.5),
      lag_slots_p99: quantile(lags, 0.99),
      lag_slots_max: Math.max(...lags),
      visible_ms_p50: Math.round(quantile(visibleMs, 0.5)),
      visible_ms_p99: Math.round(quantile(visibleMs, 0.99)),
      visible_slots_p50: quantile(visibleSlots, 0.5),
      visible_slots_p99: quantile(visibleSlots, 0.99),
      healthy: health?.status === 'ok' ? 1 : 0,
      gaps_repaired: counter('gaps_repaired_total'),
      live_deferred: counter('live_deferred_total'),
      live_transactions: counter('transactions_total'),
    };
  } catch (e) {
    console.error(`the indexer's last lines:\n${indexer.output.join('\n')}`);
    console.error(`health: ${JSON.stringify(await indexer.health().catch(() => undefined))}`);
    throw e;
  } finally {
    await indexer.kill('SIGTERM');
    await net.close();
    await validator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = process.env['INDEXER_POLL_MS']
    ? { INDEXER_POLL_MS: process.env['INDEXER_POLL_MS'] }
    : undefined;
  measureIndexerLag({ seconds: Number(process.argv[2] ?? 40), env }).then(
    (metrics) => {
      report('indexer-lag', metrics);
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
