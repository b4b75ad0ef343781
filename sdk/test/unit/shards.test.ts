/** Spreading a network over its trees: device placement and the relayer's lookup table. */
import { describe, expect, it } from 'vitest';
import { Keypair } from '@solana/web3.js';
import { deviceTreeFor, relayerLookupTableAddresses } from '@zkpin/sdk';

const trees = Array.from({ length: 4 }, () => Keypair.generate().publicKey);

describe('deviceTreeFor', () => {
  it('spreads device keys evenly and stably over the trees', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 4_000; i++) {
      const device = new Uint8Array(32);
      new DataView(device.buffer).setUint32(0, i, true);
      const t = deviceTreeFor(device, trees);
      expect(deviceTreeFor(device, trees).equals(t)).toBe(true);
      counts.set(t.toBase58(), (counts.get(t.toBase58()) ?? 0) + 1);
    }
    expect(counts.size).toBe(4);
    // 1,000 expected per tree (keccak256 of 4,000 fixed keys; ±150 is about 5 sigma).
    for (const c of counts.values()) expect(Math.abs(c - 1_000)).toBeLessThan(150);
  });

  it('skips full trees and says so when none has room', () => {
    const full = new Set([trees[0]!.toBase58(), trees[2]!.toBase58()]);
    for (let i = 0; i < 200; i++) {
      const t = deviceTreeFor(Uint8Array.of(i, ...new Uint8Array(31)), trees, (x) =>
        full.has(x.toBase58()),
      );
      expect(full.has(t.toBase58())).toBe(false);
    }
    expect(() => deviceTreeFor(new Uint8Array(32), trees, () => true)).toThrow(
      /no device tree with room among 4/,
    );
  });
});

describe('relayerLookupTableAddresses', () => {
  it('holds every device tree and record tree once, never the network', () => {
    const network = Keypair.generate().publicKey;
    const records = Array.from({ length: 4 }, () => Keypair.generate().publicKey);
    const a = relayerLookupTableAddresses({
      network,
      modelId: 1,
      deviceTree: trees[0]!,
      recordTree: records[0]!,
      deviceTrees: trees,
      recordTrees: records,
    }).map((k) => k.toBase58());
    for (const t of [...trees, ...records]) expect(a).toContain(t.toBase58());
    expect(new Set(a).size).toBe(a.length);
    expect(a).not.toContain(network.toBase58());
    expect(a).toHaveLength(8 + 4); // trees + model, attestation PDA, registry, compute budget
  });
});
