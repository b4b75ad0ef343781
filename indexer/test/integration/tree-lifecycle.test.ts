/**
 * Device trees over their life, on real PGlite and real Postgres: more changes than the tree's
 * changelog buffer holds (the buffer wraps), then a rotation to a new device tree. The
 * indexer's device proofs stay those of the tree account's current root (checked by
 * `IndexerClient` against the account) and `transfer_device` accepts them, in the old tree
 * and in the new one; the indexer follows the new tree from its init_tree on.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import BN from 'bn.js';
import { Keypair, PublicKey } from '@solana/web3.js';
import {
  TREE_KIND_DEVICE,
  createTree,
  fromHex,
  proofAccounts,
  toHex,
  treeAccountRoot,
  treeAccountSequenceNumber,
  type DeviceLeaf,
  type TreeShape,
} from '@zkpin/sdk';
import { localNetwork, type LocalNetwork } from '@zkpin/sdk/testing';
import type { IndexerStore } from '../../src/store.ts';
import { startIndexer, type TestIndexer } from '../support/indexer.ts';
import { STORE_KINDS, testDatabase, type TestDatabase } from '../support/stores.ts';

/** 32 leaves, a changelog of 8 roots, no canopy: the buffer wraps after 8 changes. */
const SMALL: TreeShape = { maxDepth: 5, maxBufferSize: 8, canopyDepth: 0 };

describe.each(STORE_KINDS)('device trees over their life on %s', (kind) => {
  let net: LocalNetwork;
  let tdb: TestDatabase;
  let store: IndexerStore;
  let indexer: TestIndexer | undefined;

  beforeEach(async () => {
    net = await localNetwork({ deviceTree: SMALL });
    tdb = await testDatabase(kind);
    store = await tdb.open();
  });

  afterEach(async () => {
    await indexer?.stop();
    indexer = undefined;
    await store.close();
    await tdb.drop();
    await net.close();
  });

  /** transfer_device of `device` to `newOwner` with the indexer's proof (checked by the client). */
  async function transferWithIndexerProof(device: string, signer: Keypair, newOwner: PublicKey) {
    const { value } = await indexer!.client.getDeviceProof({ device });
    const tree = new PublicKey(value.proof.treeId);
    const info = (await net.embedded.getAccountInfo(tree))!;
    expect(value.proof.root).toBe(toHex(treeAccountRoot(info.data)));
    expect(value.proof.rootSeq).toBe(treeAccountSequenceNumber(info.data).toString());
    const d = value.device;
    const leaf: DeviceLeaf = {
      device: new PublicKey(d.device),
      owner: new PublicKey(d.owner),
      maker: new PublicKey(d.maker),
      bjjKeyHash: Array.from(fromHex(d.bjjKeyHash)),
      modelId: d.modelId,
      seq: new BN(d.seq),
      status: d.status,
    };
    await net.registry.methods
      .transferDevice({
        current: {
          leaf,
          leafIndex: value.proof.leafIndex,
          root: Array.from(fromHex(value.proof.root)),
        },
        newOwner,
      })
      .accountsPartial({ signer: signer.publicKey, network: net.setup.network, deviceTree: tree })
      .remainingAccounts(proofAccounts(value.proof.proofWithoutCanopy.map(fromHex)))
      .signers([signer])
      .rpc();
    await indexer!.ingest.idle();
  }

  it('proofs stay valid after the changelog buffer wraps and across a rotation to a new tree', async () => {
    const first = await net.registerDevice();
    indexer = await startIndexer(net.embedded, store, net.setup.network, {
      client: { chain: net.embedded },
    });
    const oldTree = net.setup.deviceTree;
    // 12 more appends: 13 changes of a tree whose changelog holds 8.
    const others = [];
    for (let i = 0; i < 12; i++) others.push(await net.registerDevice());
    await indexer.ingest.idle();
    const info = (await net.embedded.getAccountInfo(oldTree))!;
    expect(treeAccountSequenceNumber(info.data)).toBe(13n);
    expect(treeAccountSequenceNumber(info.data)).toBeGreaterThan(BigInt(SMALL.maxBufferSize));

    // The oldest leaf, untouched since change 1, proved against the root of change 13:
    // ping-pong it between two owners, each transfer with a fresh indexer proof (the buffer
    // keeps wrapping: 13 + 6 changes).
    const id = first.leaf.device.toBase58();
    const other = Keypair.generate();
    net.chain.airdrop(other.publicKey, 10);
    for (let i = 0; i < 6; i++) {
      const [from, to] = i % 2 === 0 ? [net.owner, other] : [other, net.owner];
      await transferWithIndexerProof(id, from, to.publicKey);
      expect((await indexer.client.getDevice({ device: id })).value.owner).toBe(
        to.publicKey.toBase58(),
      );
    }
    // Every device's proof verifies against the account (the client checks each one).
    const ids = [first, ...others].map((d) => d.leaf.device.toBase58());
    const proofs = await indexer.client.getDeviceProofs({ devices: ids });
    expect(proofs.value.map((p) => p?.proof.rootSeq)).toEqual(ids.map(() => '19'));
    expect(indexer.ingest.stats.rootMismatches).toBe(0);

    // Rotation: init_tree of a new device tree; new devices go there.
    const newTree = await createTree(net.registry, {
      authority: net.authority,
      network: net.setup.network,
      kind: TREE_KIND_DEVICE,
      shape: SMALL,
    });
    const fresh = await net.registerDevice({ deviceTree: newTree });
    await indexer.ingest.idle();
    const trees = await indexer.client.getTrees();
    expect(trees.value.map((t) => t.address).sort()).toEqual(
      [oldTree, newTree, net.setup.recordTree].map((k) => k.toBase58()).sort(),
    );
    const freshId = fresh.leaf.device.toBase58();
    const got = await indexer.client.getDevice({ device: freshId });
    expect(got.value).toMatchObject({ tree: newTree.toBase58(), leafIndex: 0, treeSeq: '1' });
    // Proofs of both trees are accepted: the new tree's device and an old tree's device.
    await transferWithIndexerProof(freshId, net.owner, other.publicKey);
    await transferWithIndexerProof(others[3]!.leaf.device.toBase58(), net.owner, other.publicKey);
    const t = await indexer.client.getTree({ tree: newTree.toBase58() });
    expect(t.value).toMatchObject({ seq: '2', leafCount: 1 });
    expect((await indexer.client.getTree({ tree: oldTree.toBase58() })).value.seq).toBe('20');
    expect(indexer.ingest.stats.rootMismatches).toBe(0);
    expect((await indexer.client.getIndexerHealth()).value.status).toBe('ok');
  });
});
