/**
 * MerkleReplica.fromLeaves (what a follower's snapshot is restored with) and setMany build the
 * same tree as setting the leaves one by one, sparse or dense, with empty leaves among them.
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { describe, expect, it } from 'vitest';
import { MerkleReplica } from '../../src/merkle-replica.ts';

const leaf = (i: number) => keccak_256(new Uint8Array([i & 0xff, i >> 8, 7]));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function oneByOne(depth: number, leaves: Uint8Array[]): MerkleReplica {
  const r = new MerkleReplica(depth);
  leaves.forEach((l, i) => r.set(i, l));
  return r;
}

describe('MerkleReplica.fromLeaves', () => {
  it('equals the replica built leaf by leaf: root, size, leaves and every proof', () => {
    for (const [depth, count] of [
      [1, 1],
      [3, 5],
      [5, 32],
      [10, 300],
      [20, 77],
    ] as const) {
      const leaves = Array.from({ length: count }, (_, i) => leaf(i));
      if (count > 3) leaves[2] = new Uint8Array(32); // an empty leaf among them
      const bulk = MerkleReplica.fromLeaves(depth, leaves);
      const slow = oneByOne(depth, leaves);
      expect(hex(bulk.root)).toBe(hex(slow.root));
      expect(bulk.size).toBe(count);
      expect(bulk.leaves().map(hex)).toEqual(slow.leaves().map(hex));
      for (let i = 0; i < count; i += Math.max(1, Math.floor(count / 7)))
        expect(bulk.proof(i).map(hex)).toEqual(slow.proof(i).map(hex));
      // The restored replica goes on like the other one.
      if (count < 2 ** depth) {
        bulk.append(leaf(1000));
        slow.append(leaf(1000));
        expect(hex(bulk.root)).toBe(hex(slow.root));
      }
    }
  });

  it('no leaves is the empty tree; too many or a short leaf is refused', () => {
    expect(hex(MerkleReplica.fromLeaves(4, []).root)).toBe(hex(new MerkleReplica(4).root));
    expect(() =>
      MerkleReplica.fromLeaves(2, [leaf(0), leaf(1), leaf(2), leaf(3), leaf(4)]),
    ).toThrow(/do not fit/);
    expect(() => MerkleReplica.fromLeaves(2, [new Uint8Array(31)])).toThrow(/31 bytes/);
  });
});

describe('MerkleReplica.setMany', () => {
  it('equals setting the entries one by one: appends and replaces, the same index twice', () => {
    const slow = new MerkleReplica(10);
    const bulk = new MerkleReplica(10);
    let n = 0;
    for (const size of [1, 5, 64, 3, 200]) {
      const entries: [number, Uint8Array][] = [];
      for (let i = 0; i < size; i++) entries.push([(n + i) % 300, leaf(n + i)]);
      entries.push([entries[0]![0], leaf(9999 + n)]); // the same index again: the later wins
      entries.push([(n * 7) % 50, leaf(5000 + n)]); // a replace among earlier leaves
      n += size;
      for (const [i, l] of entries) slow.set(i, l);
      bulk.setMany(entries);
      expect(hex(bulk.root)).toBe(hex(slow.root));
      expect(bulk.size).toBe(slow.size);
      for (const [i] of entries) expect(bulk.proof(i).map(hex)).toEqual(slow.proof(i).map(hex));
    }
    expect(() => bulk.setMany([[1024, leaf(1)]])).toThrow(RangeError);
  });
});

describe('MerkleReplica storage', () => {
  it('leaves written out of order (past the filled prefix) give the same tree', () => {
    const leaves = Array.from({ length: 150 }, (_, i) => leaf(i));
    const reversed = new MerkleReplica(12);
    for (let i = leaves.length - 1; i >= 0; i--) reversed.set(i, leaves[i]!);
    const scattered = new MerkleReplica(12);
    for (let i = 0; i < leaves.length; i += 2) scattered.set(i, leaves[i]!);
    for (let i = 1; i < leaves.length; i += 2) scattered.set(i, leaves[i]!);
    const bulk = MerkleReplica.fromLeaves(12, leaves);
    for (const r of [reversed, scattered]) {
      expect(hex(r.root)).toBe(hex(bulk.root));
      expect(r.size).toBe(150);
      for (const i of [0, 1, 77, 149]) expect(r.proof(i).map(hex)).toEqual(bulk.proof(i).map(hex));
    }
  });

  it('hands out copies: a later write or a change to them does not reach the replica', () => {
    const r = MerkleReplica.fromLeaves(8, [leaf(1), leaf(2)]);
    const root = r.root;
    const first = r.leaf(0);
    const path = r.proof(0);
    const snapshot = [hex(root), hex(first), ...path.map(hex)];
    r.set(0, leaf(3));
    expect([hex(root), hex(first), ...path.map(hex)]).toEqual(snapshot);
    r.leaf(1).fill(0);
    r.root.fill(0);
    expect(hex(r.leaf(1))).toBe(hex(leaf(2)));
    expect(hex(r.root)).toBe(hex(oneByOne(8, [leaf(3), leaf(2)]).root));
  });
});
