/**
 * The indexer benchmark's data at scale: a network with `devices` devices in one device tree
 * (DEVICE_TREE_SHAPE) and `records` records, round-robin over the devices, in record trees of
 * the network's shape (RECORD_TREE_SHAPE, a new tree when one is full, as the program
 * rotates), as the chain transactions ingest would apply: one that creates the trees, one
 * registration per device, then one submit_attestation per record (its record leaf, the
 * device's leaf update, its attestation). Leaves are the real RecordLeafV0 / DeviceLeafV0
 * hashes; the trees are built by `MerkleReplica`, and each batch's last transaction carries
 * the heads (sequence number and root) of every tree the batch changed, which is all the
 * store keeps of a batch's heads.
 *
 * Leaf bytes are the sdk's (`recordLeafBytes`, `deviceLeafBytes`) with the fields that vary
 * (seq, timestamp, class, score) written in place, then hashed: encoding each leaf through the
 * IDL coder would take most of the seeding time. Samples are compared with `recordLeafHash`
 * and `deviceLeafHash`. The hashes and heads are computed on the first pass and kept, so a
 * second store is seeded with the same transactions without hashing again.
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { Keypair, PublicKey } from '@solana/web3.js';
import BN from 'bn.js';
import {
  DEVICE_STATUS_ACTIVE,
  DEVICE_TREE_SHAPE,
  MerkleReplica,
  RECORD_TREE_SHAPE,
  TREE_KIND_DEVICE,
  TREE_KIND_RECORD,
  deviceLeafBytes,
  deviceLeafHash,
  recordLeafBytes,
  recordLeafHash,
  type DeviceLeaf,
  type RecordLeaf,
} from '@zkpin/sdk';
import type { AppliedTransaction, TreeHead } from '../indexer/src/store.ts';
import type { Change } from '../indexer/src/transaction-decoder.ts';

const T0 = 1_767_225_600;
const PROOF = new Uint8Array(256).fill(3);

export interface SeedDevice {
  key: PublicKey;
  address: string;
  owner: string;
  maker: string;
  bjjKeyHash: Uint8Array;
  /** The device leaf's bytes (seq 0) and where its seq is. */
  deviceBytes: Uint8Array;
  /** Record leaf bytes of this device (seq, timestamp, class, score 0). */
  recordBytes: Uint8Array;
  inputCommitment: Uint8Array;
  publicInput: Uint8Array;
}

/** Where `encode(v)` differs from `encode(0)`: the little-endian field's first byte. */
function offsetOf(encode: (v: number) => Uint8Array): number {
  const a = encode(0);
  const b = encode(1);
  const at = a.findIndex((x, i) => x !== b[i]);
  if (at < 0) throw new Error('field not found in the leaf bytes');
  return at;
}

export class Seed {
  readonly network = Keypair.generate().publicKey;
  readonly networkKey = this.network.toBase58();
  readonly devices: SeedDevice[] = [];
  readonly deviceTree = Keypair.generate().publicKey.toBase58();
  readonly recordTrees: string[] = [];
  /** Each tree's head after the whole seed. */
  readonly heads = new Map<string, TreeHead>();
  /** Seconds spent hashing leaves and building trees on the first pass. */
  hashSeconds = 0;

  private readonly recordLeaves: Uint8Array;
  private readonly deviceLeaves: Uint8Array;
  private readonly batchHeads: Map<string, TreeHead>[] = [];
  private readonly offsets: {
    deviceSeq: number;
    seq: number;
    timestamp: number;
    class: number;
    score: number;
  };
  private readonly capacity = 2 ** RECORD_TREE_SHAPE.maxDepth;

  constructor(
    readonly records: number,
    deviceCount: number,
    readonly batch: number,
  ) {
    this.recordLeaves = new Uint8Array(records * 32);
    this.deviceLeaves = new Uint8Array(records * 32);
    for (let t = 0; t * this.capacity < Math.max(records, 1); t++)
      this.recordTrees.push(Keypair.generate().publicKey.toBase58());
    const makers = Array.from({ length: 10 }, () => Keypair.generate().publicKey);
    const owners = Array.from({ length: 100 }, () => Keypair.generate().publicKey);
    for (let d = 0; d < deviceCount; d++) {
      const key = Keypair.generate().publicKey;
      const bjjKeyHash = keccak_256(key.toBytes());
      const leaf: DeviceLeaf = {
        device: key,
        owner: owners[d % owners.length]!,
        maker: makers[d % makers.length]!,
        bjjKeyHash: Array.from(bjjKeyHash),
        modelId: 1,
        seq: new BN(0),
        status: DEVICE_STATUS_ACTIVE,
      };
      const inputCommitment = keccak_256(Uint8Array.from([1, ...key.toBytes()]));
      const publicInput = keccak_256(Uint8Array.from([2, ...key.toBytes()]));
      const record: RecordLeaf = {
        device: key,
        modelId: 1,
        seq: 0n,
        timestamp: 0n,
        inputCommitment,
        class: 0,
        score: 0n,
        publicInput,
      };
      this.devices.push({
        key,
        address: key.toBase58(),
        owner: leaf.owner.toBase58(),
        maker: leaf.maker.toBase58(),
        bjjKeyHash,
        deviceBytes: deviceLeafBytes(this.network, leaf),
        recordBytes: recordLeafBytes(record),
        inputCommitment,
        publicInput,
      });
    }
    const d0 = this.devices[0]!;
    const deviceLeaf = (seq: number): DeviceLeaf => ({
      device: d0.key,
      owner: new PublicKey(d0.owner),
      maker: new PublicKey(d0.maker),
      bjjKeyHash: Array.from(d0.bjjKeyHash),
      modelId: 1,
      seq: new BN(seq),
      status: DEVICE_STATUS_ACTIVE,
    });
    const recordLeaf = (o: Partial<RecordLeaf>): RecordLeaf => ({
      device: d0.key,
      modelId: 1,
      seq: 0n,
      timestamp: 0n,
      inputCommitment: d0.inputCommitment,
      class: 0,
      score: 0n,
      publicInput: d0.publicInput,
      ...o,
    });
    this.offsets = {
      deviceSeq: offsetOf((v) => deviceLeafBytes(this.network, deviceLeaf(v))),
      seq: offsetOf((v) => recordLeafBytes(recordLeaf({ seq: BigInt(v) }))),
      timestamp: offsetOf((v) => recordLeafBytes(recordLeaf({ timestamp: BigInt(v) }))),
      class: offsetOf((v) => recordLeafBytes(recordLeaf({ class: v }))),
      score: offsetOf((v) => recordLeafBytes(recordLeaf({ score: BigInt(v) }))),
    };
  }

  /** Record `i` (from 0): its device (round-robin) and fields; its seq is its device's count. */
  recordOf(i: number): {
    device: SeedDevice;
    seq: bigint;
    timestamp: bigint;
    class: number;
    score: bigint;
  } {
    return {
      device: this.devices[i % this.devices.length]!,
      seq: BigInt(Math.floor(i / this.devices.length) + 1),
      timestamp: BigInt(T0 + i),
      class: i % 4,
      score: BigInt((i * 7919) % 1000),
    };
  }

  /** How many records device `d` has. */
  recordsOf(d: number): number {
    const n = this.devices.length;
    return Math.floor(this.records / n) + (d < this.records % n ? 1 : 0);
  }

  /** Where record `seq` (1..) of device `d` is. */
  recordAt(d: number, seq: number): { tree: string; leafIndex: number } {
    const i = (seq - 1) * this.devices.length + d;
    return { tree: this.recordTrees[Math.floor(i / this.capacity)]!, leafIndex: i % this.capacity };
  }

  private recordLeaf(i: number): Uint8Array {
    const r = this.recordOf(i);
    const b = r.device.recordBytes.slice();
    const v = new DataView(b.buffer);
    v.setBigUint64(this.offsets.seq, r.seq, true);
    v.setBigInt64(this.offsets.timestamp, r.timestamp, true);
    v.setUint8(this.offsets.class, r.class);
    v.setBigInt64(this.offsets.score, r.score, true);
    const h = keccak_256(b);
    if (i < 3 || i % 99_991 === 0) {
      const sdk = recordLeafHash({
        device: r.device.key,
        modelId: 1,
        seq: r.seq,
        timestamp: r.timestamp,
        inputCommitment: r.device.inputCommitment,
        class: r.class,
        score: r.score,
        publicInput: r.device.publicInput,
      });
      if (!sdk.every((x, j) => x === h[j]))
        throw new Error(`record leaf ${i} differs from recordLeafHash`);
    }
    return h;
  }

  private deviceLeaf(d: SeedDevice, seq: bigint, check: boolean): Uint8Array {
    const b = d.deviceBytes.slice();
    new DataView(b.buffer).setBigUint64(this.offsets.deviceSeq, seq, true);
    const h = keccak_256(b);
    if (check) {
      const sdk = deviceLeafHash(this.network, {
        device: d.key,
        owner: new PublicKey(d.owner),
        maker: new PublicKey(d.maker),
        bjjKeyHash: Array.from(d.bjjKeyHash),
        modelId: 1,
        seq: new BN(seq.toString()),
        status: DEVICE_STATUS_ACTIVE,
      });
      if (!sdk.every((x, j) => x === h[j])) throw new Error(`device leaf of ${d.address} differs`);
    }
    return h;
  }

  /**
   * The seed's transactions in batches of `batch`. The first pass hashes leaves and builds the
   * trees (kept in `heads` and per batch); later passes reuse them.
   */
  *batches(): Generator<AppliedTransaction[]> {
    const first = this.batchHeads.length === 0;
    const replicas = new Map<string, MerkleReplica>();
    const pending = new Map<string, [number, Uint8Array][]>();
    const seqs = new Map<string, number>();
    const D = this.devices.length;
    let deviceRoot: Uint8Array = new Uint8Array(32);
    let out: AppliedTransaction[] = [];
    let n = 0;
    let hashMs = 0;
    /** A tree created: its change, and its head (seq 0, the empty root). */
    const created = (address: string, kind: number, number: number): [Change, TreeHead] => {
      const shape = kind === TREE_KIND_DEVICE ? DEVICE_TREE_SHAPE : RECORD_TREE_SHAPE;
      const replica = new MerkleReplica(shape.maxDepth);
      const head = { seq: 0n, root: replica.root };
      if (first) {
        replicas.set(address, replica);
        this.heads.set(address, head);
      }
      seqs.set(address, 0);
      return [{ kind: 'tree', address, treeKind: kind, number, ...shape }, head];
    };
    const write = (tree: string, leafIndex: number, leaf: Uint8Array): bigint => {
      const seq = seqs.get(tree)! + 1;
      seqs.set(tree, seq);
      if (first) {
        const p = pending.get(tree) ?? [];
        p.push([leafIndex, leaf]);
        pending.set(tree, p);
      }
      return BigInt(seq);
    };
    /** Closes the batch: its last transaction carries the heads of the trees it changed. */
    const flush = function* (this: Seed): Generator<AppliedTransaction[]> {
      if (out.length === 0) return;
      if (first) {
        const t0 = performance.now();
        const heads = new Map<string, TreeHead>();
        for (const [tree, entries] of pending) {
          const r = replicas.get(tree)!;
          r.setMany(entries);
          heads.set(tree, { seq: BigInt(seqs.get(tree)!), root: r.root });
          this.heads.set(tree, heads.get(tree)!);
        }
        pending.clear();
        this.batchHeads.push(heads);
        hashMs += performance.now() - t0;
      }
      const heads = this.batchHeads[n++]!;
      const last = out[out.length - 1]!;
      for (const [tree, h] of heads) if (!last.heads.has(tree)) last.heads.set(tree, h);
      const d = heads.get(this.deviceTree);
      if (d) deviceRoot = d.root;
      yield out;
      out = [];
    }.bind(this);
    let signature = 0;
    const push = function* (this: Seed, changes: Change[], heads = new Map<string, TreeHead>()) {
      const k = signature++;
      out.push({
        signature: `seed-${this.networkKey.slice(0, 8)}-${k}`,
        slot: 1_000 + k,
        changes,
        heads,
        vkHashes: new Map(),
      });
      if (out.length === this.batch) yield* flush();
    }.bind(this);

    // The trees, then each device's registration.
    const [deviceTree, deviceHead] = created(this.deviceTree, TREE_KIND_DEVICE, 0);
    const [recordTree, recordHead] = created(this.recordTrees[0]!, TREE_KIND_RECORD, 0);
    yield* push(
      [
        { kind: 'network', authority: this.networkKey, oracles: [], permissionless: true },
        deviceTree,
        recordTree,
      ],
      new Map([
        [this.deviceTree, deviceHead],
        [this.recordTrees[0]!, recordHead],
      ]),
    );
    for (let d = 0; d < D; d++) {
      const dev = this.devices[d]!;
      const t0 = performance.now();
      const leaf = this.deviceLeaf(dev, 0n, d < 3);
      hashMs += performance.now() - t0;
      yield* push([
        {
          kind: 'device',
          event: 'registered',
          tree: this.deviceTree,
          leafIndex: d,
          treeSeq: write(this.deviceTree, d, leaf),
          leaf,
          device: dev.address,
          owner: dev.owner,
          maker: dev.maker,
          bjjKeyHash: dev.bjjKeyHash,
          modelId: 1,
          seq: 0n,
          status: DEVICE_STATUS_ACTIVE,
        },
      ]);
    }
    // One submit_attestation per record.
    for (let i = 0; i < this.records; i++) {
      const t = Math.floor(i / this.capacity);
      const leafIndex = i % this.capacity;
      const tree = this.recordTrees[t]!;
      if (leafIndex === 0 && t > 0) {
        const [c, head] = created(tree, TREE_KIND_RECORD, t);
        yield* push([c], new Map([[tree, head]]));
      }
      const r = this.recordOf(i);
      const d = i % D;
      const t0 = performance.now();
      if (first) {
        this.recordLeaves.set(this.recordLeaf(i), i * 32);
        this.deviceLeaves.set(this.deviceLeaf(r.device, r.seq, i % 99_991 === 0), i * 32);
      }
      hashMs += performance.now() - t0;
      const leaf = this.recordLeaves.subarray(i * 32, i * 32 + 32);
      const deviceLeaf = this.deviceLeaves.subarray(i * 32, i * 32 + 32);
      yield* push([
        {
          kind: 'record',
          tree,
          leafIndex,
          treeSeq: write(tree, leafIndex, leaf),
          leaf,
          device: r.device.address,
          modelId: 1,
          seq: r.seq,
          timestamp: r.timestamp,
          class: r.class,
          score: r.score,
          inputCommitment: r.device.inputCommitment,
          publicInput: r.device.publicInput,
        },
        {
          kind: 'device',
          event: 'updated',
          tree: this.deviceTree,
          leafIndex: d,
          treeSeq: write(this.deviceTree, d, deviceLeaf),
          leaf: deviceLeaf,
          device: r.device.address,
          owner: r.device.owner,
          maker: r.device.maker,
          bjjKeyHash: r.device.bjjKeyHash,
          modelId: 1,
          seq: r.seq,
          status: DEVICE_STATUS_ACTIVE,
        },
        {
          kind: 'attestation',
          recordTree: tree,
          recordIndex: leafIndex,
          device: r.device.address,
          modelId: 1,
          seq: r.seq,
          submitter: this.networkKey,
          publicInput: r.device.publicInput,
          proof: PROOF,
          timestamp: r.timestamp,
          inputCommitment: r.device.inputCommitment,
          class: r.class,
          score: r.score,
          deviceLeafIndex: d,
          deviceRoot,
        },
      ]);
    }
    yield* flush();
    if (first) this.hashSeconds = hashMs / 1000;
  }
}
