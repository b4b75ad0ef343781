/**
 * Indexer benchmark (a first slice of issue 11's): a local network (embedded chain) with
 * `DEVICES` registered devices, a third of them transferred; for PGlite and for Postgres
 * (DATABASE_URL's server, a fresh database): the backfill (events/s), `getDeviceProof` over
 * HTTP (p50/p99, the client's proof checks excluded), `getRecordsByDevice` pages of 100 over
 * `RECORDS` records of one device (seeded through the store with synthetic record rows: the
 * query does not read trees), root mismatches; `getNetworkSnapshot` (ms, bytes) and a
 * `NetworkFollower` started from it (`IndexerFollowerStore`: the snapshot, decoded and checked
 * against the chain) beside one that reads the whole history. Last line:
 * `{"bench":"indexer","metrics":{...}}`.
 *
 *   npm run bench:indexer            DEVICES=300 RECORDS=5000 npm run bench:indexer
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Keypair } from '@solana/web3.js';
import { IndexerClient, IndexerFollowerStore, NetworkFollower } from '@zkpin/sdk';
import { localNetwork } from '@zkpin/sdk/testing';
import { Ingest } from '../indexer/src/ingest.ts';
import { RpcServer } from '../indexer/src/rpc-server.ts';
import type { IndexerStore } from '../indexer/src/store.ts';
import { STORE_KINDS, testDatabase } from '../indexer/test/support/stores.ts';

const DEVICES = Number(process.env['DEVICES'] ?? 150);
const RECORDS = Number(process.env['RECORDS'] ?? 2000);
const CALLS = 300;

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function seedRecords(store: IndexerStore, network: string, device: string): Promise<number> {
  const tree = Keypair.generate().publicKey.toBase58();
  const b = (v: number) => new Uint8Array(32).fill(v % 256);
  const t0 = performance.now();
  for (let i = 0; i < RECORDS; i++)
    await store.apply(network, {
      signature: `bench-${i}`,
      slot: 1_000_000 + i,
      heads: new Map(),
      vkHashes: new Map(),
      changes: [
        {
          kind: 'record',
          tree,
          leafIndex: i,
          treeSeq: BigInt(i + 1),
          leaf: b(i),
          device,
          modelId: 1,
          seq: BigInt(i + 1),
          timestamp: BigInt(1_767_225_600 + i),
          class: i % 4,
          score: BigInt(i),
          inputCommitment: b(i + 1),
          publicInput: b(i + 2),
        },
      ],
    });
  return RECORDS / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const net = await localNetwork();
  const devices: string[] = [];
  for (let i = 0; i < DEVICES; i++) {
    const d = await net.registerDevice();
    devices.push(d.leaf.device.toBase58());
    if (i % 3 === 0) await net.transferDevice(d, Keypair.generate().publicKey);
  }
  const metrics: Record<string, number> = { devices: DEVICES, records: RECORDS };
  {
    const t0 = performance.now();
    const f = new NetworkFollower(net.embedded, net.setup.network).start();
    await f.ready;
    metrics['follower_from_history_ms'] = round(performance.now() - t0);
    await f.stop();
  }
  for (const kind of STORE_KINDS) {
    const tdb = await testDatabase(kind);
    const store = await tdb.open();
    const ingest = new Ingest(net.embedded, store, net.setup.network, { pollMs: 0 });
    await ingest.start();
    const seconds = ingest.stats.backfillMs / 1000;
    metrics[`${kind}_ingest_events_per_s`] = round(ingest.stats.events / seconds, 0);
    metrics[`${kind}_backfill_transactions_per_s`] = round(
      ingest.stats.backfillTransactions / seconds,
      0,
    );
    const server = new RpcServer({ store, ingest, maxLagSlots: 20 });
    const client = new IndexerClient(await server.listen(0));
    const proof: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const t0 = performance.now();
      await client.call('getDeviceProof', { device: devices[i % devices.length]! });
      proof.push(performance.now() - t0);
    }
    metrics[`${kind}_get_device_proof_p50_ms`] = round(quantile(proof, 0.5));
    metrics[`${kind}_get_device_proof_p99_ms`] = round(quantile(proof, 0.99));
    const t1 = performance.now();
    const snapshot = await client.call('getNetworkSnapshot', {});
    metrics[`${kind}_network_snapshot_ms`] = round(performance.now() - t1);
    metrics[`${kind}_network_snapshot_bytes`] = JSON.stringify(snapshot.value).length;
    const t2 = performance.now();
    const f = new NetworkFollower(net.embedded, net.setup.network, {
      store: new IndexerFollowerStore(client.url),
    }).start();
    await f.ready;
    metrics[`${kind}_follower_from_indexer_ms`] = round(performance.now() - t2);
    if (f.backfill?.from !== 'snapshot' || f.devices.size !== DEVICES)
      throw new Error(`the follower did not start from the indexer's snapshot`);
    await f.stop();
    const device = Keypair.generate().publicKey.toBase58();
    metrics[`${kind}_store_records_per_s`] = round(
      await seedRecords(store, net.setup.network.toBase58(), device),
      0,
    );
    const pages: number[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < CALLS; i++) {
      const t0 = performance.now();
      const page = await client.call('getRecordsByDevice', { device, limit: 100, cursor });
      pages.push(performance.now() - t0);
      cursor = page.value.items.length === 100 ? (page.value.cursor ?? undefined) : undefined;
    }
    metrics[`${kind}_get_records_by_device_p99_ms`] = round(quantile(pages, 0.99));
    metrics[`${kind}_root_mismatches`] = ingest.stats.rootMismatches;
    await server.close();
    await ingest.stop();
    await store.close();
    await tdb.drop();
  }
  await net.close();
  const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'indexer.json'),
    JSON.stringify({ bench: 'indexer', metrics, date: new Date().toISOString() }, null, 2) + '\n',
  );
  console.log(JSON.stringify({ bench: 'indexer', metrics }));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
