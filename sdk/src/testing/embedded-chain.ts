/**
 * The embedded implementation of `Chain` (chain.ts): a LiteSVM `LocalChain` behind the same
 * interface as JSON-RPC, for tests and the local network.
 */
import type {
  AccountInfo,
  PublicKey,
  Signer,
  Transaction,
  VersionedTransaction,
} from '@solana/web3.js';
import type { Buffer } from 'buffer';
import {
  historyInPages,
  type Chain,
  type ChainTransaction,
  type HistoryOptions,
  type HistoryPage,
  type HistoryPageOptions,
  type SendOptions,
  type SignatureCommitment,
  type TransactionListener,
  type TxResult,
} from '../chain.ts';
import type { LocalChain } from './local-chain.ts';

export class EmbeddedChain implements Chain {
  readonly kind = 'embedded' as const;
  private readonly unsubscribes = new Set<() => void>();

  constructor(readonly local: LocalChain) {}

  /** Runs the transaction at once: nothing is ever in flight, so `SendOptions` change nothing. */
  send(
    tx: Transaction | VersionedTransaction,
    signers: Signer[],
    _o?: SendOptions,
  ): Promise<TxResult> {
    try {
      return Promise.resolve(this.local.send(tx, signers));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  getAccountInfo(pubkey: PublicKey): Promise<AccountInfo<Buffer> | null> {
    return Promise.resolve(this.local.getAccountInfo(pubkey));
  }

  onTransaction(address: PublicKey, fn: TransactionListener): () => void {
    const off = this.local.onTransaction(address, fn);
    this.unsubscribes.add(off);
    return () => {
      off();
      this.unsubscribes.delete(off);
    };
  }

  history(address: PublicKey, o?: HistoryOptions): Promise<ChainTransaction[]> {
    return Promise.resolve(this.local.history(address, o));
  }

  /** The history in memory, cut into pages. */
  historyPages(address: PublicKey, o: HistoryPageOptions = {}): AsyncIterable<HistoryPage> {
    return historyInPages(this.local.history(address, o), o.pageSize);
  }

  historyNow(address: PublicKey, o?: HistoryOptions): ChainTransaction[] {
    return this.local.history(address, o);
  }

  slot(): Promise<bigint> {
    return Promise.resolve(this.local.svm.getClock().slot);
  }

  recentSlot(): Promise<bigint> {
    return Promise.resolve(this.local.svm.getSlotHashes()[0]!.slot);
  }

  waitPastSlot(slot: bigint): Promise<void> {
    if (this.local.svm.getClock().slot <= slot) this.local.svm.warpToSlot(slot + 1n);
    return Promise.resolve();
  }

  finalizedSlot(): Promise<bigint> {
    return this.slot();
  }

  /** LiteSVM has no forks: a transaction it ran successfully is final. */
  signatureStatuses(signatures: readonly string[]): Promise<(SignatureCommitment | null)[]> {
    return Promise.resolve(
      signatures.map((s) => (this.local.hasTransaction(s) ? 'finalized' : null)),
    );
  }

  close(): Promise<void> {
    for (const off of this.unsubscribes) off();
    this.unsubscribes.clear();
    return Promise.resolve();
  }
}
