/**
 * The store on real PGlite and real Postgres: migrations applied once and recorded, a
 * database newer than the build refused; record pages that never skip or repeat while the
 * device's records are appended concurrently; filters and cursors.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Keypair } from '@solana/web3.js';
import { IndexerError } from '../../src/errors.ts';
import { migrate, readMigrations } from '../../src/migrations.ts';
import { InvalidCursorError, type IndexerStore } from '../../src/store.ts';
import type { RecordChange } from '../../src/transaction-decoder.ts';
import { STORE_KINDS, testDatabase, type TestDatabase } from '../support/stores.ts';

const network = Keypair.generate().publicKey.toBase58();
const tree = Keypair.generate().publicKey.toBase58();

/** A record change as ingest would write it (the store does not check leaves against trees). */
function record(device: string, seq: number): RecordChange {
  const b = (v: number) => new Uint8Array(32).fill(v % 256);
  return {
    kind: 'record',
    tree,
    leafIndex: seq,
    treeSeq: BigInt(seq + 1),
    leaf: b(seq),
    device,
    modelId: 1,
    seq: BigInt(seq + 1),
    timestamp: BigInt(1_767_225_600 + seq * 60),
    class: seq % 3,
    score: BigInt(seq * 10 - 50),
    inputCommitment: b(seq + 1),
    publicInput: b(seq + 2),
  };
}

async function append(store: IndexerStore, device: string, seq: number): Promise<void> {
  await store.apply(network, {
    signature: `sig-${device.slice(0, 8)}-${seq}`,
    slot: 100 + seq,
    changes: [record(device, seq)],
    heads: new Map(),
    vkHashes: new Map(),
  });
}

describe.each(STORE_KINDS)('store on %s', (kind) => {
  let tdb: TestDatabase;
  let store: IndexerStore;

  beforeEach(async () => {
    tdb = await testDatabase(kind);
    store = await tdb.open();
  });

  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  it('applies each migration once and records it; refuses a database newer than the build', async () => {
    const known = readMigrations();
    expect(known.map((m) => m.version)).toEqual(known.map((_, i) => i + 1));
    expect(await migrate(store.db)).toEqual([]); // already applied by open()
    const rows = await store.db.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => [Number(r.version), r.name])).toEqual(
      known.map((m) => [m.version, m.name]),
    );
    await store.db.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')");
    const e = await migrate(store.db).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IndexerError);
    expect((e as IndexerError).code).toBe('INDEXER_MIGRATIONS');
  });

  it('pages never skip or repeat while records are appended', async () => {
    const device = Keypair.generate().publicKey.toBase58();
    for (let i = 0; i < 20; i++) await append(store, device, i);
    let appended = 20;
    const appender = (async () => {
      for (; appended < 80; appended++) {
        await append(store, device, appended);
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    // Pages of 7 while records are appended: a short page is the end for now, and the same
    // cursor later picks up what was appended since.
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const done = appended >= 80;
      const page = await store.recordsByDevice(device, { limit: 7, cursor });
      seen.push(...page.items.map((r) => r.seq));
      pages += 1;
      cursor = page.cursor ?? undefined;
      if (page.items.length < 7) {
        if (done) break;
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    await appender;
    expect(pages).toBeGreaterThan(11);
    expect(seen).toEqual(Array.from({ length: 80 }, (_, i) => String(i + 1)));
  });

  it('filters by time range and class, orders both ways, refuses foreign cursors', async () => {
    const device = Keypair.generate().publicKey.toBase58();
    for (let i = 0; i < 12; i++) await append(store, device, i);
    const t = (i: number) => String(1_767_225_600 + i * 60);
    const range = await store.recordsByDevice(device, { fromTimestamp: t(3), toTimestamp: t(7) });
    expect(range.items.map((r) => r.seq)).toEqual(['4', '5', '6', '7']);
    const cls = await store.recordsByDevice(device, { class: 1 });
    expect(cls.items.map((r) => r.seq)).toEqual(['2', '5', '8', '11']);
    const desc = await store.recordsByDevice(device, { order: 'desc', limit: 5 });
    expect(desc.items.map((r) => r.seq)).toEqual(['12', '11', '10', '9', '8']);
    const next = await store.recordsByDevice(device, { order: 'desc', cursor: desc.cursor! });
    expect(next.items.map((r) => r.seq)).toEqual(['7', '6', '5', '4', '3', '2', '1']);
    expect(next.cursor).toBe(`v1:1`);
    expect(next.items[0]).toMatchObject({ score: '10', class: 0, leafIndex: 6, treeSeq: '7' });
    await expect(store.recordsByDevice(device, { cursor: 'abc' })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    // The same transaction again changes nothing (its signature is known).
    const before = await store.dump();
    await append(store, device, 3);
    expect(await store.dump()).toEqual(before);
  });
});
