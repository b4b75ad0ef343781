/**
 * The indexer API's proof checks (what IndexerClient runs on every proof): a proof built by
 * MerkleReplica verifies, and each way of getting it wrong is named: another leaf, a wrong
 * node, a wrong index, a canopy-less path that is not the path's prefix, a short path.
 */
import { describe, expect, it } from 'vitest';
import { Keypair } from '@solana/web3.js';
import {
  MerkleReplica,
  indexerMethods,
  indexerOpenRpcDocument,
  merkleProofProblem,
  rootFromPath,
  toHex,
  type MerkleProofValue,
} from '../../src/index.ts';

function proofOf(r: MerkleReplica, index: number, canopyDepth: number): MerkleProofValue {
  const path = r.proof(index).map(toHex);
  return {
    treeId: Keypair.generate().publicKey.toBase58(),
    leafIndex: index,
    leaf: toHex(r.leaf(index)),
    root: toHex(r.root),
    rootSeq: String(r.size),
    maxDepth: r.depth,
    canopyDepth,
    proof: path,
    proofWithoutCanopy: path.slice(0, r.depth - canopyDepth),
  };
}

describe('merkleProofProblem', () => {
  const r = new MerkleReplica(8);
  for (let i = 0; i < 13; i++) r.append(new Uint8Array(32).fill(i + 1));

  it('accepts the replica proofs of every leaf', () => {
    for (let i = 0; i < 13; i++) {
      const p = proofOf(r, i, 3);
      expect(merkleProofProblem(p)).toBeUndefined();
      expect(toHex(rootFromPath(r.leaf(i), i, r.proof(i)))).toBe(toHex(r.root));
    }
  });

  it('names what is wrong', () => {
    const good = proofOf(r, 5, 3);
    const node = 'ab'.repeat(32);
    expect(merkleProofProblem({ ...good, leaf: toHex(r.leaf(6)) })).toMatch(/does not lead/);
    expect(merkleProofProblem({ ...good, leafIndex: 4 })).toMatch(/does not lead/);
    const bad = [...good.proof];
    bad[7] = node;
    expect(merkleProofProblem({ ...good, proof: bad })).toMatch(/does not lead/);
    const badCut = [...good.proofWithoutCanopy];
    badCut[0] = node;
    expect(merkleProofProblem({ ...good, proofWithoutCanopy: badCut })).toMatch(/canopy/);
    expect(merkleProofProblem({ ...good, proof: good.proof.slice(1) })).toMatch(/depth/);
  });
});

describe('indexerOpenRpcDocument', () => {
  it('lists every method with its params by name and wraps results in a context', () => {
    const doc = indexerOpenRpcDocument() as {
      methods: { name: string; params: { name: string; required: boolean }[]; result: unknown }[];
    };
    expect(doc.methods.map((m) => m.name)).toEqual(Object.keys(indexerMethods));
    const proof = doc.methods.find((m) => m.name === 'getDeviceProof')!;
    expect(proof.params).toEqual([
      expect.objectContaining({ name: 'device', required: true }),
      expect.objectContaining({ name: 'minContextSlot', required: false }),
    ]);
    expect(JSON.stringify(proof.result)).toContain('"context"');
  });

  it("documents getNetworkSnapshot's value as the follower snapshot", () => {
    const doc = indexerOpenRpcDocument() as {
      methods: { name: string; result: { schema: { properties: { value: unknown } } } }[];
    };
    const m = doc.methods.find((x) => x.name === 'getNetworkSnapshot')!;
    const value = m.result.schema.properties.value as {
      properties: Record<string, unknown>;
      required: string[];
    };
    const fields = ['version', 'network', 'registryProgramId', 'cursor', 'records'];
    fields.push('trees', 'devices', 'recorded');
    for (const f of fields) expect(value.required).toContain(f);
    expect(JSON.stringify(value.properties['cursor'])).toContain('"signature"');
  });
});
