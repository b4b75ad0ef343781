/**
 * A `NetworkFollower`'s snapshot: what it saves so that a restart reads only the transactions
 * after its cursor instead of the network's whole history. JSON, kept by a `FollowerStore`
 * (`FileFollowerStore` in `@zkpin/sdk/node` keeps it in a file; `MemoryFollowerStore` here).
 *
 * ```text
 * version            FOLLOWER_SNAPSHOT_VERSION; another version is not read (full rebuild)
 * network            the Network account (base58)
 * registryProgramId  device_registry's program id (base58)
 * cursor             the newest transaction applied: { signature, slot }
 * savedAt            ISO time (for operators)
 * records            record appends applied (RecordAttested, or legacy RecordAppended, events:
 *                    = the record trees' changes)
 * trees[]            { address, kind, maxDepth, canopyDepth, seq (decimal), leaves }
 *                    leaves: base64 of leaf hashes 0..n-1, 32 bytes each
 * devices[]          [tree (position in trees), leafIndex, base64 borsh DeviceLeaf (141 bytes)]
 * recorded[]         [device hex, recorded seqs (decimal, ascending, the most recent ones)]
 * ```
 *
 * Nothing in it is trusted as read: `decodeFollowerSnapshot` checks its shape and that every
 * device leaf hashes to its tree's leaf, and the follower then checks every tree's root and
 * sequence number against the on-chain tree account before it serves the replica.
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { PublicKey } from '@solana/web3.js';
import { Buffer } from 'buffer';
import { z } from 'zod';
import { toHex } from './field.ts';
import { MerkleReplica } from './merkle-replica.ts';
import type { DeviceState, TreeState } from './network-follower.ts';
import {
  DEVICE_REGISTRY_TYPES,
  TREE_KIND_DEVICE,
  TREE_KIND_RECORD,
  deviceLeafBytes,
  type DeviceLeaf,
} from './registry-client.ts';
import { DEVICE_LEAF_V0_SIZE } from '../../idls/constants.ts';

export const FOLLOWER_SNAPSHOT_VERSION = 1;

/** The newest transaction a follower applied: where its next backfill starts. */
export interface FollowerCursor {
  signature: string;
  slot: number;
}

export interface FollowerSnapshotTree {
  address: string;
  kind: number;
  maxDepth: number;
  canopyDepth: number;
  /** The tree's sequence number after the last applied change, decimal. */
  seq: string;
  /** Base64 of leaves 0..n-1, 32 bytes each (empty ones as zeros). */
  leaves: string;
}

/** A follower's replica and cursor as JSON (see the file comment). */
export interface FollowerSnapshot {
  version: number;
  network: string;
  registryProgramId: string;
  cursor: FollowerCursor;
  savedAt: string;
  records: number;
  trees: FollowerSnapshotTree[];
  /** `[position in trees, leaf index, base64 borsh DeviceLeaf]`, one per device key. */
  devices: [number, number, string][];
  /** `[device hex, recorded seqs]`. */
  recorded: [string, string[]][];
}

/**
 * Where a follower keeps its snapshot between runs. `load` answers what was saved last as
 * parsed JSON, untrusted (undefined when nothing was saved) and throws when it cannot be read;
 * `save` replaces it so that a crash leaves either the old or the new one, never a mix.
 */
export interface FollowerStore {
  load(): Promise<unknown>;
  save(snapshot: FollowerSnapshot): Promise<void>;
}

/** A store in memory (one process: tests, a browser tab); JSON on the way, like a file. */
export class MemoryFollowerStore implements FollowerStore {
  private json: string | undefined;
  saves = 0;

  load(): Promise<unknown> {
    return Promise.resolve(this.json === undefined ? undefined : JSON.parse(this.json));
  }

  save(snapshot: FollowerSnapshot): Promise<void> {
    this.json = JSON.stringify(snapshot);
    this.saves += 1;
    return Promise.resolve();
  }
}

/** What a follower's replica holds (network-follower.ts). */
export interface ReplicaParts {
  devices: Map<string, DeviceState>;
  trees: Map<string, TreeState>;
  recorded: Map<string, bigint[]>;
  records: number;
  cursor: FollowerCursor | undefined;
}

export interface SnapshotIdentity {
  network: PublicKey;
  registryProgramId: PublicKey;
}

const DEVICE_LEAF_BORSH_BYTES = DEVICE_LEAF_V0_SIZE - 32;

/** Base64 borsh bytes of a leaf, per leaf object (leaves are replaced, never mutated). */
const encodedLeaves = new WeakMap<DeviceLeaf, string>();

function encodeLeaf(network: PublicKey, leaf: DeviceLeaf): string {
  let s = encodedLeaves.get(leaf);
  if (s === undefined) {
    s = snapshotDeviceLeaf(network, leaf);
    encodedLeaves.set(leaf, s);
  }
  return s;
}

/** A device leaf as a snapshot's `devices` entry holds it: base64 of its borsh bytes. */
export function snapshotDeviceLeaf(network: PublicKey, leaf: DeviceLeaf): string {
  return Buffer.from(deviceLeafBytes(network, leaf).subarray(32)).toString('base64');
}

/** The snapshot of a replica; undefined while it has no cursor (nothing applied yet). */
export function encodeFollowerSnapshot(
  id: SnapshotIdentity,
  parts: ReplicaParts,
): FollowerSnapshot | undefined {
  if (!parts.cursor) return undefined;
  const position = new Map<string, number>();
  const trees: FollowerSnapshotTree[] = [];
  for (const [key, t] of parts.trees) {
    position.set(key, trees.length);
    const leaves = t.replica.leaves();
    const bytes = new Uint8Array(leaves.length * 32);
    leaves.forEach((l, i) => bytes.set(l, i * 32));
    trees.push({
      address: key,
      kind: t.kind,
      maxDepth: t.replica.depth,
      canopyDepth: t.canopyDepth,
      seq: t.seq.toString(),
      leaves: Buffer.from(bytes).toString('base64'),
    });
  }
  const devices: [number, number, string][] = [];
  for (const d of parts.devices.values()) {
    const at = position.get(d.tree.toBase58());
    if (at === undefined) continue; // cannot happen: a device is set by its tree's event
    devices.push([at, d.leafIndex, encodeLeaf(id.network, d.leaf)]);
  }
  return {
    version: FOLLOWER_SNAPSHOT_VERSION,
    network: id.network.toBase58(),
    registryProgramId: id.registryProgramId.toBase58(),
    cursor: { ...parts.cursor },
    savedAt: new Date().toISOString(),
    records: parts.records,
    trees,
    devices,
    recorded: [...parts.recorded].map(([hex, seqs]) => [hex, seqs.map(String)]),
  };
}

const base58 = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,88}$/, 'not base58');
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');
const decimal = z.string().regex(/^(0|[1-9]\d{0,19})$/, 'not a decimal u64');
const index = z.number().int().min(0);

/**
 * The snapshot's shape (what `decodeFollowerSnapshot` checks first; the indexer's
 * `getNetworkSnapshot` answers it, indexer-api.ts).
 */
export const followerSnapshotSchema = z.object({
  version: z.literal(FOLLOWER_SNAPSHOT_VERSION),
  network: base58,
  registryProgramId: base58,
  cursor: z.object({ signature: base58, slot: index }),
  savedAt: z.string(),
  records: index,
  trees: z.array(
    z.object({
      address: base58,
      kind: z.union([z.literal(TREE_KIND_DEVICE), z.literal(TREE_KIND_RECORD)]),
      maxDepth: z.number().int().min(1).max(30),
      canopyDepth: z.number().int().min(0).max(30),
      seq: decimal,
      leaves: base64,
    }),
  ),
  devices: z.array(z.tuple([index, index, base64])),
  recorded: z.array(z.tuple([z.string().regex(/^[0-9a-f]{64}$/), z.array(decimal)])),
});

export type DecodedSnapshot = { ok: true; parts: ReplicaParts } | { ok: false; reason: string };

/**
 * Rebuilds a replica from an untrusted snapshot, or says why it cannot be used: another
 * version, network or program id, a malformed field, a device leaf that does not hash to its
 * tree's leaf, counts that cannot be. Never throws on bad input.
 */
export function decodeFollowerSnapshot(
  raw: unknown,
  id: SnapshotIdentity & { recordedSeqsPerDevice: number },
): DecodedSnapshot {
  const fail = (reason: string): DecodedSnapshot => ({ ok: false, reason });
  const version = (raw as { version?: unknown } | null)?.version;
  if (version !== FOLLOWER_SNAPSHOT_VERSION)
    return fail(
      `version ${JSON.stringify(version)}, this follower reads version ${FOLLOWER_SNAPSHOT_VERSION}`,
    );
  const parsed = followerSnapshotSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail(`${issue.path.join('.') || 'snapshot'}: ${issue.message}`);
  }
  const s = parsed.data;
  if (s.network !== id.network.toBase58())
    return fail(`it is of network ${s.network}, not ${id.network.toBase58()}`);
  if (s.registryProgramId !== id.registryProgramId.toBase58())
    return fail(
      `it is of device_registry ${s.registryProgramId}, not ${id.registryProgramId.toBase58()}`,
    );
  try {
    const trees = new Map<string, TreeState>();
    const list: TreeState[] = [];
    let recordChanges = 0n;
    for (const t of s.trees) {
      const name = `tree ${t.address}`;
      const address = new PublicKey(t.address);
      if (trees.has(t.address)) return fail(`${name} is listed twice`);
      if (t.canopyDepth > t.maxDepth) return fail(`${name}: canopy deeper than the tree`);
      const bytes = new Uint8Array(Buffer.from(t.leaves, 'base64'));
      if (bytes.length % 32 !== 0) return fail(`${name}: leaves are not 32-byte hashes`);
      const count = bytes.length / 32;
      const seq = BigInt(t.seq);
      // Every leaf took a change (an append); a record tree only ever appends.
      if (BigInt(count) > seq) return fail(`${name}: ${count} leaves after ${seq} changes`);
      if (t.kind === TREE_KIND_RECORD) {
        if (BigInt(count) !== seq) return fail(`${name}: ${count} records after ${seq} changes`);
        recordChanges += seq;
      }
      const leaves = Array.from({ length: count }, (_, i) => bytes.subarray(i * 32, i * 32 + 32));
      const state: TreeState = {
        address,
        kind: t.kind,
        canopyDepth: t.canopyDepth,
        replica: MerkleReplica.fromLeaves(t.maxDepth, leaves),
        seq,
      };
      trees.set(t.address, state);
      list.push(state);
    }
    if (BigInt(s.records) !== recordChanges)
      return fail(`${s.records} records, but the record trees changed ${recordChanges} times`);

    const devices = new Map<string, DeviceState>();
    const networkBytes = id.network.toBytes();
    for (const [i, [at, leafIndex, leaf64]] of s.devices.entries()) {
      const tree = list[at];
      if (!tree || tree.kind !== TREE_KIND_DEVICE)
        return fail(`device ${i}: tree ${at} is not a device tree`);
      if (leafIndex >= tree.replica.size)
        return fail(`device ${i}: leaf ${leafIndex} is past its tree's leaves`);
      const bytes = new Uint8Array(Buffer.from(leaf64, 'base64'));
      if (bytes.length !== DEVICE_LEAF_BORSH_BYTES)
        return fail(
          `device ${i}: the leaf is ${bytes.length} bytes, not ${DEVICE_LEAF_BORSH_BYTES}`,
        );
      const v0 = new Uint8Array(DEVICE_LEAF_V0_SIZE);
      v0.set(networkBytes, 0);
      v0.set(bytes, 32);
      if (!sameBytes(keccak_256(v0), tree.replica.leaf(leafIndex)))
        return fail(`device ${i}: the leaf does not hash to leaf ${leafIndex} of its tree`);
      const leaf = decodeDeviceLeaf(bytes);
      encodedLeaves.set(leaf, leaf64);
      const hex = toHex(leaf.device.toBytes());
      if (devices.has(hex)) return fail(`device ${hex} is listed twice`);
      devices.set(hex, { tree: tree.address, leafIndex, leaf });
    }

    const recorded = new Map<string, bigint[]>();
    for (const [hex, seqs] of s.recorded) {
      if (recorded.has(hex)) return fail(`recorded seqs of ${hex} are listed twice`);
      if (seqs.length === 0 || seqs.length > id.recordedSeqsPerDevice)
        return fail(`device ${hex}: ${seqs.length} recorded seqs`);
      const values = seqs.map(BigInt);
      if (values.some((v, i) => i > 0 && v <= values[i - 1]!))
        return fail(`device ${hex}: recorded seqs are not ascending`);
      recorded.set(hex, values);
    }
    return { ok: true, parts: { devices, trees, recorded, records: s.records, cursor: s.cursor } };
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
}

function decodeDeviceLeaf(bytes: Uint8Array): DeviceLeaf {
  const d = DEVICE_REGISTRY_TYPES.decode<{
    device: PublicKey;
    owner: PublicKey;
    maker: PublicKey;
    bjj_key_hash: number[];
    model_id: number;
    seq: DeviceLeaf['seq'];
    status: number;
  }>('DeviceLeaf', Buffer.from(bytes));
  return {
    device: d.device,
    owner: d.owner,
    maker: d.maker,
    bjjKeyHash: Array.from(d.bjj_key_hash),
    modelId: d.model_id,
    seq: d.seq,
    status: d.status,
  };
}

function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
