/**
 * A network with 2 device trees and 2 record trees (shards): the indexer follows all of them.
 * Records land in both record trees, devices in both device trees; the indexer serves a
 * Merkle proof for each, which `IndexerClient` checks against that tree's account.
 */
import { afterEach, describe, expect, it } from 'vitest';
import BN from 'bn.js';
import { DeviceEd25519Key } from '@zkpin/sdk';
import { AttestedNetwork } from '../../../bench/attestation-scenario.ts';
import type { IndexerStore } from '../../src/store.ts';
import { startIndexer, type TestIndexer } from '../support/indexer.ts';
import { testDatabase, type TestDatabase } from '../support/stores.ts';

describe('shards on pglite', () => {
  let tdb: TestDatabase;
  let store: IndexerStore;
  let indexer: TestIndexer | undefined;
  let n: AttestedNetwork | undefined;

  afterEach(async () => {
    await indexer?.stop();
    await store.close();
    await tdb.drop();
    await n?.net.close();
  });

  it('serves proofs for records in two record trees and devices in two device trees', async () => {
    n = await AttestedNetwork.create({ shards: 2 });
    const [r0, r1] = n.setup.recordTrees;
    const [d0, d1] = n.setup.deviceTrees;
    // A second device in the second device tree.
    const second = await n.net.registerDevice({
      deviceKey: new DeviceEd25519Key(new Uint8Array(32).fill(77)),
      bjjKeyHash: n.vector.bjjKeyHash,
      modelId: n.vector.modelId,
      deviceTree: d1,
    });
    // The vector's two readings, one in each record tree.
    await n.submit({ recordTree: r0 });
    n.track({ ...n.leaf, seq: new BN(n.vector.seq.toString()) });
    await n.submit(n.nextParams({ recordTree: r1 }));

    tdb = await testDatabase('pglite');
    store = await tdb.open();
    indexer = await startIndexer(n.net.embedded, store, n.setup.network, {
      client: { chain: n.net.embedded },
    });
    await indexer.ingest.idle();
    const trees = (await indexer.client.getTrees()).value.map((t) => t.address).sort();
    expect(trees).toEqual([d0, d1, r0, r1].map((t) => t!.toBase58()).sort());

    const device = n.leaf.device.toBase58();
    const first = await indexer.client.getRecordProof({ device, seq: n.vector.seq.toString() });
    const next = await indexer.client.getRecordProof({
      device,
      seq: n.vector.next.seq.toString(),
    });
    expect(first.value.record.tree).toBe(r0!.toBase58());
    expect(next.value.record.tree).toBe(r1!.toBase58());
    expect([first.value.record.leafIndex, next.value.record.leafIndex]).toEqual([0, 0]);

    const proofs = await indexer.client.getDeviceProofs({
      devices: [device, second.leaf.device.toBase58()],
    });
    expect(proofs.value.map((p) => p?.device.tree)).toEqual([d0!.toBase58(), d1!.toBase58()]);
    expect(indexer.ingest.stats.rootMismatches).toBe(0);
  });
});
