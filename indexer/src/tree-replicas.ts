/**
 * In-memory replicas of the network's trees (sparse `MerkleReplica`s), rebuilt at start from
 * `tree_leaves` and kept in step by ingest: proofs are answered from them, each one
 * synchronously (leaf, path, root and sequence number of one instant), so a proof is never
 * assembled from two states of a tree.
 */
import { MerkleReplica, toHex, type MerkleProofValue } from '@zkpin/sdk';
import type { IndexerStore, TreeRow } from './store.ts';

export interface TreeState {
  address: string;
  kind: number;
  number: number;
  maxDepth: number;
  maxBufferSize: number;
  canopyDepth: number;
  /** The sequence number of the last change applied (0 right after init_tree). */
  seq: bigint;
  replica: MerkleReplica;
  /** Why the replica is not served (a root that differs from the chain's), if it is not. */
  outOfSync?: string;
}

export class TreeReplicas {
  readonly trees = new Map<string, TreeState>();

  /** The replicas of `network`'s trees as the store holds them. */
  static async load(store: IndexerStore, network: string): Promise<TreeReplicas> {
    const r = new TreeReplicas();
    for (const row of await store.trees(network)) {
      const leaves = await store.treeLeaves(row.address);
      const dense: Uint8Array[] = [];
      for (const l of leaves) {
        while (dense.length < l.leafIndex) dense.push(new Uint8Array(32));
        dense[l.leafIndex] = l.leaf;
      }
      r.trees.set(row.address, {
        ...treeState(row),
        replica: MerkleReplica.fromLeaves(row.maxDepth, dense),
      });
    }
    return r;
  }

  get(tree: string): TreeState | undefined {
    return this.trees.get(tree);
  }

  /** The proof of leaf `leafIndex` of `tree` as the replica holds it now. */
  proof(tree: string, leafIndex: number): MerkleProofValue | undefined {
    const t = this.trees.get(tree);
    if (!t) return undefined;
    const path = t.replica.proof(leafIndex).map(toHex);
    return {
      treeId: tree,
      leafIndex,
      leaf: toHex(t.replica.leaf(leafIndex)),
      root: toHex(t.replica.root),
      rootSeq: t.seq.toString(),
      maxDepth: t.maxDepth,
      canopyDepth: t.canopyDepth,
      proof: path,
      proofWithoutCanopy: path.slice(0, t.maxDepth - t.canopyDepth),
    };
  }
}

function treeState(row: TreeRow): Omit<TreeState, 'replica'> {
  return {
    address: row.address,
    kind: row.kind,
    number: row.number,
    maxDepth: row.maxDepth,
    maxBufferSize: row.maxBufferSize,
    canopyDepth: row.canopyDepth,
    seq: row.seq,
  };
}
