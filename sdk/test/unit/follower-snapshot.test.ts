/**
 * The follower snapshot codec (sdk/src/follower-snapshot.ts): a replica survives the trip
 * through JSON (device and record trees, a device key with two leaves, recorded seqs, the
 * cursor), and a snapshot that is not what it claims is refused with the reason, never thrown.
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { Keypair, PublicKey } from '@solana/web3.js';
import BN from 'bn.js';
import bs58 from 'bs58';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/field.ts';
import {
  FOLLOWER_SNAPSHOT_VERSION,
  decodeFollowerSnapshot,
  encodeFollowerSnapshot,
  type FollowerSnapshot,
  type ReplicaParts,
} from '../../src/follower-snapshot.ts';
import { MerkleReplica } from '../../src/merkle-replica.ts';
import type { DeviceState, TreeState } from '../../src/network-follower.ts';
import { DEVICE_REGISTRY_PROGRAM_ID } from '../../src/program-ids.ts';
import {
  DEVICE_STATUS_ACTIVE,
  DEVICE_STATUS_REVOKED,
  TREE_KIND_DEVICE,
  TREE_KIND_RECORD,
  deviceLeafHash,
  type DeviceLeaf,
} from '../../src/registry-client.ts';

const network = Keypair.generate().publicKey;
const id = { network, registryProgramId: DEVICE_REGISTRY_PROGRAM_ID, recordedSeqsPerDevice: 64 };
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function deviceLeaf(device: PublicKey, seq: number, status = DEVICE_STATUS_ACTIVE): DeviceLeaf {
  const bjj = Array.from(keccak_256(device.toBytes()));
  bjj[0] = 0;
  return {
    device,
    owner: Keypair.generate().publicKey,
    maker: Keypair.generate().publicKey,
    bjjKeyHash: bjj,
    modelId: 3,
    seq: new BN(seq),
    status,
  };
}

/**
 * A device tree with 4 leaves (device A twice: leaf 0, then leaf 3, the latest; device B
 * revoked) after 5 changes, a record tree with 5 records, recorded seqs of device A.
 */
function parts(): ReplicaParts {
  const a = Keypair.generate().publicKey;
  const b = Keypair.generate().publicKey;
  const c = Keypair.generate().publicKey;
  const leaves = [deviceLeaf(a, 0), deviceLeaf(b, 7, DEVICE_STATUS_REVOKED), deviceLeaf(c, 2)];
  leaves.push(deviceLeaf(a, 9));
  const devTree = Keypair.generate().publicKey;
  const recTree = Keypair.generate().publicKey;
  const devReplica = new MerkleReplica(10);
  leaves.forEach((l, i) => devReplica.set(i, deviceLeafHash(network, l)));
  const recReplica = new MerkleReplica(12);
  for (let i = 0; i < 5; i++) recReplica.append(keccak_256(new Uint8Array([i, 1])));
  const trees = new Map<string, TreeState>([
    [
      devTree.toBase58(),
      { address: devTree, kind: TREE_KIND_DEVICE, canopyDepth: 4, replica: devReplica, seq: 5n },
    ],
    [
      recTree.toBase58(),
      { address: recTree, kind: TREE_KIND_RECORD, canopyDepth: 0, replica: recReplica, seq: 5n },
    ],
  ]);
  const devices = new Map<string, DeviceState>();
  for (const i of [0, 1, 2, 3]) {
    const leaf = leaves[i]!;
    devices.set(toHex(leaf.device.toBytes()), { tree: devTree, leafIndex: i, leaf });
  }
  return {
    devices,
    trees,
    recorded: new Map([[toHex(a.toBytes()), [1n, 4n, 9n]]]),
    records: 5,
    cursor: { signature: bs58.encode(keccak_256(new Uint8Array([9])).slice(0, 32)), slot: 123 },
  };
}

/** The snapshot as it comes back from a store: parsed JSON. */
function stored(p: ReplicaParts): FollowerSnapshot {
  return JSON.parse(JSON.stringify(encodeFollowerSnapshot(id, p))) as FollowerSnapshot;
}

describe('follower snapshot', () => {
  it('round-trips a replica through JSON', () => {
    const p = parts();
    const snap = stored(p);
    expect(snap.version).toBe(FOLLOWER_SNAPSHOT_VERSION);
    expect(snap.network).toBe(network.toBase58());
    expect(snap.devices).toHaveLength(3); // device A once: its latest leaf
    const d = decodeFollowerSnapshot(snap, id);
    if (!d.ok) throw new Error(d.reason);
    const q = d.parts;
    expect(q.cursor).toEqual(p.cursor);
    expect(q.records).toBe(5);
    expect([...q.recorded]).toEqual([...p.recorded]);
    expect([...q.trees.keys()]).toEqual([...p.trees.keys()]);
    for (const [k, t] of p.trees) {
      const u = q.trees.get(k)!;
      expect(hex(u.replica.root)).toBe(hex(t.replica.root));
      expect(u.replica.size).toBe(t.replica.size);
      expect([u.kind, u.canopyDepth, u.seq, u.replica.depth]).toEqual([
        t.kind,
        t.canopyDepth,
        t.seq,
        t.replica.depth,
      ]);
    }
    expect([...q.devices.keys()]).toEqual([...p.devices.keys()]);
    for (const [k, s] of p.devices) {
      const u = q.devices.get(k)!;
      expect(u.tree.equals(s.tree)).toBe(true);
      expect(u.leafIndex).toBe(s.leafIndex);
      expect(hex(deviceLeafHash(network, u.leaf))).toBe(hex(deviceLeafHash(network, s.leaf)));
      expect(u.leaf.seq.toString()).toBe(s.leaf.seq.toString());
      expect(u.leaf.owner.equals(s.leaf.owner)).toBe(true);
      expect(u.leaf.bjjKeyHash).toEqual(s.leaf.bjjKeyHash);
    }
    // Encoding the decoded replica gives the same snapshot (but the time).
    const again = encodeFollowerSnapshot(id, q)!;
    expect({ ...again, savedAt: '' }).toEqual({ ...snap, savedAt: '' });
  });

  it('has nothing to save before a transaction was applied', () => {
    expect(encodeFollowerSnapshot(id, { ...parts(), cursor: undefined })).toBeUndefined();
  });

  it('refuses a snapshot that is not what it claims, with the reason', () => {
    const cases: [string, (s: FollowerSnapshot) => unknown, RegExp][] = [
      ['nothing', () => null, /version undefined/],
      ['not an object', () => 'zkpin', /version undefined/],
      [
        'a later version',
        (s) => ({ ...s, version: 2 }),
        /version 2, this follower reads version 1/,
      ],
      [
        'another network',
        (s) => ({ ...s, network: Keypair.generate().publicKey.toBase58() }),
        /it is of network/,
      ],
      [
        'another program',
        (s) => ({ ...s, registryProgramId: Keypair.generate().publicKey.toBase58() }),
        /it is of device_registry/,
      ],
      ['no cursor', (s) => ({ ...s, cursor: undefined }), /^cursor/],
      ['a negative slot', (s) => ({ ...s, cursor: { ...s.cursor, slot: -1 } }), /cursor\.slot/],
      ['a bad address', (s) => tree(s, 0, { address: 'O0Il' }), /trees\.0\.address/],
      ['a canopy deeper than its tree', (s) => tree(s, 0, { canopyDepth: 11 }), /canopy deeper/],
      [
        'leaves cut short',
        (s) => tree(s, 0, { leaves: s.trees[0]!.leaves.slice(0, 40) }),
        /32-byte/,
      ],
      ['an unknown tree kind', (s) => tree(s, 1, { kind: 7 }), /trees\.1\.kind/],
      ['more leaves than changes', (s) => tree(s, 0, { seq: '3' }), /4 leaves after 3 changes/],
      ['records lost', (s) => tree(s, 1, { seq: '6' }), /5 records after 6 changes/],
      ['a wrong record count', (s) => ({ ...s, records: 7 }), /7 records, but/],
      ['a tree listed twice', (s) => ({ ...s, trees: [s.trees[0], s.trees[0]] }), /listed twice/],
      ['a device in the record tree', (s) => device(s, 0, 1), /not a device tree/],
      ['a device past the leaves', (s) => device(s, 1, 9), /past its tree's leaves/],
      ['a device on the wrong leaf', (s) => device(s, 1, 2), /does not hash to leaf 2/],
      ['a changed device leaf', (s) => device(s, 2, flipped(s.devices[0]![2])), /does not hash/],
      ['a short device leaf', (s) => device(s, 2, 'AAAA'), /3 bytes, not 141/],
      [
        'a device listed twice',
        (s) => ({ ...s, devices: [s.devices[0], s.devices[0]] }),
        /listed twice/,
      ],
      [
        'recorded seqs out of order',
        (s) => ({ ...s, recorded: [[s.recorded[0]![0], ['4', '1']]] }),
        /not ascending/,
      ],
      ['a bad device hex', (s) => ({ ...s, recorded: [['zz', ['1']]] }), /recorded\.0\.0/],
      [
        'a seq that is not a u64',
        (s) => ({ ...s, recorded: [[s.recorded[0]![0], ['-1']]] }),
        /u64/,
      ],
    ];
    for (const [what, edit, reason] of cases) {
      const d = decodeFollowerSnapshot(edit(stored(parts())), id);
      expect(d.ok, what).toBe(false);
      if (!d.ok) expect(d.reason, what).toMatch(reason);
    }
  });
});

function tree(s: FollowerSnapshot, i: number, edit: Record<string, unknown>): FollowerSnapshot {
  return { ...s, trees: s.trees.map((t, j) => (j === i ? { ...t, ...edit } : t)) };
}

/** Device entry 0 with field `field` replaced. */
function device(s: FollowerSnapshot, field: 0 | 1 | 2, value: number | string): FollowerSnapshot {
  const first = [...s.devices[0]!] as [number, number, string];
  first[field] = value as never;
  return { ...s, devices: [first, ...s.devices.slice(1)] };
}

/** A base64 leaf with one bit of its owner flipped. */
function flipped(leaf64: string): string {
  const b = Buffer.from(leaf64, 'base64');
  b[40]! ^= 1;
  return b.toString('base64');
}
