/**
 * A sparse replica of a concurrent Merkle tree (keccak256, empty leaf = 32 zero bytes), as
 * the programs keep it: only written nodes are stored, so a depth-20 tree with a few leaves
 * costs a few kilobytes. Services keep one per tree (fed from program events) to build the
 * proofs that `transfer_device`, `revoke_device` and `submit_attestation` need.
 *
 * Trees fill from index 0 (appends), so each level keeps its leading nodes in one buffer, 32
 * bytes a node (about 64 bytes a leaf for the whole tree, doubled at most by the buffers'
 * growth), and only nodes written past them in a map: a million leaves are a few buffers,
 * not two million small objects for the garbage collector to mark on every full collection.
 * Nodes handed out are copies; a later write never changes them.
 */
import { keccak_256 } from '@noble/hashes/sha3';

export type Node = Uint8Array;

const EMPTY_CACHE: Node[] = [new Uint8Array(32)];
function emptyNode(level: number): Node {
  while (EMPTY_CACHE.length <= level) {
    const below = EMPTY_CACHE[EMPTY_CACHE.length - 1]!;
    EMPTY_CACHE.push(hashPair(below, below));
  }
  return EMPTY_CACHE[level]!;
}

export function hashPair(left: Node, right: Node): Node {
  const buf = new Uint8Array(64);
  buf.set(left, 0);
  buf.set(right, 32);
  return keccak_256(buf);
}

/** One level's nodes: indices 0 to `count - 1` in `buf`, any further ones in `beyond`. */
class Level {
  private buf = new Uint8Array(0);
  private count = 0;
  private readonly beyond = new Map<number, Node>();

  constructor(private readonly empty: Node) {}

  /** The node at `i`, possibly a view into the buffer: read it before the next write. */
  view(i: number): Node {
    if (i < this.count) return this.buf.subarray(i * 32, i * 32 + 32);
    return this.beyond.get(i) ?? this.empty;
  }

  set(i: number, node: Node): void {
    if (i < this.count) this.buf.set(node, i * 32);
    else if (i > this.count) this.beyond.set(i, Uint8Array.from(node));
    else {
      this.push(node);
      for (let next = this.beyond.get(this.count); next; next = this.beyond.get(this.count)) {
        this.beyond.delete(this.count);
        this.push(next);
      }
    }
  }

  private push(node: Node): void {
    if ((this.count + 1) * 32 > this.buf.length) {
      const grown = new Uint8Array(Math.max(1024, this.buf.length * 2));
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf.set(node, this.count * 32);
    this.count += 1;
  }
}

export class MerkleReplica {
  /** levels[level]: the nodes at that level; level 0 holds the leaves. */
  private readonly levels: Level[];
  /** Number of leaves appended (the next append index). */
  size = 0;

  constructor(readonly depth: number) {
    if (depth < 1 || depth > 30) throw new RangeError('depth must be 1..30');
    this.levels = Array.from({ length: depth + 1 }, (_, level) => new Level(emptyNode(level)));
  }

  /**
   * A replica holding `leaves` at indices 0.. (an all-zero leaf is an empty one), built level
   * by level: about two hashes per leaf, where setting them one by one costs `depth` each.
   */
  static fromLeaves(depth: number, leaves: readonly Node[]): MerkleReplica {
    const r = new MerkleReplica(depth);
    if (leaves.length > 2 ** depth)
      throw new RangeError(`${leaves.length} leaves do not fit a tree of depth ${depth}`);
    leaves.forEach((leaf, i) => {
      if (leaf.length !== 32) throw new RangeError(`leaf ${i} is ${leaf.length} bytes, not 32`);
      r.levels[0]!.set(i, leaf);
    });
    let count = leaves.length;
    for (let level = 0; level < depth; level++) {
      count = Math.ceil(count / 2);
      for (let p = 0; p < count; p++)
        r.levels[level + 1]!.set(p, hashPair(r.view(level, 2 * p), r.view(level, 2 * p + 1)));
    }
    r.size = leaves.length;
    return r;
  }

  private view(level: number, index: number): Node {
    return this.levels[level]!.view(index);
  }

  private get(level: number, index: number): Node {
    return Uint8Array.from(this.view(level, index));
  }

  get root(): Node {
    return this.get(this.depth, 0);
  }

  leaf(index: number): Node {
    return this.get(0, index);
  }

  /** Leaves 0 to `size - 1` (empty ones as 32 zero bytes). */
  leaves(): Node[] {
    return Array.from({ length: this.size }, (_, i) => this.leaf(i));
  }

  /** Sets leaf `index` and updates its path. */
  set(index: number, leaf: Node): void {
    if (index < 0 || index >= 2 ** this.depth)
      throw new RangeError(`leaf index ${index} out of range`);
    this.levels[0]!.set(index, leaf);
    let node = leaf;
    let i = index;
    for (let level = 0; level < this.depth; level++) {
      const sibling = this.view(level, i ^ 1);
      node = i % 2 === 0 ? hashPair(node, sibling) : hashPair(sibling, node);
      i = Math.floor(i / 2);
      this.levels[level + 1]!.set(i, node);
    }
    if (index >= this.size) this.size = index + 1;
  }

  /**
   * Sets several leaves (a later entry for the same index wins) and updates their paths level
   * by level: each node above them is hashed once, where `set` one by one hashes `depth`
   * nodes per leaf (256 appends to a depth-24 tree: about 530 hashes instead of 6,144).
   */
  setMany(entries: Iterable<readonly [number, Node]>): void {
    let touched = new Set<number>();
    for (const [index, leaf] of entries) {
      if (index < 0 || index >= 2 ** this.depth)
        throw new RangeError(`leaf index ${index} out of range`);
      this.levels[0]!.set(index, leaf);
      touched.add(index);
      if (index >= this.size) this.size = index + 1;
    }
    for (let level = 0; level < this.depth; level++) {
      const parents = new Set<number>();
      for (const i of touched) parents.add(Math.floor(i / 2));
      for (const p of parents)
        this.levels[level + 1]!.set(
          p,
          hashPair(this.view(level, 2 * p), this.view(level, 2 * p + 1)),
        );
      touched = parents;
    }
  }

  append(leaf: Node): number {
    const index = this.size;
    this.set(index, leaf);
    return index;
  }

  /** Sibling nodes from the leaf upwards (length = depth). */
  proof(index: number): Node[] {
    const out: Node[] = [];
    let i = index;
    for (let level = 0; level < this.depth; level++) {
      out.push(this.get(level, i ^ 1));
      i = Math.floor(i / 2);
    }
    return out;
  }

  /** The proof without the top `canopyDepth` nodes, which the tree account's canopy holds. */
  proofWithoutCanopy(index: number, canopyDepth: number): Node[] {
    return this.proof(index).slice(0, this.depth - canopyDepth);
  }
}
