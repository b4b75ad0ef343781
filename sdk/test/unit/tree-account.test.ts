/**
 * tree-account.ts reads tree accounts without @solana/spl-account-compression (which is not
 * browser-safe); here it is held to that library's sizes and parser.
 */
import {
  ConcurrentMerkleTreeAccount,
  getConcurrentMerkleTreeAccountSize,
} from '@solana/spl-account-compression';
import { describe, expect, it } from 'vitest';
import {
  treeAccountRoot,
  treeAccountRootAt,
  treeAccountSequenceNumber,
  treeAccountSize,
} from '../../src/tree-account.ts';

/** (max_depth, max_buffer_size) pairs SPL accepts (crates/concurrent-merkle-tree). */
const SIZES: [number, number][] = [
  [3, 8],
  [5, 8],
  [14, 64],
  [14, 2048],
  [20, 64],
  [20, 1024],
  [24, 64],
  [26, 512],
  [30, 2048],
];

/** A tree account of `shape` whose changelog roots are all distinct, active entry `active`. */
function syntheticTree(
  maxDepth: number,
  maxBufferSize: number,
  canopyDepth: number,
  active: number,
) {
  const data = new Uint8Array(treeAccountSize({ maxDepth, maxBufferSize, canopyDepth }));
  const view = new DataView(data.buffer);
  data[0] = 1; // account_type: concurrent Merkle tree
  data[1] = 0; // header V1
  view.setUint32(2, maxBufferSize, true);
  view.setUint32(6, maxDepth, true);
  view.setBigUint64(56, 9n, true); // sequence number
  view.setBigUint64(64, BigInt(active), true);
  view.setBigUint64(72, BigInt(maxBufferSize), true);
  const entry = 32 * (maxDepth + 1) + 8;
  for (let i = 0; i < maxBufferSize; i++) {
    const root = data.subarray(80 + i * entry, 80 + i * entry + 32);
    root.fill(i % 251);
    new DataView(data.buffer).setUint32(80 + i * entry, i, true);
  }
  return data;
}

describe('tree accounts', () => {
  it('treeAccountSize equals SPL getConcurrentMerkleTreeAccountSize', () => {
    for (const [depth, buffer] of SIZES) {
      for (const canopy of [0, 1, 5, Math.min(10, depth)]) {
        expect(
          treeAccountSize({ maxDepth: depth, maxBufferSize: buffer, canopyDepth: canopy }),
        ).toBe(getConcurrentMerkleTreeAccountSize(depth, buffer, canopy));
      }
    }
  });

  it('treeAccountRoot is the current root SPL parses', () => {
    for (const [depth, buffer, canopy, active] of [
      [3, 8, 0, 0],
      [5, 8, 2, 7],
      [20, 64, 10, 33],
    ] as const) {
      const data = syntheticTree(depth, buffer, canopy, active);
      const spl = ConcurrentMerkleTreeAccount.fromBuffer(Buffer.from(data)).getCurrentRoot();
      expect(Array.from(treeAccountRoot(data))).toEqual(Array.from(spl));
      expect(treeAccountRoot(data)[4]).toBe(active % 251);
    }
  });

  it('treeAccountSequenceNumber is the sequence number SPL parses', () => {
    const data = syntheticTree(20, 64, 10, 33);
    const spl = ConcurrentMerkleTreeAccount.fromBuffer(Buffer.from(data));
    expect(treeAccountSequenceNumber(data)).toBe(9n);
    expect(treeAccountSequenceNumber(data)).toBe(BigInt(spl.getCurrentSeq().toString()));
  });

  it('treeAccountRootAt walks the changelog back from the active entry, as far as it is filled', () => {
    // Full buffer (8 entries), active entry 2, sequence number 9: change 9 - k is entry 2 - k.
    const data = syntheticTree(3, 8, 0, 2);
    const entryOf = (root: Uint8Array | undefined) =>
      root && new DataView(root.buffer, root.byteOffset).getUint32(0, true);
    expect(entryOf(treeAccountRootAt(data, 9n))).toBe(2);
    expect(Array.from(treeAccountRootAt(data, 9n)!)).toEqual(Array.from(treeAccountRoot(data)));
    expect(entryOf(treeAccountRootAt(data, 8n))).toBe(1);
    expect(entryOf(treeAccountRootAt(data, 7n))).toBe(0);
    expect(entryOf(treeAccountRootAt(data, 6n))).toBe(7); // wrapped
    expect(entryOf(treeAccountRootAt(data, 2n))).toBe(3); // the oldest kept
    expect(treeAccountRootAt(data, 1n)).toBeUndefined(); // overwritten
    expect(treeAccountRootAt(data, 10n)).toBeUndefined(); // not yet
    // A young tree: only `buffer_size` entries hold roots.
    new DataView(data.buffer).setBigUint64(72, 3n, true);
    expect(entryOf(treeAccountRootAt(data, 7n))).toBe(0);
    expect(treeAccountRootAt(data, 6n)).toBeUndefined();
  });

  it('refuses data that is not a tree account', () => {
    expect(() => treeAccountRoot(new Uint8Array(40))).toThrow(/not an initialized/);
    const data = syntheticTree(3, 8, 0, 0);
    data[0] = 0;
    expect(() => treeAccountRoot(data)).toThrow(/not an initialized/);
  });
});
