/**
 * Shards: a network with K device trees and K record trees (bench/shards-scenario.ts). Devices
 * spread over the device trees, attestations in flight take different record trees, and the
 * transactions of K concurrent attestations write-lock disjoint accounts, so Solana's
 * per-account limit applies per tree, not per network.
 */
import { describe, expect, it } from 'vitest';
import { Transaction } from '@solana/web3.js';
import {
  TREE_KIND_DEVICE,
  TREE_KIND_RECORD,
  bigIntToBytesBE,
  modelPda,
  submitAttestationInstruction,
} from '@zkpin/sdk';
import { RecordTreePool } from '@zkpin/oracle/workers';
import { PipelineFixture, type TestDevice } from '@zkpin/oracle/test-support';
import {
  BLOCK_BOUND_SHARDS,
  SOLANA_LIMITS,
  attestationCost,
  networkCeiling,
  runShards,
} from '../bench/shards-scenario.ts';
import { ATTESTATION_CU_CEILINGS } from '../bench/attestation-scenario.ts';

describe('a network with 4 device trees and 4 record trees', () => {
  it('spreads devices and records over the trees; concurrent attestations lock disjoint trees', async () => {
    const K = 4;
    const run = await runShards(K, 32);
    // 33 devices (the vector's in the first tree, 32 placed by deviceTreeFor) over 4 trees.
    expect(run.devicesPerTree.size).toBe(K);
    const counts = [...run.devicesPerTree.values()];
    expect(counts.reduce((a, b) => a + b, 0)).toBe(33);
    for (const c of counts) expect(c).toBeGreaterThanOrEqual(4);
    // The two attestations held leases at the same time: two record trees, one record each.
    expect(run.recordsPerTree.size).toBe(K);
    expect([...run.recordsPerTree.values()].sort()).toEqual([0, 0, 1, 1]);
    for (const cu of run.units)
      expect(cu).toBeLessThan(ATTESTATION_CU_CEILINGS.submit_attestation_cu);
    // K attestations, one per device tree, one lease each: {device tree, record tree} each,
    // pairwise disjoint; the network account is read-only.
    expect(run.writableSets).toHaveLength(K);
    const all = run.writableSets.flat();
    for (const set of run.writableSets) expect(set).toHaveLength(2);
    expect(new Set(all).size).toBe(2 * K);
    expect(all.filter((k) => run.devicesPerTree.has(k))).toHaveLength(K);
    expect(all.filter((k) => run.recordsPerTree.has(k))).toHaveLength(K);
    expect(TREE_KIND_RECORD).toBe(1);
  });
});

describe('K attestations with real proofs over K device trees and K record trees', () => {
  it('records one reading of a device in each device tree, each into its own record tree', async () => {
    const K = 4;
    const fx = await PipelineFixture.create(undefined, { shards: K });
    try {
      // Devices until every device tree holds one (deviceTreeFor places them by key).
      const byTree = new Map<string, TestDevice>();
      for (let i = 0; i < 64 && byTree.size < K; i++) {
        const d = await fx.addDevice();
        const tree = fx.follower.device(d.hex)!.tree.toBase58();
        if (!byTree.has(tree)) byTree.set(tree, d);
      }
      expect(byTree.size).toBe(K);
      const pool = new RecordTreePool(fx.chain, fx.setup.network, { follower: fx.follower });
      const leases = await Promise.all([...byTree.keys()].map(() => pool.lease()));
      const attestation = fx.net.attestation;
      const sent: Transaction[] = [];
      let i = 0;
      for (const d of byTree.values()) {
        const a = await fx.prover.prove(fx.reading(d, 1n));
        const p = fx.follower.proof(d.hex)!;
        const f = a.fields;
        const ix = await submitAttestationInstruction(attestation, {
          submitter: fx.oracle.publicKey,
          network: fx.setup.network,
          model: modelPda(fx.setup.network, f.modelId),
          deviceTree: p.state.tree,
          recordTree: leases[i++]!.tree,
          leaf: p.state.leaf,
          leafIndex: p.state.leafIndex,
          seq: f.seq,
          root: p.root,
          proofNodes: p.nodes,
          proof: a.proofBytes,
          timestamp: f.timestamp,
          inputCommitment: bigIntToBytesBE(f.inputCommitment, 32),
          class: f.class,
          score: f.score,
        });
        sent.push(new Transaction().add(ix));
      }
      // Writable accounts apart from the payer: one device tree and one record tree each,
      // pairwise disjoint; the network read-only in every one.
      const writable = sent.map((tx) =>
        tx.instructions[0]!.keys.filter((k) => k.isWritable && !k.isSigner).map((k) =>
          k.pubkey.toBase58(),
        ),
      );
      expect(new Set(writable.flat()).size).toBe(2 * K);
      for (const tx of sent) {
        const network = tx.instructions[0]!.keys.find((k) => k.pubkey.equals(fx.setup.network))!;
        expect(network.isWritable).toBe(false);
        fx.chain.local.send(tx, [fx.oracle]);
      }
      for (const l of leases) l.release();
      const trees = [...fx.follower.trees.values()];
      expect(trees.filter((t) => t.kind === TREE_KIND_RECORD).map((t) => t.replica.size)).toEqual(
        new Array<number>(K).fill(1),
      );
      for (const d of byTree.values()) expect(fx.seqOf(d)).toBe(1n);
      expect(trees.filter((t) => t.kind === TREE_KIND_DEVICE)).toHaveLength(K);
    } finally {
      await fx.close();
    }
  }, 300_000);
});

describe('network ceiling', () => {
  it('one tree is bound by the per-account limit, five and more by the block limit', () => {
    const cu = 107_000;
    const cost = attestationCost(cu);
    expect(cost).toBe(cu + 720 + 3 * 300);
    expect(networkCeiling(cu, 1)).toEqual({
      perBlock: Math.floor(SOLANA_LIMITS.accountUnits / cost),
      perSecond: Math.round((Math.floor(12_000_000 / cost) * 1000) / 400),
      binding: 'account',
    });
    expect(BLOCK_BOUND_SHARDS).toBe(5);
    expect(networkCeiling(cu, 4).perBlock).toBe(Math.floor(48_000_000 / cost));
    expect(networkCeiling(cu, 5)).toMatchObject({ binding: 'block' });
    expect(networkCeiling(cu, 64).perBlock).toBe(networkCeiling(cu, 5).perBlock);
  });
});
