/**
 * Which record tree each relay job appends to. A network keeps several record trees (shards:
 * `init_tree` adds one); two attestations in the same block conflict only when they
 * write-lock the same tree, so jobs in flight at the same time take different trees: each
 * job leases the tree with the fewest jobs in flight (ties: the one leased least recently),
 * and gives it back when its send ends. Trees come from the ones given at start, else from
 * the follower's replica (every `TreeInitialized` of kind record), else from the Network
 * account (the tree `init_tree` added last). A tree the program calls full
 * (`RecordTreeFull`) or not this network's is set aside, and the list is read again.
 * Leases are per process: several relayers each spread their own jobs the same way.
 */
import type { Provider } from '@coral-xyz/anchor';
import type { PublicKey } from '@solana/web3.js';
import {
  TREE_KIND_RECORD,
  deviceRegistryProgram,
  type Chain,
  type NetworkFollower,
} from '@zkpin/sdk';

const registryCoder = deviceRegistryProgram({} as Provider).coder;

export interface RecordTreeLease {
  readonly tree: PublicKey;
  /** Gives the tree back (idempotent). */
  release(): void;
}

interface Slot {
  tree: PublicKey;
  inFlight: number;
  /** Monotonic counter of the last lease (round-robin among equally loaded trees). */
  lastLease: number;
}

export class RecordTreePool {
  private slots: Slot[] = [];
  private readonly full = new Set<string>();
  private leases = 0;

  constructor(
    private readonly chain: Chain,
    private readonly network: PublicKey,
    private readonly o: {
      trees?: readonly PublicKey[];
      follower?: NetworkFollower;
      /**
       * Where this pool starts in the tree list (e.g. the relayer's submitter key): relayers
       * with different keys start on different trees, so that their first jobs do not meet.
       */
      startKey?: PublicKey;
    } = {},
  ) {}

  /** The record trees jobs are spread over now (after the first `lease` or `refresh`). */
  get trees(): PublicKey[] {
    return this.slots.map((s) => s.tree);
  }

  /** Jobs in flight per tree (base58 → count). */
  get load(): Map<string, number> {
    return new Map(this.slots.map((s) => [s.tree.toBase58(), s.inFlight]));
  }

  /**
   * Leases the least-loaded record tree of the network. Without trees given at start, the
   * list follows the replica at every lease: a tree `init_tree` adds is used from then on, a
   * tree that fills up is dropped.
   */
  async lease(): Promise<RecordTreeLease> {
    const followsReplica = !this.o.trees?.length && this.o.follower !== undefined;
    if (this.slots.length === 0 || followsReplica) await this.refresh();
    let best = this.slots[0]!;
    for (const s of this.slots)
      if (
        s.inFlight < best.inFlight ||
        (s.inFlight === best.inFlight && s.lastLease < best.lastLease)
      )
        best = s;
    best.inFlight += 1;
    best.lastLease = ++this.leases;
    let released = false;
    return {
      tree: best.tree,
      release: () => {
        if (released) return;
        released = true;
        best.inFlight -= 1;
      },
    };
  }

  /** Sets `tree` aside (full, or refused by the program) and reads the list again. */
  async retire(tree: PublicKey): Promise<void> {
    this.full.add(tree.toBase58());
    await this.refresh();
  }

  /** Reads the network's record trees again, keeping the in-flight counts of known ones. */
  async refresh(): Promise<void> {
    const next = await this.discover();
    const old = new Map(this.slots.map((s) => [s.tree.toBase58(), s]));
    const k = this.o.startKey?.toBytes();
    const start = k ? ((k[0]! | (k[1]! << 8) | (k[2]! << 16)) >>> 0) % next.length : 0;
    const rotated = [...next.slice(start), ...next.slice(0, start)];
    this.slots = rotated.map(
      (tree) => old.get(tree.toBase58()) ?? { tree, inFlight: 0, lastLease: 0 },
    );
  }

  /** The given trees, else the follower's, else the Network account's last one; minus retired. */
  private async discover(): Promise<PublicKey[]> {
    const usable = (trees: readonly PublicKey[]) =>
      trees.filter((t) => !this.full.has(t.toBase58()));
    const given = usable(this.o.trees ?? []);
    if (given.length > 0) return given;
    const known = usable(
      [...(this.o.follower?.trees.values() ?? [])]
        .filter((t) => t.kind === TREE_KIND_RECORD && t.replica.size < 2 ** t.replica.depth)
        .map((t) => t.address),
    );
    if (known.length > 0) return known;
    const info = await this.chain.getAccountInfo(this.network);
    if (!info) throw new Error(`network account ${this.network.toBase58()} not found`);
    const n = registryCoder.accounts.decode<{ recordTree: PublicKey }>('network', info.data);
    // The tree init_tree added last: tried even if set aside before (it may be a new one).
    this.full.delete(n.recordTree.toBase58());
    return [n.recordTree];
  }
}
