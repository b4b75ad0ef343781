/**
 * Shards: a network with K device trees and K record trees (bench/shards-scenario.ts). Devices
 * spread over the device trees, attestations in flight take different record trees, and the
 * transactions of K concurrent attestations write-lock disjoint accounts, so Solana's
 * per-account limit applies per tree, not per network.
 */
import { describe, expect, it } from 'vitest';
import { TREE_KIND_RECORD } from '@zkpin/sdk';
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
