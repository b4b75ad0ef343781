/**
 * A replica of one network's compressed state, kept current from device_registry's events:
 * every device leaf (by device key) and a sparse Merkle replica of every device and record
 * tree. The bridge uses it to know devices and their status; the relayer to build device
 * proofs, which it checks against the on-chain root before sending.
 *
 * Events are read from each transaction's inner instructions (the programs emit them as
 * self-CPIs), never from logs, so a transaction whose logs were truncated cannot hide a tree
 * change. Every tree event carries the tree's sequence number: an event that skips one, or a
 * replica whose root differs from the chain's, makes the follower re-read the network's
 * transactions from the chain and rebuild (`resync`), instead of serving a stale replica.
 */
import { type Provider } from '@coral-xyz/anchor';
import { PublicKey } from '@solana/web3.js';
import { parseProgramEvents, recordLeafHash, type ProgramEvent } from './attestation.ts';
import type { Chain, ChainTransaction } from './chain.ts';
import { toHex } from './field.ts';
import { MerkleReplica } from './merkle-replica.ts';
import { treeAccountRoot } from './tree-account.ts';
import { LOCALNET_PROGRAM_IDS, type ProgramIds } from './program-ids.ts';
import { deviceRegistryProgram } from './programs.ts';
import {
  DEVICE_STATUS_ACTIVE,
  TREE_KIND_DEVICE,
  deviceLeafHash,
  type DeviceLeaf,
} from './registry-client.ts';

/**
 * What the services need to know about a network's devices (the bridge's checks, the prover
 * worker's gate); `NetworkFollower` implements it, tests and benchmarks may use a static one.
 */
export interface DeviceDirectory {
  device(deviceHex: string):
    | {
        leaf: {
          status: number;
          modelId: number;
          seq: { toString(): string };
          /** Poseidon(ax, ay) of the device's BabyJubJub key, 32 big-endian bytes. */
          bjjKeyHash: ArrayLike<number>;
        };
      }
    | undefined;
  /** Whether the device's reading `seq` is on-chain (undefined: not known). */
  isRecorded?(deviceHex: string, seq: bigint): boolean | undefined;
}

export interface DeviceState {
  tree: PublicKey;
  leafIndex: number;
  leaf: DeviceLeaf;
}

export interface TreeState {
  address: PublicKey;
  kind: number;
  canopyDepth: number;
  replica: MerkleReplica;
  /** The tree's sequence number after the last applied change (0 right after init). */
  seq: bigint;
}

export interface DeviceProof {
  state: DeviceState;
  root: Uint8Array;
  /** Proof nodes without the canopy's part, bottom-up. */
  nodes: Uint8Array[];
}

const coder = deviceRegistryProgram({} as Provider).coder;

interface TreeEventData {
  network: PublicKey;
  tree: PublicKey;
  leafIndex: number;
  treeSeq: { toString(): string };
}
interface DeviceEventData extends TreeEventData {
  leaf: DeviceLeaf;
}
interface RecordEventData extends TreeEventData {
  record: {
    device: PublicKey;
    modelId: number;
    seq: { toString(): string };
    timestamp: { toString(): string };
    inputCommitment: number[];
    class: number;
    score: { toString(): string };
    publicInput: number[];
  };
}

/** Recorded seqs kept per device (the most recent ones), to tell a recorded reading from a skipped one. */
export const RECORDED_SEQS_PER_DEVICE = 64;

/** The state a follower rebuilds from events. */
class Replica {
  readonly devices = new Map<string, DeviceState>();
  readonly trees = new Map<string, TreeState>();
  /** Per device, its most recent recorded seqs, ascending (at most RECORDED_SEQS_PER_DEVICE). */
  readonly recorded = new Map<string, bigint[]>();
  records = 0;
  /** Set when an event could not be applied in order (a missed transaction). */
  gap: string | undefined;

  constructor(readonly network: PublicKey) {}

  /** Applies one event; returns the device state it changed, if any. */
  apply(ev: ProgramEvent): DeviceState | undefined {
    const d = ev.data as Record<string, unknown>;
    if ((d['network'] as PublicKey | undefined)?.equals(this.network) !== true) return undefined;
    switch (ev.name) {
      case 'treeInitialized': {
        const tree = d['tree'] as PublicKey;
        if (this.trees.has(tree.toBase58())) return undefined;
        this.trees.set(tree.toBase58(), {
          address: tree,
          kind: d['kind'] as number,
          canopyDepth: d['canopyDepth'] as number,
          replica: new MerkleReplica(d['maxDepth'] as number),
          seq: 0n,
        });
        return undefined;
      }
      case 'deviceRegistered':
      case 'deviceUpdated': {
        const e = d as unknown as DeviceEventData;
        const tree = this.next(e);
        if (!tree) return undefined;
        tree.replica.set(e.leafIndex, deviceLeafHash(this.network, e.leaf));
        const state = { tree: e.tree, leafIndex: e.leafIndex, leaf: e.leaf };
        this.devices.set(toHex(e.leaf.device.toBytes()), state);
        return state;
      }
      case 'recordAppended': {
        const e = d as unknown as RecordEventData;
        const tree = this.next(e);
        if (!tree) return undefined;
        const r = e.record;
        tree.replica.set(
          e.leafIndex,
          recordLeafHash({
            device: r.device,
            modelId: r.modelId,
            seq: BigInt(r.seq.toString()),
            timestamp: BigInt(r.timestamp.toString()),
            inputCommitment: Uint8Array.from(r.inputCommitment),
            class: r.class,
            score: BigInt(r.score.toString()),
            publicInput: Uint8Array.from(r.publicInput),
          }),
        );
        this.records += 1;
        const hex = toHex(r.device.toBytes());
        const seqs = this.recorded.get(hex) ?? [];
        seqs.push(BigInt(r.seq.toString()));
        if (seqs.length > RECORDED_SEQS_PER_DEVICE) seqs.shift();
        this.recorded.set(hex, seqs);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /**
   * The tree of a tree event if the event is the tree's next change; undefined when it was
   * applied already (a transaction seen twice) or when it is not the next one (a gap).
   */
  private next(e: TreeEventData): TreeState | undefined {
    const tree = this.trees.get(e.tree.toBase58());
    const seq = BigInt(e.treeSeq.toString());
    if (!tree) {
      this.gap ??= `event for unknown tree ${e.tree.toBase58()}`;
      return undefined;
    }
    if (seq <= tree.seq) return undefined;
    if (seq !== tree.seq + 1n) {
      this.gap ??= `tree ${e.tree.toBase58()} jumped from change ${tree.seq} to ${seq}`;
      return undefined;
    }
    tree.seq = seq;
    return tree;
  }
}

export interface NetworkFollowerOptions {
  /** The deployment's program ids (default: the localnet build's). */
  programIds?: ProgramIds;
}

export class NetworkFollower implements DeviceDirectory {
  private state: Replica;
  private readonly listeners = new Set<(d: DeviceState) => void>();
  private readonly resyncListeners = new Set<(reason: string) => void>();
  private unsubscribe: (() => void) | undefined;
  /** Transactions that arrived while the history was being read. */
  private pending: ChainTransaction[] | undefined;
  private resyncing: Promise<void> | undefined;
  /** How many times the follower rebuilt itself from the chain's history. */
  resyncs = 0;
  /**
   * Least time between two rebuilds that `ensureInSync` starts (a root that lags behind an
   * RPC node must not make every relay job re-read the network's history).
   */
  resyncIntervalMs = 10_000;
  private lastRootResync = 0;
  /** Resolves once the history up to `start()` has been applied. */
  ready: Promise<void> = Promise.resolve();

  /** device_registry's id in this deployment (events are read from its self-CPIs). */
  readonly registry: PublicKey;

  constructor(
    readonly chain: Chain,
    readonly network: PublicKey,
    o: NetworkFollowerOptions = {},
  ) {
    this.state = new Replica(network);
    this.registry = (o.programIds ?? LOCALNET_PROGRAM_IDS).deviceRegistry;
  }

  get devices(): ReadonlyMap<string, DeviceState> {
    return this.state.devices;
  }

  get trees(): ReadonlyMap<string, TreeState> {
    return this.state.trees;
  }

  get records(): number {
    return this.state.records;
  }

  /**
   * Follows the network: live transactions from now on, after the network's history (read
   * synchronously from an embedded chain; awaited through `ready` over RPC).
   */
  start(): this {
    this.unsubscribe = this.chain.onTransaction(this.network, (tx) => {
      if (this.pending) this.pending.push(tx);
      else this.applyTransaction(tx);
    });
    if (this.chain.historyNow) {
      for (const tx of this.chain.historyNow(this.network)) this.applyTransaction(tx);
    } else {
      this.ready = this.resync('start');
    }
    return this;
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /** Called on every device registration or change. */
  onDevice(fn: (d: DeviceState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Called when the follower rebuilds itself from the chain (with the reason). */
  onResync(fn: (reason: string) => void): () => void {
    this.resyncListeners.add(fn);
    return () => this.resyncListeners.delete(fn);
  }

  device(deviceHex: string): DeviceState | undefined {
    return this.state.devices.get(deviceHex);
  }

  /**
   * Whether the device's reading `seq` is on-chain: true, false (a later reading was recorded
   * and this one was not: it can never be), or undefined when `seq` is older than the recent
   * records the follower keeps.
   */
  isRecorded(deviceHex: string, seq: bigint): boolean | undefined {
    const seqs = this.state.recorded.get(deviceHex) ?? [];
    if (seqs.includes(seq)) return true;
    const oldest = seqs[0];
    if (seqs.length >= RECORDED_SEQS_PER_DEVICE && oldest !== undefined && seq < oldest)
      return undefined;
    return false;
  }

  isActive(deviceHex: string): boolean {
    return this.state.devices.get(deviceHex)?.leaf.status === DEVICE_STATUS_ACTIVE;
  }

  /** Applies the device_registry events of one transaction (idempotent). */
  applyTransaction(tx: ChainTransaction): void {
    const events = parseProgramEvents(tx.innerInstructions, this.registry, coder);
    for (const ev of events) {
      const changed = this.state.apply(ev);
      if (changed) for (const fn of this.listeners) fn(changed);
    }
    if (this.state.gap) {
      const reason = this.state.gap;
      this.state.gap = undefined;
      void this.resync(reason).catch(() => undefined);
    }
  }

  /**
   * Rebuilds the replica from the network's transactions as the chain serves them (missed or
   * unreadable events, a root that does not match). Live transactions that arrive meanwhile
   * are applied after it. Concurrent calls share one rebuild.
   */
  resync(reason: string): Promise<void> {
    this.resyncing ??= (async () => {
      this.pending ??= [];
      try {
        const history = await this.chain.history(this.network);
        const fresh = new Replica(this.network);
        const changed: DeviceState[] = [];
        for (const tx of [...history, ...this.pending]) {
          for (const ev of parseProgramEvents(tx.innerInstructions, this.registry, coder)) {
            const d = fresh.apply(ev);
            if (d) changed.push(d);
          }
        }
        fresh.gap = undefined;
        this.state = fresh;
        if (reason !== 'start') this.resyncs += 1;
        for (const fn of this.resyncListeners) fn(reason);
        for (const d of changed) for (const fn of this.listeners) fn(d);
      } finally {
        const late = this.pending ?? [];
        this.pending = undefined;
        this.resyncing = undefined;
        for (const tx of late) this.applyTransaction(tx);
      }
    })();
    return this.resyncing;
  }

  /** The device's current leaf and proof from the replica. */
  proof(deviceHex: string): DeviceProof | undefined {
    const state = this.state.devices.get(deviceHex);
    if (!state) return undefined;
    const tree = this.state.trees.get(state.tree.toBase58());
    if (!tree || tree.kind !== TREE_KIND_DEVICE) return undefined;
    return {
      state,
      root: tree.replica.root,
      nodes: tree.replica.proofWithoutCanopy(state.leafIndex, tree.canopyDepth),
    };
  }

  /** Whether the replica's root of `tree` equals the on-chain root. */
  async rootMatchesChain(tree: PublicKey): Promise<boolean> {
    const info = await this.chain.getAccountInfo(tree);
    const t = this.state.trees.get(tree.toBase58());
    if (!info || !t) return false;
    const onChain = treeAccountRoot(info.data);
    return sameBytes(onChain, t.replica.root);
  }

  /**
   * Waits up to `waitMs` for the replica of `tree` to reach the on-chain root (live events
   * may still be on their way); if it has not, rebuilds from the chain's history once and
   * checks again (at most once per `resyncIntervalMs`). True when the replica matches the
   * chain.
   */
  async ensureInSync(tree: PublicKey, waitMs = 2_000): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (await this.rootMatchesChain(tree)) return true;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (Date.now() - this.lastRootResync < this.resyncIntervalMs) return false;
    this.lastRootResync = Date.now();
    await this.resync(`replica root of ${tree.toBase58()} differs from the chain`);
    return this.rootMatchesChain(tree);
  }
}

function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
