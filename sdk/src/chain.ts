/**
 * Chain access behind one interface with two implementations: JSON-RPC (`RpcChain`,
 * `SOLANA_RPC_URL`: devnet, mainnet, a local validator) and the embedded LiteSVM chain
 * (`EmbeddedChain` in `@zkpin/sdk/testing`: tests, the local network). Services depend on
 * `Chain` only.
 */
import {
  Connection,
  PublicKey,
  Transaction,
  VersionedTransaction,
  type AccountInfo,
  type Signer,
  type VersionedTransactionResponse,
} from '@solana/web3.js';
import { Buffer } from 'buffer';
import bs58 from 'bs58';
import { ChainError, type DeliveryReport } from './chain-errors.ts';
import {
  DEFAULT_RPC_SEND_OPTIONS,
  TransactionDelivery,
  type RpcSendOptions,
} from './rpc-delivery.ts';
import { JsonRpcClient, backoffDelay, faultTypedFetch, rpcFault, sleep } from './rpc-transport.ts';

export * from './chain-errors.ts';
export { DEFAULT_RPC_SEND_OPTIONS, type RpcSendOptions } from './rpc-delivery.ts';

/** One instruction a transaction ran (top level or invoked through CPI). */
export interface ChainInstruction {
  programId: PublicKey;
  data: Uint8Array;
  /** 1 for a top-level instruction, 2 for one it invoked, ... */
  stackHeight: number;
  /** Index of the top-level instruction this one ran under. */
  topLevelIndex: number;
}

/** A successful transaction as followers see it: what the chain keeps, whatever its logs hold. */
export interface ChainTransaction {
  signature: string;
  slot: number;
  logs: string[];
  /** Every account key of the transaction (lookup-table addresses included). */
  accountKeys: PublicKey[];
  /** The instructions invoked through CPI, in execution order (events are among them). */
  innerInstructions: ChainInstruction[];
  /**
   * The top-level instructions, in order (stack height 1): what an indexer reads instruction
   * arguments from (a Groth16 proof is in `submit_attestation`'s data, not in its event).
   * Absent where a chain did not record them.
   */
  instructions?: ChainInstruction[];
}

export interface TxResult extends ChainTransaction {
  computeUnits: number;
  returnData: Buffer;
  /** How the send went over JSON-RPC (broadcasts, fresh blockhashes, retried faults). */
  delivery?: DeliveryReport;
}

/**
 * One signed version of a transaction, as `RpcChain.send` broadcasts it: what a later attempt
 * needs to follow it to its end instead of signing a second live version.
 */
export interface InFlightTransaction {
  /** Base58 fee payer signature. */
  signature: string;
  /** The wire bytes, base64. */
  transaction: string;
  /** Last block height at which its blockhash is valid. */
  lastValidBlockHeight: number;
}

export interface SendOptions {
  /**
   * A version of this same transaction that an earlier attempt signed: it is followed first
   * (re-broadcast until it is confirmed or its blockhash expired), and `tx` is signed afresh
   * only when it did not land.
   */
  inFlight?: InFlightTransaction;
  /** Called with each version before its first broadcast (a throw stops the send there). */
  onSigned?(version: InFlightTransaction): Promise<void> | void;
  /**
   * Every version is followed until it is confirmed or its blockhash expired (a caller's last
   * attempt, which must not give up on a version that could still land): the send timeout is
   * ten times longer (a ceiling against a stalled cluster); RPC faults that outlast their
   * budget still end it.
   */
  untilSettled?: boolean;
}

export type TransactionListener = (tx: ChainTransaction) => void;

export interface HistoryOptions {
  /**
   * A cursor: only the transactions after this signature (exclusive), as a follower that
   * restarts from a snapshot reads them. A signature the chain does not know (another ledger,
   * pruned history) reads everything the chain serves, as `getSignaturesForAddress` does.
   */
  until?: string;
}

export interface HistoryPageOptions extends HistoryOptions {
  /** Transactions per page (default `DEFAULT_HISTORY_PAGE_SIZE`). */
  pageSize?: number;
}

/** One page of a history read oldest first (`Chain.historyPages`). */
export interface HistoryPage {
  /** The next transactions, oldest first. */
  transactions: ChainTransaction[];
  /** How many transactions the whole read holds (as listed when it began). */
  total: number;
}

export const DEFAULT_HISTORY_PAGE_SIZE = 256;

/** How `RpcChain` reads the history (`historyPages`). */
export interface RpcHistoryOptions {
  /** getTransaction requests in flight at once (default 16); pages still come out in order. */
  concurrency?: number;
  /** Attempts per request before the read stops with `CHAIN_HISTORY_UNREADABLE` (default 6). */
  attempts?: number;
  /** First backoff after a failed attempt, doubled each time up to 5 s (default 200 ms). */
  backoffMs?: number;
}

export const DEFAULT_RPC_HISTORY_OPTIONS: Required<RpcHistoryOptions> = {
  concurrency: 16,
  attempts: 6,
  backoffMs: 200,
};

/** Transactions already at hand as `historyPages` serves them (for chains that hold them). */
export function historyInPages(
  transactions: readonly ChainTransaction[],
  pageSize = DEFAULT_HISTORY_PAGE_SIZE,
): AsyncIterable<HistoryPage> {
  const size = Math.max(1, pageSize);
  return {
    [Symbol.asyncIterator]() {
      let at = 0;
      return {
        next(): Promise<IteratorResult<HistoryPage>> {
          if (at >= transactions.length) return Promise.resolve({ done: true, value: undefined });
          const page = transactions.slice(at, at + size);
          at += size;
          return Promise.resolve({
            done: false,
            value: { transactions: page, total: transactions.length },
          });
        },
      };
    },
  };
}

export interface Chain {
  readonly kind: 'embedded' | 'rpc';
  /**
   * Signs (first signer pays), sends and waits for confirmation. Throws on failure: a
   * `ChainError` (code `CHAIN_TX_FAILED` for a refusal, transient codes for RPC faults) or the
   * error of a signer. `o` matters to chains with a network in between (RpcChain).
   */
  send(
    tx: Transaction | VersionedTransaction,
    signers: Signer[],
    o?: SendOptions,
  ): Promise<TxResult>;
  getAccountInfo(pubkey: PublicKey): Promise<AccountInfo<Buffer> | null>;
  /**
   * Every successful transaction that mentions `address` from now on, in order, with its
   * inner instructions (where the programs' events are).
   */
  onTransaction(address: PublicKey, listener: TransactionListener): () => void;
  /**
   * The successful (confirmed) transactions that mention `address`, oldest first; with
   * `o.until`, only those after that signature.
   */
  history(address: PublicKey, o?: HistoryOptions): Promise<ChainTransaction[]>;
  /**
   * The same history in pages, oldest first, read while the caller consumes them: a follower
   * applies (and commits) each page before the next, so that a long backfill makes progress
   * it keeps. A transaction that cannot be read ends the iteration with an error, never with a
   * page that lacks it.
   */
  historyPages(address: PublicKey, o?: HistoryPageOptions): AsyncIterable<HistoryPage>;
  /**
   * The same history, answered synchronously: only chains that hold it in memory (the
   * embedded chain) have it, and followers then catch up before `start()` returns.
   */
  historyNow?(address: PublicKey, o?: HistoryOptions): ChainTransaction[];
  /** The chain's current (confirmed) slot. */
  slot(): Promise<bigint>;
  /**
   * A recent slot that the SlotHashes sysvar holds (finalized on a cluster): what an address
   * lookup table's address derives from.
   */
  recentSlot(): Promise<bigint>;
  /** Resolves once the chain is past `slot` (the embedded chain warps there). */
  waitPastSlot(slot: bigint): Promise<void>;
  /**
   * The cluster's newest finalized slot: no transaction at or before it can be rolled back
   * (a chain without forks, the embedded one, answers its current slot).
   */
  finalizedSlot(): Promise<bigint>;
  /**
   * How far each signature has come: `finalized`, `confirmed` or `processed`; null for one
   * the cluster does not hold on its chain (never landed, rolled back with its fork) or that
   * failed. Any number of signatures (an RPC node takes 256 per request; chunked here).
   */
  signatureStatuses(signatures: readonly string[]): Promise<(SignatureCommitment | null)[]>;
  close(): Promise<void>;
}

export type SignatureCommitment = 'processed' | 'confirmed' | 'finalized';

export class RpcChain implements Chain {
  readonly kind = 'rpc' as const;
  readonly connection: Connection;
  private readonly subscriptions: number[] = [];

  /** The send path's own client: typed faults, a timeout per request (rpc-transport.ts). */
  private readonly sendRpc: JsonRpcClient;
  private readonly sendConnection: Connection;
  private readonly sendOptions: Required<RpcSendOptions>;

  private readonly historyOptions: Required<RpcHistoryOptions>;

  /**
   * @param url the JSON-RPC endpoint
   * @param o.wsUrl its WebSocket endpoint, when it is not web3.js's guess (the RPC port + 1)
   * @param o.send budgets of `send` (rebroadcasts, fault retries, timeouts; rpc-delivery.ts)
   * @param o.history how `historyPages` reads (concurrency, retries)
   */
  constructor(
    url: string,
    o: { wsUrl?: string; send?: RpcSendOptions; history?: RpcHistoryOptions } = {},
  ) {
    this.connection = new Connection(url, {
      commitment: 'confirmed',
      wsEndpoint: o.wsUrl,
      // Anchor's `.rpc()` on this connection waits for the signature notification: a loaded
      // node can take longer than web3.js's 30 s to deliver it, for a transaction that landed.
      confirmTransactionInitialTimeout: 120_000,
    });
    this.historyOptions = { ...DEFAULT_RPC_HISTORY_OPTIONS, ...o.history };
    this.sendOptions = { ...DEFAULT_RPC_SEND_OPTIONS, ...o.send };
    this.sendRpc = new JsonRpcClient(url, this.sendOptions.requestTimeoutMs);
    this.sendConnection = new Connection(url, {
      commitment: 'confirmed',
      wsEndpoint: o.wsUrl,
      fetch: faultTypedFetch(this.sendOptions.requestTimeoutMs),
      disableRetryOnRateLimit: true,
    });
  }

  async slot(): Promise<bigint> {
    return BigInt(await this.connection.getSlot('confirmed'));
  }

  async recentSlot(): Promise<bigint> {
    return BigInt(await this.connection.getSlot('finalized'));
  }

  finalizedSlot(): Promise<bigint> {
    return this.recentSlot();
  }

  async signatureStatuses(signatures: readonly string[]): Promise<(SignatureCommitment | null)[]> {
    const out: (SignatureCommitment | null)[] = [];
    for (let i = 0; i < signatures.length; i += 256) {
      const { value } = await this.connection.getSignatureStatuses(
        signatures.slice(i, i + 256),
        // Transactions older than the node's status cache (~150 slots) are looked up too.
        { searchTransactionHistory: true },
      );
      for (const v of value) out.push(v && !v.err ? (v.confirmationStatus ?? null) : null);
    }
    return out;
  }

  async waitPastSlot(slot: bigint): Promise<void> {
    while ((await this.slot()) <= slot) await new Promise((r) => setTimeout(r, 200));
  }

  /**
   * Sends as a cluster needs it (rpc-delivery.ts): re-broadcasts until confirmed or expired,
   * a fresh blockhash only after an expired version was looked up and did not land, RPC
   * faults retried with backoff; gives up with a transient `ChainError` after its budgets.
   */
  async send(
    tx: Transaction | VersionedTransaction,
    signers: Signer[],
    o: SendOptions = {},
  ): Promise<TxResult> {
    const delivery = new TransactionDelivery(this.sendRpc, this.sendConnection, this.sendOptions);
    const { signature, info, delivery: report } = await delivery.run(tx, signers, o);
    return {
      ...toChainTransaction(signature, info),
      computeUnits: info.meta?.computeUnitsConsumed ?? 0,
      returnData: Buffer.from(
        (info.meta as { returnData?: { data: [string, string] } } | null)?.returnData?.data[0] ??
          '',
        'base64',
      ),
      delivery: report,
    };
  }

  getAccountInfo(pubkey: PublicKey): Promise<AccountInfo<Buffer> | null> {
    return this.connection.getAccountInfo(pubkey, 'confirmed');
  }

  /**
   * `logsSubscribe` with a `mentions` filter tells which transactions to read (it fires
   * whatever the logs hold); each is then read with `getTransaction`, one at a time so that
   * listeners see them in order, retried like the history's reads (a node may announce a
   * transaction before it serves it).
   */
  onTransaction(address: PublicKey, fn: TransactionListener): () => void {
    let queue = Promise.resolve();
    const id = this.connection.onLogs(
      address,
      (l) => {
        if (l.err) return;
        // A failed read must not stop the feed: the follower sees the missing change as a
        // tree_seq gap (or a root mismatch) and re-reads the history.
        queue = queue
          .then(async () => {
            fn(await this.historyTransaction(l.signature));
          })
          .catch(() => undefined);
      },
      'confirmed',
    );
    this.subscriptions.push(id);
    return () => {
      // Once: close() must not remove it again (web3.js warns about an unknown subscription).
      const at = this.subscriptions.indexOf(id);
      if (at < 0) return;
      this.subscriptions.splice(at, 1);
      void this.connection.removeOnLogsListener(id);
    };
  }

  async history(address: PublicKey, o: HistoryOptions = {}): Promise<ChainTransaction[]> {
    const out: ChainTransaction[] = [];
    for await (const page of this.historyPages(address, { ...o, pageSize: 1000 }))
      out.push(...page.transactions);
    return out;
  }

  /**
   * `getSignaturesForAddress` pages, newest first (`before` the last page's oldest, `until` the
   * cursor), then `getTransaction` for each, oldest first: up to `concurrency` requests in
   * flight and up to one page read ahead of the one the caller holds. A failed request is
   * retried with backoff (`attempts`); one that still fails, or a signature the node does not
   * return, ends the read with a `ChainError` `CHAIN_HISTORY_UNREADABLE`.
   */
  async *historyPages(address: PublicKey, o: HistoryPageOptions = {}): AsyncIterable<HistoryPage> {
    const pageSize = Math.max(1, o.pageSize ?? DEFAULT_HISTORY_PAGE_SIZE);
    const signatures = await this.historySignatures(address, o.until);
    const total = signatures.length;
    const limit = concurrencyLimit(this.historyOptions.concurrency);
    const ahead: Promise<ChainTransaction>[] = [];
    let next = 0;
    let closed = false;
    const fill = () => {
      while (next < total && ahead.length < pageSize * 2) {
        const signature = signatures[next++]!;
        const read = limit(() =>
          closed
            ? Promise.reject(new Error('history read closed'))
            : this.historyTransaction(signature),
        );
        // Handled when its turn comes; one left behind by a caller that stopped must not surface.
        read.catch(() => undefined);
        ahead.push(read);
      }
    };
    try {
      fill();
      while (ahead.length > 0) {
        const transactions: ChainTransaction[] = [];
        while (transactions.length < pageSize && ahead.length > 0) {
          transactions.push(await ahead.shift()!);
          fill();
        }
        yield { transactions, total };
      }
    } finally {
      closed = true;
    }
  }

  /** The successful signatures mentioning `address` after `until`, oldest first. */
  private async historySignatures(
    address: PublicKey,
    until: string | undefined,
  ): Promise<string[]> {
    const signatures: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await this.withRetries(
        'getSignaturesForAddress',
        { address: address.toBase58() },
        () =>
          this.connection.getSignaturesForAddress(
            address,
            { before, until, limit: 1000 },
            'confirmed',
          ),
      );
      for (const s of page) if (!s.err) signatures.push(s.signature);
      if (page.length < 1000) break;
      before = page[page.length - 1]!.signature;
    }
    return signatures.reverse();
  }

  /** One transaction the history listed: retried while the node faults or does not have it. */
  private historyTransaction(signature: string): Promise<ChainTransaction> {
    return this.withRetries('getTransaction', { signature }, async () => {
      const info = await this.connection.getTransaction(signature, {
        commitment: 'confirmed',
        maxSupportedTransactionVersion: 0,
      });
      if (!info) throw new MissingTransaction(signature);
      return toChainTransaction(signature, info);
    });
  }

  /**
   * `read`, retried with backoff after an RPC fault (or a listed transaction the node did not
   * return); anything else, or the last attempt's failure, throws `CHAIN_HISTORY_UNREADABLE`.
   */
  private async withRetries<T>(
    method: string,
    context: { signature?: string; address?: string },
    read: () => Promise<T>,
  ): Promise<T> {
    const { attempts, backoffMs } = this.historyOptions;
    for (let attempt = 1; ; attempt++) {
      try {
        return await read();
      } catch (e) {
        const fault = e instanceof MissingTransaction ? { summary: e.message } : rpcFault(e);
        if (!fault || attempt >= attempts) {
          const why = fault?.summary ?? (e instanceof Error ? e.message : String(e));
          const what = context.signature
            ? `transaction ${context.signature}`
            : `the signatures of ${context.address}`;
          throw new ChainError(
            `history: ${method} could not read ${what} after ${attempt} attempt(s): ${why}; ` +
              'the read stops here rather than skip it: check the RPC endpoint (SOLANA_RPC_URL) and start again',
            [],
            { method, signature: context.signature },
            'CHAIN_HISTORY_UNREADABLE',
          );
        }
        const retryAfter = 'retryAfterMs' in fault ? fault.retryAfterMs : undefined;
        await sleep(retryAfter ?? backoffDelay(attempt, backoffMs, 5_000));
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.subscriptions.map((id) => this.connection.removeOnLogsListener(id)));
  }
}

/** A signature `getSignaturesForAddress` listed that `getTransaction` did not return (yet). */
class MissingTransaction extends Error {
  constructor(readonly signature: string) {
    super(`the node returned no transaction for ${signature}, which it listed`);
  }
}

/** Runs at most `n` of the functions given at once, the others queued in order. */
function concurrencyLimit(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(f: () => Promise<T>): Promise<T> => {
    if (running < n) running += 1;
    // Its slot is handed over by the one that finishes.
    else await new Promise<void>((r) => waiting.push(r));
    try {
      return await f();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}

/** A `getTransaction` answer as a ChainTransaction (inner instructions resolved to program ids). */
function toChainTransaction(
  signature: string,
  info: VersionedTransactionResponse,
): ChainTransaction {
  const message = info.transaction.message;
  const loaded = info.meta?.loadedAddresses;
  const accountKeys = [
    ...message.staticAccountKeys,
    ...(loaded?.writable ?? []),
    ...(loaded?.readonly ?? []),
  ];
  const instructions: ChainInstruction[] = message.compiledInstructions.flatMap((ix, i) => {
    const programId = accountKeys[ix.programIdIndex];
    return programId
      ? [{ programId, data: Uint8Array.from(ix.data), stackHeight: 1, topLevelIndex: i }]
      : [];
  });
  const innerInstructions: ChainInstruction[] = [];
  for (const group of info.meta?.innerInstructions ?? []) {
    for (const ix of group.instructions) {
      const programId = accountKeys[ix.programIdIndex];
      if (!programId) continue;
      innerInstructions.push({
        programId,
        data: bs58.decode(ix.data),
        stackHeight: (ix as { stackHeight?: number }).stackHeight ?? 2,
        topLevelIndex: group.index,
      });
    }
  }
  return {
    signature,
    slot: info.slot,
    logs: info.meta?.logMessages ?? [],
    accountKeys,
    innerInstructions,
    instructions,
  };
}
