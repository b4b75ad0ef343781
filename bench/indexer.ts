/**
 * Indexer benchmark (issue 11). Last line: `{"bench":"indexer","metrics":{...}}`, also saved
 * to bench/results/indexer.json. For PGlite and for Postgres (DATABASE_URL's server, a fresh
 * database each time):
 *
 * - The real chain: a local network (embedded chain) with `DEVICES` registered devices, a
 *   third of them transferred, ingested from scratch: `<store>_ingest_events_per_s` (decode,
 *   replicas and store, the whole backfill); `getDeviceProof` over HTTP; `getNetworkSnapshot`
 *   (ms, bytes) and a `NetworkFollower` started from it (`IndexerFollowerStore`: decoded and
 *   checked against the chain) beside one that reads the whole history.
 * - The store's write paths over `RECORDS` synthetic record transactions of one device:
 *   `<store>_store_records_per_s` one `apply` (one database transaction) per transaction,
 *   `<store>_store_batch_records_per_s` `applyMany` in batches of 256 (what the backfill does).
 * - At scale, for each of `SCALES` records (default 100k and 1m; labels `100k`, `1m`): the
 *   store seeded by bench/indexer-seed.ts (`SEED_DEVICES` devices, default 1,000, round-robin;
 *   real record and device leaf hashes in trees of the network's shapes built by
 *   `MerkleReplica`; one submit_attestation-shaped transaction per record: record leaf, device
 *   leaf update, attestation; heads per batch) through `applyMany` in batches of 256.
 *   `<store>_<scale>_backfill_records_per_s` is records over the time spent in `applyMany`:
 *   the store's batch write path without decoding (hashing and tree building are excluded and
 *   reported as `<scale>_seed_hash_s`; the real chain's backfill is `ingest_events_per_s`).
 *   Then `Ingest` starts on that store (`replica_load_ms`: the replicas rebuilt from
 *   `tree_leaves`; `rss_mb` and `replica_mb`, the heap and array buffers it added, after it)
 *   and an `RpcServer` serves it; over HTTP with `IndexerClient.call` (schema checked, proof
 *   checks excluded from the timing and timed apart as `record_proof_verify_p50_ms`):
 *   `getRecordProof` of random records,
 *   `getRecordsByDevice` pages of 100 walking random devices' cursors, `getDeviceProof` of
 *   random devices (p50, p99 of `SCALE_CALLS` calls each). `root_mismatches` counts loaded
 *   replicas whose root is not the seeded tree's, and served proofs that do not hold, whose
 *   leaf is not the record's (device's) hash, or whose root is not the seeded root.
 *   A store whose seeding takes longer than `SEED_LIMIT_S` (default 600 s) is not measured at
 *   that scale: `<store>_<scale>_skipped_after_records` says how far it got.
 *
 *   npm run bench:indexer
 *   SCALES=20000 DEVICES=30 RECORDS=1000 npm run bench:indexer      (a quick check)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Keypair } from '@solana/web3.js';
import {
  IndexerClient,
  IndexerFollowerStore,
  NetworkFollower,
  indexedDeviceLeafHash,
  indexedRecordLeafHash,
  merkleProofProblem,
  toHex,
  type MerkleProofValue,
} from '@zkpin/sdk';
import { localNetwork, type LocalNetwork } from '@zkpin/sdk/testing';
import { Ingest } from '../indexer/src/ingest.ts';
import { RpcServer } from '../indexer/src/rpc-server.ts';
import type { AppliedTransaction } from '../indexer/src/store.ts';
import { STORE_KINDS, testDatabase, type StoreKind } from '../indexer/test/support/stores.ts';
import { Seed } from './indexer-seed.ts';

const DEVICES = Number(process.env['DEVICES'] ?? 150);
const RECORDS = Number(process.env['RECORDS'] ?? 2000);
const SCALES = (process.env['SCALES'] ?? '100000,1000000').split(',').map(Number);
const SEED_DEVICES = Number(process.env['SEED_DEVICES'] ?? 1000);
const SEED_LIMIT_S = Number(process.env['SEED_LIMIT_S'] ?? 600);
const SCALE_CALLS = Number(process.env['SCALE_CALLS'] ?? 1000);
const CALLS = 300;
const BATCH = 256;

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const label = (n: number) =>
  n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n);
const mb = (bytes: number) => round(bytes / 2 ** 20, 0);
const randomInt = (n: number) => Math.floor(Math.random() * n);
setFlagsFromString('--expose-gc');
/** A full collection, so that heap sizes compare (`--expose-gc` for this process). */
const gc = runInNewContext('gc') as () => void;

/** `RECORDS` record transactions of a new device, written by `write` in groups of `per`. */
async function storeRecords(
  per: number,
  write: (ts: AppliedTransaction[]) => Promise<unknown>,
): Promise<number> {
  const tree = Keypair.generate().publicKey.toBase58();
  const device = Keypair.generate().publicKey.toBase58();
  const b = (v: number) => new Uint8Array(32).fill(v % 256);
  const ts: AppliedTransaction[] = Array.from({ length: RECORDS }, (_, i) => ({
    signature: `bench-${device.slice(0, 8)}-${i}`,
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
  }));
  const t0 = performance.now();
  for (let i = 0; i < ts.length; i += per) await write(ts.slice(i, i + per));
  return RECORDS / ((performance.now() - t0) / 1000);
}

/** The real chain's backfill, device proofs and the store's write paths, on `kind`. */
async function chainBench(
  kind: StoreKind,
  net: LocalNetwork,
  devices: string[],
  metrics: Record<string, number>,
): Promise<void> {
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
  // What a restarting oracle or bridge reads instead of the history (INDEXER_URL).
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
  if (f.backfill?.from !== 'snapshot' || f.devices.size !== devices.length)
    throw new Error(`the follower did not start from the indexer's snapshot`);
  await f.stop();
  const network = net.setup.network.toBase58();
  metrics[`${kind}_store_records_per_s`] = round(
    await storeRecords(1, ([t]) => store.apply(network, t!)),
    0,
  );
  metrics[`${kind}_store_batch_records_per_s`] = round(
    await storeRecords(BATCH, (ts) => store.applyMany(network, ts)),
    0,
  );
  metrics[`${kind}_root_mismatches`] = ingest.stats.rootMismatches;
  await server.close();
  await ingest.stop();
  await store.close();
  await tdb.drop();
}

/** Why a served proof does not check against the seed, or undefined. */
function proofProblem(p: MerkleProofValue, leaf: Uint8Array, seed: Seed): string | undefined {
  const head = seed.heads.get(p.treeId);
  return (
    merkleProofProblem(p) ??
    (p.leaf !== toHex(leaf) ? 'leaf' : undefined) ??
    (head && p.root === toHex(head.root) && p.rootSeq === head.seq.toString() ? undefined : 'root')
  );
}

/** Seeds a `kind` store with `seed`, serves it, measures the reads; see the file comment. */
async function scaleBench(
  kind: StoreKind,
  seed: Seed,
  net: LocalNetwork,
  metrics: Record<string, number>,
): Promise<void> {
  const at = `${kind}_${label(seed.records)}`;
  const tdb = await testDatabase(kind);
  let store = await tdb.open();
  let writeMs = 0;
  let written = 0;
  const batches = seed.batches();
  for (const batch of batches) {
    const t0 = performance.now();
    await store.applyMany(seed.networkKey, batch);
    writeMs += performance.now() - t0;
    written += batch.length;
    if (writeMs > SEED_LIMIT_S * 1000) {
      metrics[`${at}_skipped_after_records`] = Math.max(0, written - seed.devices.length - 1);
      // The seed's first pass (its hashes and heads) is completed for the next store.
      while (!batches.next().done);
      await store.close();
      await tdb.drop();
      return;
    }
  }
  metrics[`${at}_backfill_records_per_s`] = round(seed.records / (writeMs / 1000), 0);
  // A fresh connection, as a restarted indexer has; Postgres's statistics brought up to date.
  await store.close();
  store = await tdb.open();
  if (kind === 'postgres') await store.db.exec('ANALYZE');

  gc();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const ingest = new Ingest(net.embedded, store, seed.network, { pollMs: 0 });
  await ingest.start();
  metrics[`${at}_replica_load_ms`] = round(performance.now() - t0, 0);
  gc();
  const mem = process.memoryUsage();
  metrics[`${at}_rss_mb`] = mb(mem.rss);
  // The replicas' nodes are array buffers (outside the JS heap), their maps and objects heap.
  metrics[`${at}_replica_mb`] = mb(
    mem.heapUsed + mem.arrayBuffers - before.heapUsed - before.arrayBuffers,
  );
  let mismatches = 0;
  for (const [tree, head] of seed.heads) {
    const t = ingest.replicas.get(tree);
    if (!t || toHex(t.replica.root) !== toHex(head.root) || t.seq !== head.seq) mismatches += 1;
  }

  const D = seed.devices.length;
  // The store's reads alone (SQL and rows to objects, no HTTP), and their plans.
  const page: number[] = [];
  const lookup: number[] = [];
  for (let i = 0; i < SCALE_CALLS / 4; i++) {
    const d = randomInt(D);
    const address = seed.devices[d]!.address;
    const seq = randomInt(seed.recordsOf(d));
    let t0 = performance.now();
    await store.recordsByDevice(address, { limit: 100, cursor: seq ? `v1:${seq}` : undefined });
    page.push(performance.now() - t0);
    t0 = performance.now();
    await store.record(address, String(seq + 1));
    lookup.push(performance.now() - t0);
  }
  metrics[`${at}_store_records_page_p99_ms`] = round(quantile(page, 0.99));
  metrics[`${at}_store_record_p99_ms`] = round(quantile(lookup, 0.99));
  const plan = await store.db.query<Record<string, string>>(
    `EXPLAIN ANALYZE SELECT * FROM records WHERE device = $1 AND seq > 5 ORDER BY seq LIMIT 100`,
    [seed.devices[0]!.address],
  );
  console.error(`${at} records page plan:\n${plan.map((r) => Object.values(r)[0]).join('\n')}`);

  const server = new RpcServer({ store, ingest, maxLagSlots: 20 });
  const client = new IndexerClient(await server.listen(0));
  const recordProof: number[] = [];
  const verify: number[] = [];
  for (let i = 0; i < SCALE_CALLS; i++) {
    const d = randomInt(D);
    const seq = 1 + randomInt(seed.recordsOf(d));
    const t0 = performance.now();
    const a = await client.call('getRecordProof', {
      device: seed.devices[d]!.address,
      seq: String(seq),
    });
    recordProof.push(performance.now() - t0);
    const t1 = performance.now();
    const problem = proofProblem(a.value.proof, indexedRecordLeafHash(a.value.record), seed);
    verify.push(performance.now() - t1);
    const where = seed.recordAt(d, seq);
    if (
      problem ||
      a.value.record.tree !== where.tree ||
      a.value.record.leafIndex !== where.leafIndex
    )
      mismatches += 1;
  }
  metrics[`${at}_get_record_proof_p50_ms`] = round(quantile(recordProof, 0.5));
  metrics[`${at}_get_record_proof_p99_ms`] = round(quantile(recordProof, 0.99));
  metrics[`${at}_record_proof_verify_p50_ms`] = round(quantile(verify, 0.5));

  const pages: number[] = [];
  let device = 0;
  let cursor: string | undefined;
  let expected = 1;
  while (pages.length < SCALE_CALLS) {
    if (cursor === undefined) {
      device = randomInt(D);
      expected = 1;
    }
    const t0 = performance.now();
    const page = await client.call('getRecordsByDevice', {
      device: seed.devices[device]!.address,
      limit: 100,
      cursor,
    });
    pages.push(performance.now() - t0);
    // Every record once, in order.
    for (const r of page.value.items) if (r.seq !== String(expected++)) mismatches += 1;
    cursor = page.value.items.length === 100 ? (page.value.cursor ?? undefined) : undefined;
    if (cursor === undefined && expected - 1 !== seed.recordsOf(device)) mismatches += 1;
  }
  metrics[`${at}_get_records_by_device_p50_ms`] = round(quantile(pages, 0.5));
  metrics[`${at}_get_records_by_device_p99_ms`] = round(quantile(pages, 0.99));

  const deviceProof: number[] = [];
  for (let i = 0; i < SCALE_CALLS; i++) {
    const t0 = performance.now();
    const a = await client.call('getDeviceProof', {
      device: seed.devices[randomInt(D)]!.address,
    });
    deviceProof.push(performance.now() - t0);
    if (proofProblem(a.value.proof, indexedDeviceLeafHash(a.value.device), seed)) mismatches += 1;
  }
  metrics[`${at}_get_device_proof_p50_ms`] = round(quantile(deviceProof, 0.5));
  metrics[`${at}_get_device_proof_p99_ms`] = round(quantile(deviceProof, 0.99));
  metrics[`${at}_root_mismatches`] = mismatches + ingest.stats.rootMismatches;

  await server.close();
  await ingest.stop();
  await store.close();
  await tdb.drop();
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
  for (const kind of STORE_KINDS) await chainBench(kind, net, devices, metrics);
  for (const records of SCALES) {
    const seed = new Seed(records, Math.min(SEED_DEVICES, records), BATCH);
    metrics[`${label(records)}_seed_devices`] = seed.devices.length;
    for (const kind of STORE_KINDS) {
      await scaleBench(kind, seed, net, metrics);
      metrics[`${label(records)}_seed_hash_s`] = round(seed.hashSeconds, 1);
      const at = `${kind}_${label(records)}_`;
      console.error(
        JSON.stringify(
          Object.fromEntries(Object.entries(metrics).filter(([k]) => k.startsWith(at))),
        ),
      );
    }
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
