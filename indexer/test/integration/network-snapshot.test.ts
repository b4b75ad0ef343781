/**
 * getNetworkSnapshot and `IndexerFollowerStore` on real PGlite and real Postgres, on the
 * embedded local network with real attestations: a follower that starts from the indexer's
 * snapshot reads only the transactions after the indexer's cursor and ends with the devices,
 * roots and recorded seqs of a follower that read the whole history; an indexer whose store
 * lies (a tree leaf altered, a device row and its leaf altered together) is refused by the
 * follower, which rebuilds from the history and says why; an indexer that is down or does not
 * answer is a fallback with the reason (the local snapshot or the history), never a hang.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import BN from 'bn.js';
import {
  DEVICE_STATUS_REVOKED,
  IndexerFollowerStore,
  MemoryFollowerStore,
  NetworkFollower,
  RECORDED_SEQS_PER_DEVICE,
  decodeFollowerSnapshot,
  deviceLeafHash,
  encodeFollowerSnapshot,
  indexedDeviceLeaf,
  toHex,
  type FollowerSnapshot,
  type FollowerStore,
} from '@zkpin/sdk';
import { AttestedNetwork } from '../../../bench/attestation-scenario.ts';
import type { IndexerStore } from '../../src/store.ts';
import { startIndexer, type TestIndexer } from '../support/indexer.ts';
import { STORE_KINDS, testDatabase, type TestDatabase } from '../support/stores.ts';

describe.each(STORE_KINDS)('followers from the indexer on %s', (kind) => {
  let tdb: TestDatabase;
  let store: IndexerStore;
  let indexer: TestIndexer | undefined;
  let n: AttestedNetwork;
  const closers: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    tdb = await testDatabase(kind);
    store = await tdb.open();
    n = await AttestedNetwork.create();
    // Two real attestations (records, recorded seqs), more devices, a revocation.
    await n.submit();
    n.track({ ...n.leaf, seq: new BN(n.vector.seq.toString()) });
    await n.submit(n.nextParams());
    for (let i = 0; i < 3; i++) await n.net.registerDevice();
    const [, second] = [...n.net.follower.devices.keys()].filter((h) => h !== hexOf(n));
    await n.net.revokeDevice(second!);
    indexer = await startIndexer(n.net.embedded, store, n.setup.network);
  });

  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
    await indexer?.stop();
    indexer = undefined;
    await store.close();
    await tdb.drop();
    await n.net.close();
  });

  function hexOf(a: AttestedNetwork): string {
    return Buffer.from(a.deviceKey.publicKey).toString('hex');
  }

  /** A started follower of the network with `store` and the reasons of its rebuilds. */
  function follow(followerStore?: FollowerStore) {
    const f = new NetworkFollower(n.net.embedded, n.setup.network, {
      store: followerStore,
      verifyWaitMs: 500,
    });
    const reasons: string[] = [];
    f.onResync((r) => reasons.push(r));
    closers.push(() => f.stop());
    return { f: f.start(), reasons };
  }

  /** `f` holds what the network's own follower (fed since the network began) holds. */
  async function expectSameReplica(f: NetworkFollower): Promise<void> {
    const ref = n.net.follower;
    expect([...f.devices.keys()].sort()).toEqual([...ref.devices.keys()].sort());
    for (const [hex, d] of ref.devices) {
      const e = f.device(hex)!;
      expect([e.tree.toBase58(), e.leafIndex]).toEqual([d.tree.toBase58(), d.leafIndex]);
      expect(Buffer.from(deviceLeafHash(n.setup.network, e.leaf))).toEqual(
        Buffer.from(deviceLeafHash(n.setup.network, d.leaf)),
      );
    }
    expect([...f.trees.keys()].sort()).toEqual([...ref.trees.keys()].sort());
    for (const [key, t] of ref.trees) {
      const u = f.trees.get(key)!;
      expect(u.seq).toBe(t.seq);
      expect(Buffer.from(u.replica.root)).toEqual(Buffer.from(t.replica.root));
      expect(await f.rootMatchesChain(t.address)).toBe(true);
    }
    expect(f.records).toBe(ref.records);
    const hex = hexOf(n);
    for (const seq of [n.vector.seq, n.vector.next.seq]) expect(f.isRecorded(hex, seq)).toBe(true);
  }

  /** A snapshot with its trees by address and devices by key (orders differ, not contents). */
  function normalized(s: FollowerSnapshot) {
    const { trees, devices, ...rest } = s;
    return {
      ...rest,
      savedAt: undefined,
      trees: [...trees].sort((a, b) => a.address.localeCompare(b.address)),
      devices: devices
        .map(([at, leafIndex, leaf]) => [trees[at]!.address, leafIndex, leaf] as const)
        .sort((a, b) => a[2].localeCompare(b[2])),
      recorded: [...s.recorded].sort((a, b) => a[0].localeCompare(b[0])),
    };
  }

  it("answers the follower's own snapshot; a follower started from it reads only what came after the cursor", async () => {
    const { value } = await indexer!.client.getNetworkSnapshot();
    const ref = encodeFollowerSnapshot(
      { network: n.setup.network, registryProgramId: n.net.follower.registry },
      {
        devices: new Map(n.net.follower.devices),
        trees: new Map(n.net.follower.trees),
        recorded: new Map([[hexOf(n), [n.vector.seq, n.vector.next.seq]]]),
        records: n.net.follower.records,
        cursor: {
          signature: n.net.embedded.historyNow(n.setup.network).at(-1)!.signature,
          slot: value.cursor.slot,
        },
      },
    )!;
    expect(normalized(value)).toEqual(normalized(ref));
    expect(value.records).toBe(2);

    // The indexer stops following (it still answers); three transactions come after its cursor.
    await indexer!.ingest.stop();
    const later = [await n.net.registerDevice(), await n.net.registerDevice()];
    await n.net.revokeDevice(later[0]!.hex);

    const indexed = new IndexerFollowerStore(indexer!.url);
    const fromIndexer = follow(indexed);
    await fromIndexer.f.ready;
    expect(fromIndexer.reasons).toEqual([]);
    expect(indexed.loadedFrom).toBe('indexer');
    expect(fromIndexer.f.backfill).toMatchObject({ from: 'snapshot', transactions: 3 });
    expect(fromIndexer.f.device(later[0]!.hex)!.leaf.status).toBe(DEVICE_STATUS_REVOKED);
    await expectSameReplica(fromIndexer.f);

    const fromHistory = follow();
    expect(fromHistory.f.backfill?.from).toBe('history');
    await expectSameReplica(fromHistory.f);

    // It follows on.
    const next = await n.net.registerDevice();
    expect(fromIndexer.f.device(next.hex)?.leafIndex).toBe(next.leafIndex);
    await fromIndexer.f.stop();
  });

  it('answers one state of the store while ingest applies transactions: every snapshot decodes', async () => {
    const id = {
      network: n.setup.network,
      registryProgramId: n.net.follower.registry,
      recordedSeqsPerDevice: RECORDED_SEQS_PER_DEVICE,
    };
    let registering = true;
    const registrations = (async () => {
      for (let i = 0; i < 12; i++) {
        await n.net.registerDevice();
        await new Promise((r) => setTimeout(r, 5));
      }
      registering = false;
    })();
    const sizes = new Set<number>();
    while (registering) {
      const { value } = await indexer!.client.getNetworkSnapshot();
      const decoded = decodeFollowerSnapshot(value, id);
      expect(decoded.ok ? 'ok' : decoded.reason).toBe('ok');
      sizes.add(value.devices.length);
    }
    await registrations;
    expect(sizes.size).toBeGreaterThan(1); // it did read while the store changed
  });

  it('refuses a snapshot whose device leaf does not hash to its tree leaf, and rebuilds from the history', async () => {
    const revoked = [...n.net.follower.devices.values()].find(
      (d) => d.leaf.status === DEVICE_STATUS_REVOKED,
    )!;
    // The store's newest leaf at that index: the active one it was before the revocation.
    await store.db.query(
      `UPDATE tree_leaves SET leaf = $3 WHERE tree = $1 AND tree_seq =
        (SELECT max(tree_seq) FROM tree_leaves WHERE tree = $1 AND leaf_index = $2)`,
      [revoked.tree.toBase58(), revoked.leafIndex, new Uint8Array(32).fill(7)],
    );
    const { f, reasons } = follow(new IndexerFollowerStore(indexer!.url));
    await f.ready;
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(
      new RegExp(
        `^snapshot unusable: device \\d+: the leaf does not hash to leaf ${revoked.leafIndex} of its tree$`,
      ),
    );
    expect(f.backfill?.from).toBe('history');
    await expectSameReplica(f);
  });

  it('refuses a snapshot that is consistent in itself but not with the chain (a device un-revoked)', async () => {
    const revoked = [...n.net.follower.devices.values()].find(
      (d) => d.leaf.status === DEVICE_STATUS_REVOKED,
    )!;
    const key = revoked.leaf.device.toBase58();
    const row = (await store.device(key))!;
    const active = { ...row, status: 0 };
    // The device row and its tree leaf changed together: the snapshot decodes.
    await store.db.query('UPDATE devices SET status = 0 WHERE device = $1', [key]);
    await store.db.query(
      `UPDATE tree_leaves SET leaf = $3 WHERE tree = $1 AND tree_seq =
        (SELECT max(tree_seq) FROM tree_leaves WHERE tree = $1 AND leaf_index = $2)`,
      [row.tree, row.leafIndex, deviceLeafHash(n.setup.network, indexedDeviceLeaf(active))],
    );
    const { value } = await indexer!.client.getNetworkSnapshot();
    expect(value.devices.length).toBe(n.net.follower.devices.size);

    const { f, reasons } = follow(new IndexerFollowerStore(indexer!.url));
    await f.ready;
    const seq = n.net.follower.trees.get(row.tree)!.seq;
    expect(reasons).toEqual([
      `snapshot does not match the chain: tree ${row.tree}: the root after change ${seq} differs from the chain's`,
    ]);
    expect(f.backfill?.from).toBe('history');
    expect(f.device(toHex(revoked.leaf.device.toBytes()))!.leaf.status).toBe(DEVICE_STATUS_REVOKED);
    await expectSameReplica(f);
  });

  it('falls back with the reason when the indexer is down or does not answer, without hanging', async () => {
    // Down: nothing listens there; no local store: the whole history.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const downUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise<void>((r) => closed.close(() => r()));
    const down = follow(new IndexerFollowerStore(downUrl));
    await down.f.ready;
    expect(down.reasons).toHaveLength(1);
    expect(down.reasons[0]).toMatch(
      /^snapshot not restored: indexer snapshot not loaded: getNetworkSnapshot: the indexer at http:\/\/127\.0\.0\.1:\d+\/ did not answer: fetch failed \(.*ECONNREFUSED.*\)$/,
    );
    expect(down.f.backfill?.from).toBe('history');
    await expectSameReplica(down.f);

    // Silent: it takes the connection and never answers; the local snapshot is taken instead.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    closers.push(
      () =>
        new Promise<void>((r) => {
          silent.closeAllConnections();
          silent.close(() => r());
        }),
    );
    // A snapshot in the local store (a follower that read the history, stopped).
    const local = new MemoryFollowerStore();
    const seeded = follow(local);
    await seeded.f.ready;
    await seeded.f.stop();
    expect(local.saves).toBe(1);
    await n.net.registerDevice();
    const fallbacks: string[] = [];
    const indexed = new IndexerFollowerStore(
      `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`,
      { local, timeoutMs: 300, onFallback: (r) => fallbacks.push(r) },
    );
    const t0 = Date.now();
    const quiet = follow(indexed);
    await quiet.f.ready;
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(fallbacks).toEqual([
      expect.stringMatching(
        /^indexer snapshot not loaded: getNetworkSnapshot: the indexer at .* did not answer: no answer within 300 ms$/,
      ),
    ]);
    expect(indexed.loadedFrom).toBe('local');
    expect(quiet.reasons).toEqual([]);
    expect(quiet.f.backfill).toMatchObject({ from: 'snapshot', transactions: 1 });
    await expectSameReplica(quiet.f);
    // Its snapshots go to the local store.
    const saves = local.saves;
    await quiet.f.stop();
    expect(local.saves).toBe(saves + 1);
  });
});
