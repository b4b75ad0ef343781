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
 * An attestation's one event, `RecordAttested`, is a device update and a record append, each
 * checked against its own tree's sequence number; older transactions carry the same changes
 * as a `DeviceUpdated` and a `RecordAppended`, applied the same way.
 *
 * With a `FollowerStore` it keeps a snapshot (follower-snapshot.ts: the replica and a cursor,
 * the newest transaction applied), saved at most every `saveIntervalMs` and on `stop()`. A
 * start then restores the snapshot, reads only the transactions after the cursor, and checks
 * every tree's root and sequence number against its on-chain account; a snapshot that cannot
 * be read or used, or that does not match the chain, is a full rebuild with the reason.
 */
import { type Provider } from '@coral-xyz/anchor';
import { PublicKey } from '@solana/web3.js';
import { parseProgramEvents, recordLeafHash, type ProgramEvent } from './attestation.ts';
import type { Chain, ChainTransaction } from './chain.ts';
import { toHex } from './field.ts';
import {
  decodeFollowerSnapshot,
  encodeFollowerSnapshot,
  type FollowerCursor,
  type FollowerStore,
  type ReplicaParts,
} from './follower-snapshot.ts';
import { MerkleReplica } from './merkle-replica.ts';
import { treeAccountRoot, treeAccountRootAt, treeAccountSequenceNumber } from './tree-account.ts';
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

type Num = { toString(): string };
interface TreeEventData {
  network: PublicKey;
  tree: PublicKey;
  leafIndex: number;
  treeSeq: Num;
}
interface RecordLeafData {
  device: PublicKey;
  modelId: number;
  seq: Num;
  timestamp: Num;
  inputCommitment: number[];
  class: number;
  score: Num;
  publicInput: number[];
}
/** `DeviceRegistered`, `DeviceUpdated`. */
interface DeviceEventData extends TreeEventData {
  leaf: DeviceLeaf;
}
/** `RecordAppended` (legacy: attestations before `RecordAttested`). */
interface RecordEventData extends TreeEventData {
  record: RecordLeafData;
}
/** `RecordAttested`: an attestation's device update and record append in one event. */
interface RecordAttestedData {
  network: PublicKey;
  deviceTree: PublicKey;
  deviceLeafIndex: number;
  deviceTreeSeq: Num;
  leaf: DeviceLeaf;
  recordTree: PublicKey;
  recordIndex: number;
  recordTreeSeq: Num;
  record: RecordLeafData;
}

/** Recorded seqs kept per device (the most recent ones), to tell a recorded reading from a skipped one. */
export const RECORDED_SEQS_PER_DEVICE = 64;

export interface NetworkFollowerOptions {
  /** The deployment's program ids (default: the localnet build's). */
  programIds?: ProgramIds;
  /**
   * Where the follower keeps its snapshot across restarts (`FileFollowerStore` in
   * `@zkpin/sdk/node`); none: every start reads the network's whole history.
   */
  store?: FollowerStore;
  /**
   * Least time between two snapshot saves, in ms (default 30,000: a save encodes the whole
   * replica, about 1 s of CPU at 100k devices and 100k records); `stop()` saves at once. A
   * crash loses at most this much progress of the cursor, read again at the next start.
   */
  saveIntervalMs?: number;
  /**
   * How long a restored replica may wait for live events to bring a tree to the change the
   * chain is at, when the tree's changelog no longer holds the replica's root (default 5,000 ms).
   */
  verifyWaitMs?: number;
}

/** How the follower's replica was last built (`follower.backfill`). */
export interface FollowerBackfill {
  /** A snapshot and the transactions after its cursor, or the network's whole history. */
  from: 'snapshot' | 'history';
  /** Transactions read from the chain's history. */
  transactions: number;
  ms: number;
}

/** The state a follower rebuilds from events. */
class Replica implements ReplicaParts {
  readonly devices = new Map<string, DeviceState>();
  readonly trees = new Map<string, TreeState>();
  /** Per device, its most recent recorded seqs, ascending (at most RECORDED_SEQS_PER_DEVICE). */
  readonly recorded = new Map<string, bigint[]>();
  records = 0;
  /** The newest transaction applied (highest slot; the later one within a slot). */
  cursor: FollowerCursor | undefined;
  /** Set when an event could not be applied in order (a missed transaction). */
  gap: string | undefined;

  constructor(
    readonly network: PublicKey,
    readonly programId: PublicKey,
  ) {}

  static from(network: PublicKey, programId: PublicKey, parts: ReplicaParts): Replica {
    const r = new Replica(network, programId);
    for (const [k, v] of parts.devices) r.devices.set(k, v);
    for (const [k, v] of parts.trees) r.trees.set(k, v);
    for (const [k, v] of parts.recorded) r.recorded.set(k, v);
    r.records = parts.records;
    r.cursor = parts.cursor;
    return r;
  }

  /** Applies the registry events of one transaction; returns the device states it changed. */
  applyTransaction(tx: ChainTransaction): DeviceState[] {
    const changed: DeviceState[] = [];
    for (const ev of parseProgramEvents(tx.innerInstructions, this.programId, coder)) {
      const d = this.apply(ev);
      if (d) changed.push(d);
    }
    if (!this.cursor || tx.slot >= this.cursor.slot)
      this.cursor = { signature: tx.signature, slot: tx.slot };
    return changed;
  }

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
        return this.applyDevice(e.tree, e.leafIndex, e.treeSeq, e.leaf);
      }
      case 'recordAttested': {
        // One event per attestation (programs before it emitted a `deviceUpdated` and a
        // `recordAppended`): both trees' changes, each checked against its own tree's seq.
        const e = d as unknown as RecordAttestedData;
        const state = this.applyDevice(e.deviceTree, e.deviceLeafIndex, e.deviceTreeSeq, e.leaf);
        this.applyRecord(e.recordTree, e.recordIndex, e.recordTreeSeq, e.record);
        return state;
      }
      case 'recordAppended': {
        const e = d as unknown as RecordEventData;
        this.applyRecord(e.tree, e.leafIndex, e.treeSeq, e.record);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** A device leaf written at `leafIndex` of device tree `treeKey`, if it is the tree's next change. */
  private applyDevice(
    treeKey: PublicKey,
    leafIndex: number,
    treeSeq: Num,
    leaf: DeviceLeaf,
  ): DeviceState | undefined {
    const tree = this.next(treeKey, treeSeq);
    if (!tree) return undefined;
    tree.replica.set(leafIndex, deviceLeafHash(this.network, leaf));
    const state = { tree: treeKey, leafIndex, leaf };
    this.devices.set(toHex(leaf.device.toBytes()), state);
    return state;
  }

  /** A record leaf appended at `leafIndex` of record tree `treeKey`, if it is the tree's next change. */
  private applyRecord(
    treeKey: PublicKey,
    leafIndex: number,
    treeSeq: Num,
    r: RecordLeafData,
  ): void {
    const tree = this.next(treeKey, treeSeq);
    if (!tree) return;
    tree.replica.set(
      leafIndex,
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
  }

  /**
   * The tree of a tree change if it is the tree's next change; undefined when it was
   * applied already (a transaction seen twice) or when it is not the next one (a gap).
   */
  private next(treeKey: PublicKey, treeSeq: Num): TreeState | undefined {
    const tree = this.trees.get(treeKey.toBase58());
    const seq = BigInt(treeSeq.toString());
    if (!tree) {
      this.gap ??= `event for unknown tree ${treeKey.toBase58()}`;
      return undefined;
    }
    if (seq <= tree.seq) return undefined;
    if (seq !== tree.seq + 1n) {
      this.gap ??= `tree ${treeKey.toBase58()} jumped from change ${tree.seq} to ${seq}`;
      return undefined;
    }
    tree.seq = seq;
    return tree;
  }
}

export class NetworkFollower implements DeviceDirectory {
  private state: Replica;
  private readonly listeners = new Set<(d: DeviceState) => void>();
  private readonly resyncListeners = new Set<(reason: string) => void>();
  private readonly saveErrorListeners = new Set<(error: Error) => void>();
  private unsubscribe: (() => void) | undefined;
  /** Transactions that arrived while the history was being read. */
  private pending: ChainTransaction[] | undefined;
  private resyncing: Promise<void> | undefined;
  /** device_registry's program id: whose events are read, and what a snapshot must name. */
  private readonly store: FollowerStore | undefined;
  private readonly saveIntervalMs: number;
  private readonly verifyWaitMs: number;
  /** The replica changed since the last snapshot. */
  private dirty = false;
  private lastSaveAt = 0;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** The snapshot saves, one after the other. */
  private saving: Promise<void> = Promise.resolve();
  private stopped = false;
  /** How many times the follower rebuilt itself from the chain's history. */
  resyncs = 0;
  /** How the replica was last built: from a snapshot or the whole history, and what it read. */
  backfill: FollowerBackfill | undefined;
  /** Snapshots stored. */
  snapshotsSaved = 0;
  /**
   * Least time between two rebuilds that `ensureInSync` starts (a root that lags behind an
   * RPC node must not make every relay job re-read the network's history).
   */
  resyncIntervalMs = 10_000;
  private lastRootResync = 0;
  /** Resolves once the history (or the snapshot and what came after it) up to `start()` is applied. */
  ready: Promise<void> = Promise.resolve();

  /** device_registry's id in this deployment (events are read from its self-CPIs). */
  readonly registry: PublicKey;

  constructor(
    readonly chain: Chain,
    readonly network: PublicKey,
    o: NetworkFollowerOptions = {},
  ) {
    this.registry = (o.programIds ?? LOCALNET_PROGRAM_IDS).deviceRegistry;
    this.state = new Replica(network, this.registry);
    this.store = o.store;
    this.saveIntervalMs = o.saveIntervalMs ?? 30_000;
    this.verifyWaitMs = o.verifyWaitMs ?? 5_000;
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
   * synchronously from an embedded chain; awaited through `ready` over RPC), or after a
   * snapshot and the transactions since its cursor (awaited through `ready`) with a store.
   */
  start(): this {
    this.stopped = false;
    this.unsubscribe = this.chain.onTransaction(this.network, (tx) => {
      if (this.pending) this.pending.push(tx);
      else this.applyTransaction(tx);
    });
    if (this.store) {
      this.resyncing = this.exclusive(() => this.restore());
      this.ready = this.resyncing;
    } else if (this.chain.historyNow) {
      const t0 = Date.now();
      const history = this.chain.historyNow(this.network);
      for (const tx of history) this.applyTransaction(tx);
      this.backfill = { from: 'history', transactions: history.length, ms: Date.now() - t0 };
    } else {
      this.ready = this.resync('start');
    }
    return this;
  }

  /** Stops following; with a store, saves a last snapshot (unless a rebuild is under way). */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.stopped = true;
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    await this.save();
  }

  /** Called on every device registration or change. */
  onDevice(fn: (d: DeviceState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Called when the follower rebuilds itself from the chain, with the reason: `start` (no
   * snapshot), a snapshot that could not be used or did not match the chain, a missed event,
   * a root that differs from the chain's.
   */
  onResync(fn: (reason: string) => void): () => void {
    this.resyncListeners.add(fn);
    return () => this.resyncListeners.delete(fn);
  }

  /** Called when a snapshot could not be stored (the follower goes on; the next save retries). */
  onSaveError(fn: (error: Error) => void): () => void {
    this.saveErrorListeners.add(fn);
    return () => this.saveErrorListeners.delete(fn);
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
    for (const d of this.state.applyTransaction(tx)) for (const fn of this.listeners) fn(d);
    if (this.state.gap) {
      const reason = this.state.gap;
      this.state.gap = undefined;
      void this.resync(reason).catch(() => undefined);
    }
    this.scheduleSave();
  }

  /**
   * Rebuilds the replica from the network's transactions as the chain serves them (missed or
   * unreadable events, a root that does not match). Live transactions that arrive meanwhile
   * are applied after it. Concurrent calls share one rebuild.
   */
  resync(reason: string): Promise<void> {
    this.resyncing ??= this.exclusive(() => this.rebuild(reason));
    return this.resyncing;
  }

  /**
   * Runs `work` (a rebuild) while live transactions wait in `pending`, then applies them in
   * the order they came (those the rebuild saw already are no-ops).
   */
  private exclusive(work: () => Promise<void>): Promise<void> {
    this.pending ??= [];
    return (async () => {
      try {
        await work();
      } finally {
        const late = this.pending ?? [];
        this.pending = undefined;
        this.resyncing = undefined;
        for (const tx of late) this.applyTransaction(tx);
        this.scheduleSave();
      }
    })();
  }

  /** The whole history, then what arrived meanwhile, into a fresh replica. */
  private async rebuild(reason: string): Promise<void> {
    const t0 = Date.now();
    const history = await this.chain.history(this.network);
    const fresh = new Replica(this.network, this.registry);
    const changed: DeviceState[] = [];
    for (const tx of [...history, ...(this.pending ?? [])])
      changed.push(...fresh.applyTransaction(tx));
    fresh.gap = undefined;
    this.state = fresh;
    this.backfill = { from: 'history', transactions: history.length, ms: Date.now() - t0 };
    if (reason !== 'start') this.resyncs += 1;
    for (const fn of this.resyncListeners) fn(reason);
    for (const d of changed) for (const fn of this.listeners) fn(d);
  }

  /** Starts from the store's snapshot when it can be used, else from the whole history. */
  private async restore(): Promise<void> {
    const t0 = Date.now();
    let restored: { replica: Replica; changed: DeviceState[]; read: number } | string;
    try {
      restored = await this.restoreSnapshot();
    } catch (e) {
      // The store could not be read, or the chain failed on the way: the whole history.
      restored = `snapshot not restored: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (typeof restored === 'string') return this.rebuild(restored);
    this.state = restored.replica;
    this.backfill = { from: 'snapshot', transactions: restored.read, ms: Date.now() - t0 };
    for (const d of restored.changed) for (const fn of this.listeners) fn(d);
  }

  /**
   * The snapshot, brought up to date with the transactions after its cursor and those that
   * arrived meanwhile, once every tree matches its on-chain account; or why it cannot be used
   * ('start' when there is none).
   */
  private async restoreSnapshot(): Promise<
    { replica: Replica; changed: DeviceState[]; read: number } | string
  > {
    const raw = await this.store!.load();
    if (raw === undefined) return 'start';
    const decoded = decodeFollowerSnapshot(raw, {
      network: this.network,
      registryProgramId: this.registry,
      recordedSeqsPerDevice: RECORDED_SEQS_PER_DEVICE,
    });
    if (!decoded.ok) return `snapshot unusable: ${decoded.reason}`;
    const replica = Replica.from(this.network, this.registry, decoded.parts);
    const newer = await this.chain.history(this.network, { until: replica.cursor!.signature });
    const changed: DeviceState[] = [];
    for (const tx of newer) changed.push(...replica.applyTransaction(tx));
    let caught = 0;
    const catchUp = () => {
      const pending = this.pending ?? [];
      for (; caught < pending.length; caught++)
        changed.push(...replica.applyTransaction(pending[caught]!));
    };
    const mismatch = await this.checkAgainstChain(replica, catchUp);
    if (mismatch) return `snapshot does not match the chain: ${mismatch}`;
    return { replica, changed, read: newer.length };
  }

  /**
   * Checks every tree of `replica` against its on-chain account. The root after the
   * replica's change must be the one the account's changelog holds for that change (it keeps
   * the last `max_buffer_size`), and the replica must reach the change the chain was at when
   * first read: a tree behind it waits, up to `verifyWaitMs`, for live events to bring the
   * rest (a network that moved on during the backfill); a replica that stays behind (changes
   * missing before its cursor) is not served. Returns what does not match, or undefined.
   */
  private async checkAgainstChain(
    replica: Replica,
    catchUp: () => void,
  ): Promise<string | undefined> {
    catchUp();
    if (replica.gap) return replica.gap;
    for (const tree of replica.trees.values()) {
      const name = `tree ${tree.address.toBase58()}`;
      const deadline = Date.now() + this.verifyWaitMs;
      let target: bigint | undefined;
      for (;;) {
        catchUp();
        if (replica.gap) return replica.gap;
        const info = await this.chain.getAccountInfo(tree.address);
        if (!info) return `${name} is not on the chain`;
        let onChain: bigint;
        let root: Uint8Array | undefined;
        try {
          onChain = treeAccountSequenceNumber(info.data);
          root = treeAccountRootAt(info.data, tree.seq);
        } catch (e) {
          return `${name}: ${e instanceof Error ? e.message : String(e)}`;
        }
        target ??= onChain;
        if (root && !sameBytes(root, tree.replica.root))
          return `${name}: the root after change ${tree.seq} differs from the chain's`;
        if (root && tree.seq >= target) break;
        if (Date.now() > deadline)
          return `${name}: the replica is at change ${tree.seq}, the chain at ${onChain}`;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return undefined;
  }

  /** A snapshot is due: at most one per `saveIntervalMs`. */
  private scheduleSave(): void {
    if (!this.store || this.stopped) return;
    this.dirty = true;
    if (this.saveTimer !== undefined) return;
    const wait = Math.max(0, this.lastSaveAt + this.saveIntervalMs - Date.now());
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save().catch((e: unknown) => {
        const error = e instanceof Error ? e : new Error(String(e));
        for (const fn of this.saveErrorListeners) fn(error);
      });
    }, wait);
    // A pending save must not keep a Node process alive (browsers have no unref).
    (this.saveTimer as { unref?: () => void }).unref?.();
  }

  /**
   * Stores a snapshot now if the replica changed since the last one (not while a rebuild is
   * under way: the replica is then the one being replaced). Resolves once it is stored.
   */
  async save(): Promise<void> {
    const store = this.store;
    if (!store || !this.dirty || this.pending) return this.saving;
    const snapshot = encodeFollowerSnapshot(
      { network: this.network, registryProgramId: this.registry },
      this.state,
    );
    if (!snapshot) return this.saving;
    this.dirty = false;
    this.lastSaveAt = Date.now();
    this.saving = this.saving
      .catch(() => undefined)
      .then(() => store.save(snapshot))
      .then(
        () => {
          this.snapshotsSaved += 1;
        },
        (e: unknown) => {
          this.dirty = true; // the next save tries again
          throw e;
        },
      );
    return this.saving;
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
