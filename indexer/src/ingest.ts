/**
 * Ingest: a network's transactions, through the `Chain` interface (embedded LiteSVM or
 * JSON-RPC), into the store and the tree replicas.
 *
 * - Start: the replicas are rebuilt from the store; the history after the store's cursor
 *   (`chain.historyPages(network, { until })`; all of it on a fresh store) is applied page by
 *   page while it is read, then the live transactions that arrived meanwhile
 *   (`onTransaction`), in order. `begin()` returns once the replicas are loaded (the server
 *   answers meanwhile with what is applied: `slot` says how far); `backfill` tells how far
 *   the backfill is; `backfilled` resolves once it is applied.
 * - A page of the history is applied in one database transaction with its rows and the
 *   cursor, a live transaction in one of its own: killed at any point, the next start resumes
 *   after the last page committed. One seen twice changes nothing (its signature is in
 *   `transactions`).
 * - Per tree, each change's sequence number must be the next one. A change that skips one
 *   (a transaction the live feed missed) is not applied: the history after the cursor is read
 *   again and applied in order (the gap repaired). Where the history does not hold the missing
 *   change yet (the node announced the later one first), the live transaction is left to the
 *   next poll's history read; a gap the chain's history cannot fill stops ingest (health
 *   `failed`) rather than skip a change.
 * - After each applied batch (the backfill, each live transaction) every changed tree's
 *   replica root is compared with the root the tree account's changelog holds for the same
 *   sequence number; a tree that differs is rebuilt from the chain's whole history (replica
 *   and `tree_leaves`); one the history cannot rebuild to the chain's root is marked out of
 *   sync and its proofs are refused.
 * - A poll (`pollMs`) reads the chain's slot, then the history after the cursor: what it finds
 *   is applied (missed live transactions), and the indexer is then complete up to that slot
 *   (`slot`, every answer's `context.slot`).
 * - Finality: transactions are applied once `confirmed`. After the backfill and at each poll,
 *   the applied transactions up to the cluster's finalized slot are looked up
 *   (getSignatureStatuses): when all are `finalized`, `finalizedSlot` (every answer's
 *   `context.finalizedSlot`, kept in the store) moves there, and whatever an answer holds at or
 *   before it cannot be rolled back. One the cluster no longer holds (its fork was abandoned)
 *   on `ROLLBACK_STRIKES` polls in a row stops ingest (health `failed`, the signature named)
 *   rather than keep serving it.
 */
import { PublicKey } from '@solana/web3.js';
import {
  DEFAULT_HISTORY_PAGE_SIZE,
  DEVICE_REGISTRY_TYPES,
  LOCALNET_PROGRAM_IDS,
  MerkleReplica,
  fromHex,
  verifyingKeyHash,
  treeAccountRootAt,
  treeAccountSequenceNumber,
  type Chain,
  type ChainTransaction,
  type ProgramIds,
} from '@zkpin/sdk';
import type { Logger } from 'pino';
import { IndexerError } from './errors.ts';
import type { AppliedTransaction, IndexerStore, TreeHead } from './store.ts';
import { TransactionDecoder, isTreeChange, type Change } from './transaction-decoder.ts';
import { TreeReplicas, type TreeState } from './tree-replicas.ts';

export interface IngestOptions {
  programIds?: ProgramIds;
  /** Between two polls of the chain's slot and history, ms (default 1,000; 0: no poll). */
  pollMs?: number;
  /** Transactions of the history read and written per page, one database transaction (default 256). */
  pageSize?: number;
  log?: Logger;
}

export type IngestStatus = 'starting' | 'ok' | 'failed';

/** How far the start's backfill is. */
export interface BackfillProgress {
  /** Transactions the history after the cursor held when it was listed (0 until then). */
  total: number;
  /** Of those, how many are applied (committed). */
  applied: number;
  /** When the backfill began (ms since the epoch). */
  startedAt: number;
  /** When it ended (applied and the live transactions of meanwhile too); undefined while under way. */
  finishedAt?: number;
}

/** A transaction's changes, applied to the replicas and ready to be written. */
interface Prepared {
  applied: AppliedTransaction;
  undo(): void;
}

/** How long a gap in the chain's history may last before ingest stops on it, ms. */
const GAP_GRACE_MS = 30_000;
const GAP_RETRY_MS = 500;

/**
 * Polls in a row on which the cluster must not know an applied transaction, past its slot's
 * finality, before it counts as rolled back (one answer can be a lagging or flaky node).
 */
const ROLLBACK_STRIKES = 3;

/** A change that is not its tree's next one. */
class GapError extends IndexerError {
  constructor(message: string, context: Record<string, unknown>) {
    super('INDEXER_GAP', message, context);
  }
}

export class Ingest {
  replicas = new TreeReplicas();
  status: IngestStatus = 'starting';
  reason: string | null = null;
  /** Complete up to this slot: every transaction of the network at or before it is applied. */
  slot = 0;
  /**
   * Final up to this slot: every applied transaction at or before it was found finalized by
   * the cluster (0 until the first check).
   */
  finalizedSlot = 0;
  readonly stats = {
    transactions: 0,
    events: 0,
    duplicates: 0,
    gapsRepaired: 0,
    /** Live transactions after a gap the history did not fill yet: left to the next poll. */
    liveDeferred: 0,
    /** Trees whose replica root differed from the chain's, rebuilt from the history. */
    treesRepaired: 0,
    rootChecks: 0,
    rootMismatches: 0,
    backfillTransactions: 0,
    backfillMs: 0,
    /** Applied transactions the cluster no longer holds (rolled back with their fork). */
    rolledBack: 0,
  };

  /** The deployment's program ids (device_registry's names the follower snapshots). */
  readonly programIds: ProgramIds;
  private readonly decoder: TransactionDecoder;
  private readonly networkKey: string;
  private readonly pollMs: number;
  private readonly pageSize: number;
  private readonly log: Logger | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Live transactions that arrived before the backfill was applied. */
  private pending: ChainTransaction[] | undefined = [];
  /** Everything that touches the store or the replicas runs here, one after the other. */
  private queue: Promise<void> = Promise.resolve();
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly slotWaiters = new Set<() => void>();
  /** Signature → polls in a row on which the cluster did not know it (see ROLLBACK_STRIKES). */
  private readonly missing = new Map<string, number>();
  /** The start's backfill: undefined before `begin()`. */
  backfill: BackfillProgress | undefined;
  /** Resolves once the start's backfill is applied; rejects with what stopped it. */
  backfilled: Promise<void> = Promise.resolve();

  constructor(
    readonly chain: Chain,
    readonly store: IndexerStore,
    readonly network: PublicKey,
    o: IngestOptions = {},
  ) {
    this.programIds = o.programIds ?? LOCALNET_PROGRAM_IDS;
    this.decoder = new TransactionDecoder(network, this.programIds);
    this.networkKey = network.toBase58();
    this.pollMs = o.pollMs ?? 1_000;
    this.pageSize = o.pageSize ?? DEFAULT_HISTORY_PAGE_SIZE;
    this.log = o.log;
  }

  /** Subscribes, backfills, then follows; resolves once the backfill is applied. */
  async start(): Promise<void> {
    await this.begin();
    await this.backfilled;
  }

  /**
   * Subscribes and loads the replicas from the store; the backfill then runs behind (see
   * `backfill`, `backfilled`), followed by the live transactions and the polls.
   */
  async begin(): Promise<void> {
    this.stopped = false;
    this.unsubscribe = this.chain.onTransaction(this.network, (tx) => {
      if (this.pending) this.pending.push(tx);
      // A failure is recorded by the queue (status `failed`, with the reason).
      else this.enqueue(() => this.live(tx)).catch(() => undefined);
    });
    await this.enqueue(async () => {
      this.replicas = await TreeReplicas.load(this.store, this.networkKey);
      this.finalizedSlot = await this.store.finalizedSlot(this.networkKey);
    });
    this.backfill = { total: 0, applied: 0, startedAt: Date.now() };
    this.backfilled = this.enqueue(() => this.runBackfill(this.backfill!));
    // Its failure is recorded by the queue; whoever awaits `backfilled` sees it too.
    this.backfilled.catch(() => undefined);
    this.schedulePoll();
  }

  private async runBackfill(progress: BackfillProgress): Promise<void> {
    const chainSlot = Number(await this.chain.slot());
    await this.catchUpPatiently(progress);
    const read = progress.applied;
    const late = this.pending ?? [];
    this.pending = undefined;
    for (const tx of late) if (await this.applyOrRepair(tx)) this.advanceSlot(tx.slot);
    await this.checkRoots([...this.replicas.trees.keys()]);
    progress.finishedAt = Date.now();
    this.stats.backfillTransactions = read;
    this.stats.backfillMs = progress.finishedAt - progress.startedAt;
    this.advanceSlot(chainSlot);
    await this.confirmFinality();
    if (this.status === 'starting') this.status = 'ok';
    this.log?.info(
      {
        transactions: read,
        ms: this.stats.backfillMs,
        perSecond: Math.round((read * 1000) / Math.max(1, this.stats.backfillMs)),
      },
      'backfill applied',
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.pollTimer !== undefined) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    await this.idle();
    for (const w of this.slotWaiters) w();
  }

  /** Resolves once everything queued so far is applied. */
  async idle(): Promise<void> {
    for (;;) {
      const q = this.queue;
      await q;
      if (q === this.queue) return;
    }
  }

  /** Resolves true once `slot` is reached, false after `timeoutMs`. */
  waitForSlot(slot: number, timeoutMs: number): Promise<boolean> {
    if (this.slot >= slot) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.slotWaiters.delete(check);
        resolve(ok);
      };
      const check = () => {
        if (this.slot >= slot || this.stopped) done(this.slot >= slot);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.slotWaiters.add(check);
    });
  }

  /** Applies a transaction now (through the queue): what the live feed does; tests call it too. */
  applyTransaction(tx: ChainTransaction): Promise<void> {
    return this.enqueue(() => this.live(tx));
  }

  /** Reads the chain's slot and the history after the cursor, applies it; see the file comment. */
  poll(): Promise<void> {
    return this.enqueue(async () => {
      if (this.status === 'failed') return;
      const chainSlot = Number(await this.chain.slot());
      await this.catchUpPatiently();
      this.advanceSlot(chainSlot);
      await this.confirmFinality();
    });
  }

  /**
   * Moves `finalizedSlot` up to the cluster's finalized slot (at most `slot`) once every
   * transaction applied in between is `finalized`; stops at the first one that is not yet. One
   * the cluster does not hold on `ROLLBACK_STRIKES` checks in a row, though its slot is
   * finalized, was rolled back: ingest stops (see the file comment).
   */
  private async confirmFinality(): Promise<void> {
    const target = Math.min(Number(await this.chain.finalizedSlot()), this.slot);
    if (target <= this.finalizedSlot) return;
    const applied = await this.store.transactionsInSlots(
      this.networkKey,
      this.finalizedSlot,
      target,
    );
    const statuses = await this.chain.signatureStatuses(applied.map((t) => t.signature));
    let reached = target;
    for (const [i, t] of applied.entries()) {
      const status = statuses[i];
      if (status === 'finalized') {
        this.missing.delete(t.signature);
        continue;
      }
      reached = t.slot - 1;
      if (status === null || status === undefined) {
        const strikes = (this.missing.get(t.signature) ?? 0) + 1;
        this.missing.set(t.signature, strikes);
        if (strikes >= ROLLBACK_STRIKES) {
          this.stats.rolledBack += 1;
          throw new IndexerError(
            'INDEXER_ROLLED_BACK',
            `transaction ${t.signature} (slot ${t.slot}) was applied as confirmed, but the cluster's finalized chain does not hold it (rolled back with its fork): answers after slot ${this.finalizedSlot} may hold its changes; re-index from slot ${this.finalizedSlot}`,
            { signature: t.signature, slot: t.slot, finalizedSlot: this.finalizedSlot },
          );
        }
      }
      break;
    }
    if (reached <= this.finalizedSlot) return;
    await this.store.setFinalizedSlot(this.networkKey, reached);
    this.finalizedSlot = reached;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work);
    this.queue = run.catch((e: unknown) => this.fail(e));
    return run;
  }

  private fail(e: unknown): void {
    this.status = 'failed';
    this.reason = e instanceof Error ? e.message : String(e);
    if (!this.stopped) this.log?.error({ err: e }, 'ingest stopped');
  }

  private schedulePoll(): void {
    if (this.pollMs <= 0 || this.stopped) return;
    this.pollTimer = setTimeout(() => {
      this.poll()
        .catch((e: unknown) => this.log?.warn({ err: e }, 'poll failed'))
        .finally(() => this.schedulePoll());
    }, this.pollMs);
    this.pollTimer.unref();
  }

  private advanceSlot(slot: number): void {
    if (slot <= this.slot) return;
    this.slot = slot;
    for (const w of [...this.slotWaiters]) w();
  }

  /**
   * `catchUp`, read again while the history holds a gap, for up to `GAP_GRACE_MS`: a node may
   * list a transaction a moment before the one before it (its history is filled per
   * transaction, not per slot). A gap that outlasts it is thrown (ingest stops there).
   */
  private async catchUpPatiently(progress?: BackfillProgress): Promise<void> {
    const since = Date.now();
    for (;;) {
      try {
        await this.catchUp(progress);
        return;
      } catch (e) {
        if (!(e instanceof GapError) || this.stopped || Date.now() - since > GAP_GRACE_MS) throw e;
        this.log?.warn({ gap: e.message }, 'the history holds a gap: reading it again');
        await new Promise((r) => setTimeout(r, GAP_RETRY_MS));
      }
    }
  }

  /**
   * The history after the cursor, applied page by page as it is read (each page committed
   * with the cursor); returns how many transactions were read. After each page the indexer is
   * complete up to the slot before the page's last transaction (the next page may hold more
   * of that slot), after the last one up to its slot.
   */
  private async catchUp(progress?: BackfillProgress): Promise<number> {
    const cursor = await this.store.cursor(this.networkKey);
    const changed = new Set<string>();
    // A read again after a gap adds to the progress of the ones before.
    const base = progress?.applied ?? 0;
    let read = 0;
    for await (const page of this.chain.historyPages(this.network, {
      until: cursor?.signature,
      pageSize: this.pageSize,
    })) {
      if (progress) progress.total = base + page.total;
      for (const t of await this.applyBatch(page.transactions)) changed.add(t);
      read += page.transactions.length;
      if (progress) progress.applied = base + read;
      const last = page.transactions.at(-1);
      if (last) this.advanceSlot(read >= page.total ? last.slot : last.slot - 1);
      // Stopping: what is applied is committed; the next start resumes after it.
      if (this.stopped && read < page.total)
        throw new IndexerError('INDEXER_STOPPED', 'ingest stopped during a history read', {
          applied: read,
          total: page.total,
        });
    }
    await this.checkRoots([...changed]);
    return read;
  }

  /** A live transaction: applied, or a gap repaired from the history; then its trees checked. */
  private async live(tx: ChainTransaction): Promise<void> {
    if (this.status === 'failed') return;
    const trees = await this.applyOrRepair(tx);
    if (!trees) return;
    this.advanceSlot(tx.slot);
    await this.checkRoots(trees);
  }

  /**
   * Applies a live transaction; on a gap, the history after the cursor first. Returns the
   * trees it changed, or undefined when the history does not hold the missing change yet (a
   * node announces a transaction before its history serves the one before it): the
   * transaction is then left to the history too, which the next poll reads in order (a gap the
   * history never fills stops that poll, and ingest, there).
   */
  private async applyOrRepair(tx: ChainTransaction): Promise<string[] | undefined> {
    try {
      return await this.apply(tx);
    } catch (e) {
      if (!(e instanceof GapError)) throw e;
      this.log?.warn({ signature: tx.signature, gap: e.message }, 'gap: reading the history again');
      try {
        await this.catchUp();
        // Applied by the history (a no-op then), or after what it brought.
        const trees = await this.apply(tx);
        this.stats.gapsRepaired += 1;
        return trees;
      } catch (again) {
        if (!(again instanceof GapError)) throw again;
        this.stats.liveDeferred += 1;
        this.log?.warn(
          { signature: tx.signature, gap: again.message },
          'the history does not hold the missing change yet: left to the next poll',
        );
        return undefined;
      }
    }
  }

  /**
   * Applies one transaction; returns the trees it changed. Throws a GapError, having changed
   * nothing, when one of its tree changes is not its tree's next.
   */
  private async apply(tx: ChainTransaction): Promise<string[]> {
    if (await this.store.hasTransaction(tx.signature)) {
      this.stats.duplicates += 1;
      return [];
    }
    const p = await this.prepare(tx);
    let applied: boolean;
    try {
      applied = await this.store.apply(this.networkKey, p.applied);
    } catch (e) {
      p.undo();
      throw e;
    }
    if (!applied) {
      p.undo();
      this.stats.duplicates += 1;
      return [];
    }
    this.counted([p]);
    return [...p.applied.heads.keys()];
  }

  /**
   * Applies `txs` (history, in order) in one database transaction; returns the trees they
   * changed. A failed write undoes the batch's replica changes and throws; a gap undoes them
   * and applies the transactions one by one instead (which commits those before the gap and
   * throws there).
   */
  private async applyBatch(txs: readonly ChainTransaction[]): Promise<string[]> {
    const known = await this.store.knownSignatures(txs.map((t) => t.signature));
    const prepared: Prepared[] = [];
    const undoAll = () => {
      for (const p of [...prepared].reverse()) p.undo();
    };
    try {
      for (const tx of txs) {
        if (known.has(tx.signature)) {
          this.stats.duplicates += 1;
          continue;
        }
        known.add(tx.signature);
        prepared.push(await this.prepare(tx));
      }
      await this.store.applyMany(
        this.networkKey,
        prepared.map((p) => p.applied),
      );
    } catch (e) {
      undoAll();
      if (!(e instanceof GapError)) throw e;
      const trees = new Set<string>();
      for (const tx of txs) for (const t of await this.apply(tx)) trees.add(t);
      return [...trees];
    }
    this.counted(prepared);
    return [...new Set(prepared.flatMap((p) => [...p.applied.heads.keys()]))];
  }

  private counted(ps: readonly Prepared[]): void {
    for (const p of ps) {
      this.stats.transactions += 1;
      this.stats.events += p.applied.changes.length;
    }
  }

  /**
   * Decodes `tx`, checks its tree changes are the next ones and applies them to the replicas;
   * `undo` reverts that (when the write fails). Throws a GapError, having changed nothing.
   */
  private async prepare(tx: ChainTransaction): Promise<Prepared> {
    const changes = this.decoder.decode(tx);
    this.checkContiguous(tx, changes);
    const vkHashes = new Map<string, Uint8Array>();
    for (const c of changes)
      if (c.kind === 'model') {
        const vk = await this.modelVkHash(c.address);
        if (vk) vkHashes.set(c.address, vk);
      }
    const undo: (() => void)[] = [];
    const heads = new Map<string, TreeHead>();
    for (const c of changes) {
      if (c.kind === 'tree' && !this.replicas.trees.has(c.address)) {
        const replica = new MerkleReplica(c.maxDepth);
        this.replicas.trees.set(c.address, {
          address: c.address,
          kind: c.treeKind,
          number: c.number,
          maxDepth: c.maxDepth,
          maxBufferSize: c.maxBufferSize,
          canopyDepth: c.canopyDepth,
          seq: 0n,
          replica,
        });
        undo.push(() => this.replicas.trees.delete(c.address));
        heads.set(c.address, { seq: 0n, root: replica.root });
      }
      if (!isTreeChange(c)) continue;
      const t = this.replicas.get(c.tree)!;
      const before = { leaf: t.replica.leaf(c.leafIndex), size: t.replica.size, seq: t.seq };
      undo.push(() => {
        t.replica.set(c.leafIndex, before.leaf);
        t.replica.size = before.size;
        t.seq = before.seq;
      });
      t.replica.set(c.leafIndex, c.leaf);
      t.seq = c.treeSeq;
      heads.set(c.tree, { seq: t.seq, root: t.replica.root });
    }
    return {
      applied: { signature: tx.signature, slot: tx.slot, changes, heads, vkHashes },
      undo: () => {
        for (const u of undo.reverse()) u();
      },
    };
  }

  /** Throws a GapError when a tree change of `changes` is not its tree's next one. */
  private checkContiguous(tx: ChainTransaction, changes: Change[]): void {
    const next = new Map<string, bigint>();
    for (const c of changes) {
      if (c.kind === 'tree') next.set(c.address, this.replicas.get(c.address)?.seq ?? 0n);
      if (!isTreeChange(c)) continue;
      const at = next.get(c.tree) ?? this.replicas.get(c.tree)?.seq;
      if (at === undefined)
        throw new GapError(
          `transaction ${tx.signature} changes tree ${c.tree}, which is not known`,
          {
            signature: tx.signature,
            tree: c.tree,
          },
        );
      if (c.treeSeq !== at + 1n)
        throw new GapError(
          `transaction ${tx.signature} brings change ${c.treeSeq} of tree ${c.tree}, which is at ${at}`,
          { signature: tx.signature, tree: c.tree, at: at.toString(), seq: c.treeSeq.toString() },
        );
      next.set(c.tree, c.treeSeq);
    }
  }

  /** sha256 of the Model account's verifying key (undefined when the account is unreadable). */
  private async modelVkHash(model: string): Promise<Uint8Array | undefined> {
    try {
      const info = await this.chain.getAccountInfo(new PublicKey(model));
      if (!info) return undefined;
      const decoded = DEVICE_REGISTRY_TYPES.decode<{ vk: number[] }>(
        'Model',
        info.data.subarray(8),
      );
      return fromHex(verifyingKeyHash(Uint8Array.from(decoded.vk)));
    } catch (e) {
      this.log?.warn({ err: e, model }, 'model account not read: vk hash left null');
      return undefined;
    }
  }

  /**
   * Compares each tree's replica root with the root its account's changelog holds for the
   * replica's sequence number. A tree the chain has moved past its changelog (or a node
   * behind the indexer) cannot be checked now; it is checked again after its next change.
   */
  private async checkRoots(trees: string[]): Promise<void> {
    for (const address of trees) {
      const t = this.replicas.get(address);
      if (!t) continue;
      const info = await this.chain.getAccountInfo(new PublicKey(address));
      if (!info) continue;
      const onChain = treeAccountRootAt(info.data, t.seq);
      if (!onChain) {
        this.log?.debug(
          {
            tree: address,
            seq: t.seq.toString(),
            chain: treeAccountSequenceNumber(info.data).toString(),
          },
          'root not checkable now',
        );
        continue;
      }
      this.stats.rootChecks += 1;
      const root = t.replica.root;
      if (onChain.every((b, i) => b === root[i])) {
        t.outOfSync = undefined;
        continue;
      }
      this.stats.rootMismatches += 1;
      this.log?.error({ tree: address, seq: t.seq.toString() }, 'replica root differs: rebuilding');
      if (await this.rebuildTree(t, onChain)) {
        t.outOfSync = undefined;
        this.stats.treesRepaired += 1;
        continue;
      }
      t.outOfSync = `the replica's root after change ${t.seq} differs from the chain's`;
      this.log?.error({ tree: address, seq: t.seq.toString() }, t.outOfSync);
    }
  }

  /**
   * Rebuilds a tree whose replica root differs from the chain's from the chain's whole
   * history (every change of the tree up to the replica's sequence number, contiguous from 1):
   * when the rebuilt root is `onChain`, the replica and the tree's rows in the store are
   * replaced by it and true is returned; otherwise nothing changes.
   */
  private async rebuildTree(t: TreeState, onChain: Uint8Array): Promise<boolean> {
    const changes: Parameters<IndexerStore['replaceTreeChanges']>[1][number][] = [];
    for (const tx of await this.chain.history(this.network))
      for (const c of this.decoder.decode(tx))
        if (isTreeChange(c) && c.tree === t.address && c.treeSeq <= t.seq)
          changes.push({ ...c, slot: tx.slot, signature: tx.signature });
    changes.sort((a, b) => (a.treeSeq < b.treeSeq ? -1 : a.treeSeq > b.treeSeq ? 1 : 0));
    if (changes.length !== Number(t.seq) || changes.some((c, i) => c.treeSeq !== BigInt(i + 1))) {
      this.log?.error(
        { tree: t.address, seq: t.seq.toString(), found: changes.length },
        "the chain's history does not hold every change of the tree: not rebuilt",
      );
      return false;
    }
    const replica = new MerkleReplica(t.maxDepth);
    for (const c of changes) replica.set(c.leafIndex, c.leaf);
    const root = replica.root;
    if (!onChain.every((b, i) => b === root[i])) return false;
    await this.store.replaceTreeChanges(t.address, changes, { seq: t.seq, root });
    t.replica = replica;
    this.log?.warn({ tree: t.address, seq: t.seq.toString() }, 'tree rebuilt from the chain');
    return true;
  }
}
