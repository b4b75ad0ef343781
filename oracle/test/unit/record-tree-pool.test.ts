import { describe, expect, it } from 'vitest';
import { Keypair } from '@solana/web3.js';
import type { Chain } from '@zkpin/sdk';
import { RecordTreePool } from '../../src/workers/relay/record-tree.ts';

const trees = Array.from({ length: 3 }, () => Keypair.generate().publicKey);
const network = Keypair.generate().publicKey;
/** The pool reads the chain only when neither trees nor a follower name any tree. */
const noChain = {} as Chain;

describe('RecordTreePool', () => {
  it('gives concurrent jobs different trees while it can, then the least loaded', async () => {
    const pool = new RecordTreePool(noChain, network, { trees });
    const held = await Promise.all([pool.lease(), pool.lease(), pool.lease()]);
    expect(new Set(held.map((l) => l.tree.toBase58())).size).toBe(3);
    const fourth = await pool.lease();
    expect([...pool.load.values()].sort()).toEqual([1, 1, 2]);
    held[1].release();
    held[1].release(); // idempotent
    const fifth = await pool.lease();
    expect(fifth.tree.equals(held[1].tree)).toBe(true);
    for (const l of [held[0], held[2], fourth, fifth]) l.release();
    expect([...pool.load.values()]).toEqual([0, 0, 0]);
  });

  it('spreads sequential jobs round-robin', async () => {
    const pool = new RecordTreePool(noChain, network, { trees });
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const l = await pool.lease();
      seen.push(l.tree.toBase58());
      l.release();
    }
    expect(seen.slice(0, 3).sort()).toEqual(trees.map((t) => t.toBase58()).sort());
    expect(seen.slice(3)).toEqual(seen.slice(0, 3));
  });

  it('relayers with different keys start on different trees', async () => {
    const first = new Set<string>();
    for (let i = 0; i < 24; i++) {
      const startKey = Keypair.generate().publicKey;
      const pool = new RecordTreePool(noChain, network, { trees, startKey });
      const l = await pool.lease();
      first.add(l.tree.toBase58());
      // The same key starts on the same tree.
      const again = await new RecordTreePool(noChain, network, { trees, startKey }).lease();
      expect(again.tree.equals(l.tree)).toBe(true);
    }
    expect(first.size).toBeGreaterThan(1);
  });

  it('sets a full tree aside', async () => {
    const pool = new RecordTreePool(noChain, network, { trees });
    const l = await pool.lease();
    l.release();
    await pool.retire(l.tree);
    expect(pool.trees.map((t) => t.toBase58())).not.toContain(l.tree.toBase58());
    for (let i = 0; i < 4; i++) {
      const x = await pool.lease();
      expect(x.tree.equals(l.tree)).toBe(false);
      x.release();
    }
  });
});
