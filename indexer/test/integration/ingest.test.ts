/**
 * Ingest from the embedded chain (localNetwork: both programs, a network, devices) into real
 * PGlite and real Postgres: history then live transactions, every device version, roots
 * checked against the tree accounts; a transaction applied twice changes nothing; a gap in
 * the live feed is repaired from the history; a restart, and a crash mid-write, resume to a
 * database identical to one that ingested everything in one go.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Keypair, PublicKey } from '@solana/web3.js';
import {
  DEVICE_STATUS_REVOKED,
  toHex,
  treeAccountRoot,
  treeAccountSequenceNumber,
  type Chain,
  type ChainTransaction,
} from '@zkpin/sdk';
import { localNetwork, type LocalNetwork } from '@zkpin/sdk/testing';
import { openDatabase } from '../../src/database.ts';
import { Ingest } from '../../src/ingest.ts';
import { IndexerStore } from '../../src/store.ts';
import { dyingDatabase, withholdingChain } from '../support/faults.ts';
import { STORE_KINDS, testDatabase, type TestDatabase } from '../support/stores.ts';

describe.each(STORE_KINDS)('ingest on %s', (kind) => {
  let net: LocalNetwork;
  let tdb: TestDatabase;
  let store: IndexerStore;
  let ingest: Ingest | undefined;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    net = await localNetwork();
    tdb = await testDatabase(kind);
    store = await tdb.open();
  });

  afterEach(async () => {
    await ingest?.stop();
    ingest = undefined;
    await store.close();
    await tdb.drop();
    for (const c of cleanups.splice(0)) await c();
    await net.close();
  });

  const start = async (s: IndexerStore = store, chain: Chain = net.embedded) => {
    const i = new Ingest(chain, s, net.setup.network, { pollMs: 0 });
    await i.start();
    return i;
  };

  async function expectRootsMatchChain(i: Ingest) {
    for (const t of i.replicas.trees.values()) {
      const info = (await net.embedded.getAccountInfo(new PublicKey(t.address)))!;
      expect(toHex(t.replica.root)).toBe(toHex(treeAccountRoot(info.data)));
      expect(t.seq).toBe(treeAccountSequenceNumber(info.data));
    }
  }

  /** The same history ingested in one go into a fresh database of the same kind. */
  async function freshDump(): Promise<Record<string, unknown[]>> {
    const other = await testDatabase(kind);
    const s = await other.open();
    const i = await start(s);
    await i.stop();
    const dump = await s.dump();
    await s.close();
    await other.drop();
    return dump;
  }

  it('backfills the history, follows live transactions, keeps every device version', async () => {
    const a = await net.registerDevice();
    ingest = await start();
    expect(ingest.status).toBe('ok');
    expect((await store.device(a.leaf.device.toBase58()))?.leafIndex).toBe(a.leafIndex);
    const b = await net.registerDevice();
    const other = Keypair.generate();
    await net.transferDevice(a, other.publicKey);
    await net.revokeDevice(b);
    await ingest.idle();

    const da = await store.device(a.leaf.device.toBase58());
    expect(da?.owner).toBe(other.publicKey.toBase58());
    const versions = await store.deviceVersions(da!.device);
    expect(versions.map((v) => v.owner)).toEqual([
      net.owner.publicKey.toBase58(),
      other.publicKey.toBase58(),
    ]);
    expect((await store.device(b.leaf.device.toBase58()))?.status).toBe(DEVICE_STATUS_REVOKED);
    await expectRootsMatchChain(ingest);
    expect(ingest.stats.rootMismatches).toBe(0);
    expect(ingest.stats.rootChecks).toBeGreaterThan(0);
    // The network, its maker and model (with the vk hash read from the Model account).
    const dump = await store.dump();
    expect(dump['networks']).toHaveLength(1);
    expect(dump['makers']).toHaveLength(1);
    expect(dump['models']).toHaveLength(1);
    expect((dump['models']![0] as { vk_hash: string }).vk_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a transaction applied twice changes nothing', async () => {
    const seen: ChainTransaction[] = [];
    const off = net.embedded.onTransaction(net.setup.network, (tx) => seen.push(tx));
    cleanups.push(() => Promise.resolve(off()));
    ingest = await start();
    await net.registerDevice();
    await net.registerDevice();
    await ingest.idle();
    const before = await store.dump();
    const duplicates = ingest.stats.duplicates;
    for (const tx of seen) await ingest.applyTransaction(tx);
    expect(await store.dump()).toEqual(before);
    expect(ingest.stats.duplicates).toBe(duplicates + seen.length);
    expect(ingest.status).toBe('ok');
    await expectRootsMatchChain(ingest);
  });

  it('a transaction the live feed missed is a gap, repaired from the history', async () => {
    let withheld: string | undefined;
    const chain = withholdingChain(net.embedded, (tx) => {
      if (withheld !== undefined) return false;
      withheld = tx.signature;
      return true;
    });
    ingest = await start(store, chain);
    const a = await net.registerDevice(); // withheld from the live feed
    await ingest.idle();
    expect(withheld).toBe(a.result.signature);
    expect(await store.device(a.leaf.device.toBase58())).toBeUndefined();
    const b = await net.registerDevice(); // tree change 2 while the indexer is at 0: a gap
    await ingest.idle();
    expect(ingest.stats.gapsRepaired).toBe(1);
    expect(ingest.status).toBe('ok');
    expect((await store.device(a.leaf.device.toBase58()))?.treeSeq).toBe('1');
    expect((await store.device(b.leaf.device.toBase58()))?.treeSeq).toBe('2');
    await expectRootsMatchChain(ingest);
    await ingest.stop();
    ingest = undefined;
    expect(await store.dump()).toEqual(await freshDump());
  });

  it('resumes after a restart where it stopped and ends identical', async () => {
    await net.registerDevice();
    ingest = await start();
    const b = await net.registerDevice();
    await ingest.stop();
    ingest = undefined;
    await store.close();
    // While the indexer is down.
    await net.registerDevice();
    await net.transferDevice(b, Keypair.generate().publicKey);
    store = await tdb.open();
    const cursor = await store.cursor(net.setup.network.toBase58());
    ingest = await start();
    expect(ingest.stats.backfillTransactions).toBe(2); // only what came after the cursor
    expect((await store.cursor(net.setup.network.toBase58()))!.slot).toBeGreaterThan(cursor!.slot);
    await expectRootsMatchChain(ingest);
    await ingest.stop();
    ingest = undefined;
    expect(await store.dump()).toEqual(await freshDump());
  });

  it('killed in the middle of a write, it resumes and ends identical', async () => {
    await net.registerDevice();
    ingest = await start();
    await ingest.stop();
    ingest = undefined;
    await store.close();
    const applied = await (async () => {
      const s = await tdb.open();
      const n = await s.transactionCount(net.setup.network.toBase58());
      await s.close();
      return n;
    })();
    for (let i = 0; i < 3; i++) await net.registerDevice();
    // The 4th query inside a transaction fails (the batch's devices upsert, after its
    // transactions, tree leaves and device versions were written): the batch is rolled back.
    const dying = dyingDatabase(await openDatabase(tdb.config), 4);
    store = await IndexerStore.open(dying);
    ingest = new Ingest(net.embedded, store, net.setup.network, { pollMs: 0 });
    await expect(ingest.start()).rejects.toThrow(/killed at query 4/);
    expect(ingest.status).toBe('failed');
    expect(await store.transactionCount(net.setup.network.toBase58())).toBe(applied);
    await ingest.stop();
    ingest = undefined;
    await store.close();

    store = await tdb.open();
    ingest = await start();
    expect(ingest.status).toBe('ok');
    expect(ingest.stats.backfillTransactions).toBe(3);
    await expectRootsMatchChain(ingest);
    await ingest.stop();
    ingest = undefined;
    expect(await store.dump()).toEqual(await freshDump());
  });
});
