/**
 * Delivery of one transaction over JSON-RPC (`RpcChain.send`), as a cluster needs it:
 *
 * 1. sign with a recent blockhash and broadcast, simulating first (a program's refusal comes
 *    back with its logs and nothing is forwarded);
 * 2. re-broadcast the same bytes every `rebroadcastMs`, without simulation, while polling the
 *    signature's status, until it is confirmed or the confirmed block height passes the
 *    blockhash's `lastValidBlockHeight`;
 * 3. once past it, ask for the signature once more with `searchTransactionHistory`: only when
 *    it did not land is the transaction signed again with a fresh blockhash (at most
 *    `maxResigns` times), so that two versions of it are never live at once;
 * 4. every RPC fault (connection refused or reset, timeout, HTTP 429 with its Retry-After,
 *    5xx) is retried with bounded exponential backoff and jitter; faults that last longer than
 *    `unavailableBudgetMs` in a row end the send with `CHAIN_RPC_UNAVAILABLE`, a send longer
 *    than `timeoutMs` with `CHAIN_CONFIRM_TIMEOUT` (both transient `ChainError`s).
 *
 * A broadcast whose answer was lost (the request may have been forwarded) is never simulated
 * again: the transaction may have landed, and a simulation would then fail for a reason that
 * is not the transaction's. Its status says what happened. `SendOptions.onSigned` hands every
 * version to the caller before its first broadcast, and `SendOptions.inFlight` brings it back
 * in the next attempt, which follows it to its end before it signs anything new.
 */
import {
  Transaction,
  type Connection,
  type Signer,
  type VersionedTransaction,
  type VersionedTransactionResponse,
} from '@solana/web3.js';
import { Buffer } from 'buffer';
import bs58 from 'bs58';
import { ChainError, type DeliveryReport } from './chain-errors.ts';
import type { InFlightTransaction, SendOptions } from './chain.ts';
import {
  JsonRpcClient,
  RpcResponseError,
  backoffDelay,
  rpcFault,
  sleep,
  type RpcFault,
} from './rpc-transport.ts';

/** Budgets of `RpcChain.send` (the oracle sets them from its environment: RPC_* variables). */
export interface RpcSendOptions {
  /** Longest one send may take before it fails with `CHAIN_CONFIRM_TIMEOUT` (default 60,000 ms). */
  timeoutMs?: number;
  /** Re-broadcast an unconfirmed transaction this often (default 2,000 ms). */
  rebroadcastMs?: number;
  /** Status polls this often (default 500 ms). */
  pollMs?: number;
  /** One JSON-RPC request's timeout (default 10,000 ms). */
  requestTimeoutMs?: number;
  /** How long RPC faults in a row are retried before `CHAIN_RPC_UNAVAILABLE` (default 20,000 ms). */
  unavailableBudgetMs?: number;
  /** First backoff delay after a fault (default 250 ms); it doubles per fault in a row. */
  backoffInitialMs?: number;
  /** Longest backoff delay (default 4,000 ms). A longer Retry-After is honoured as sent. */
  backoffMaxMs?: number;
  /** Fresh blockhashes after a version expired without landing (default 3). */
  maxResigns?: number;
}

export const DEFAULT_RPC_SEND_OPTIONS: Required<RpcSendOptions> = {
  timeoutMs: 60_000,
  rebroadcastMs: 2_000,
  pollMs: 500,
  requestTimeoutMs: 10_000,
  unavailableBudgetMs: 20_000,
  backoffInitialMs: 250,
  backoffMaxMs: 4_000,
  maxResigns: 3,
};

/** `SendOptions.untilSettled`: the send's ceiling, in send timeouts. */
export const UNTIL_SETTLED_TIMEOUTS = 10;

/** A confirmed transaction as `getTransaction` serves it. */
export interface Delivered {
  signature: string;
  info: VersionedTransactionResponse;
  delivery: DeliveryReport;
}

type SignatureStatus = {
  slot: number;
  err: unknown;
  confirmationStatus?: 'processed' | 'confirmed' | 'finalized' | null;
} | null;

/** How following one version ended (short of an error that ends the send). */
type Followed =
  | { kind: 'landed'; signature: string; info: VersionedTransactionResponse }
  | { kind: 'failed'; error: ChainError }
  | { kind: 'expired' };

/** The outcome of one sendTransaction request. */
type Broadcast =
  | { kind: 'sent' }
  /** Simulation refused it; nothing was forwarded. */
  | { kind: 'rejected'; error: ChainError }
  /** The node does not know the blockhash (yet): nothing was forwarded. */
  | { kind: 'not_forwarded' }
  /** The answer was lost or meaningless: it may have been forwarded. */
  | { kind: 'unknown'; fault?: RpcFault; refusal?: ChainError };

type Channel = 'read' | 'broadcast';

/** One `send`: owns its deadline, its runs of faults and its report. */
export class TransactionDelivery {
  private readonly started = Date.now();
  private deadline: number;
  /**
   * Runs of faults in a row, apart for reads and broadcasts: a node that answers status
   * polls but refuses every sendTransaction is as unavailable as one that answers nothing.
   */
  private readonly runs: Record<Channel, { since?: number; count: number }> = {
    read: { count: 0 },
    broadcast: { count: 0 },
  };
  readonly report: DeliveryReport = {
    versions: 0,
    broadcasts: 0,
    rpcRetries: 0,
    resumed: false,
    ms: 0,
  };

  constructor(
    private readonly rpc: JsonRpcClient,
    /** For `getTransaction` (web3.js parses it); its fetch is `faultTypedFetch`. */
    private readonly connection: Connection,
    private readonly o: Required<RpcSendOptions>,
  ) {
    this.deadline = this.started + o.timeoutMs;
  }

  async run(
    tx: Transaction | VersionedTransaction,
    signers: Signer[],
    opts: SendOptions = {},
  ): Promise<Delivered> {
    // Versions expire by themselves; the ceiling guards against a cluster that stopped.
    if (opts.untilSettled) this.deadline = this.started + UNTIL_SETTLED_TIMEOUTS * this.o.timeoutMs;
    try {
      if (opts.inFlight) {
        this.report.resumed = true;
        const earlier = await this.follow(opts.inFlight, false);
        // Landed: that is the transaction's outcome. Failed on-chain or expired: it is over,
        // and a fresh version tells what the chain says now.
        if (earlier.kind === 'landed') return this.delivered(earlier);
      }
      for (let resign = 0; ; resign++) {
        const version = await this.sign(tx, signers);
        await opts.onSigned?.(version);
        const r = await this.follow(version, true);
        if (r.kind === 'landed') return this.delivered(r);
        if (r.kind === 'failed') throw r.error;
        if (resign >= this.o.maxResigns) {
          throw this.error(
            'CHAIN_BLOCKHASH_EXPIRED',
            `${this.report.versions} signed versions expired without landing (last ${version.signature})`,
            { signature: version.signature },
          );
        }
      }
    } catch (e) {
      if (e instanceof ChainError) e.context.delivery ??= this.finish();
      throw e;
    }
  }

  private delivered(r: { signature: string; info: VersionedTransactionResponse }): Delivered {
    return { signature: r.signature, info: r.info, delivery: this.finish() };
  }

  private finish(): DeliveryReport {
    this.report.ms = Date.now() - this.started;
    return this.report;
  }

  /** Signs `tx` with a fresh blockhash: a new version. */
  private async sign(
    tx: Transaction | VersionedTransaction,
    signers: Signer[],
  ): Promise<InFlightTransaction> {
    const { value } = await this.call<{
      value: { blockhash: string; lastValidBlockHeight: number };
    }>('getLatestBlockhash', [{ commitment: 'confirmed' }]);
    let signature: Uint8Array | null;
    if (tx instanceof Transaction) {
      tx.recentBlockhash = value.blockhash;
      if (!tx.feePayer && signers[0]) tx.feePayer = signers[0].publicKey;
      tx.sign(...signers);
      signature = tx.signature;
    } else {
      tx.message.recentBlockhash = value.blockhash;
      tx.sign(signers);
      signature = tx.signatures[0] ?? null;
    }
    if (!signature) throw new Error('the transaction has no fee payer signature after signing');
    this.report.versions += 1;
    return {
      signature: bs58.encode(signature),
      transaction: Buffer.from(tx.serialize()).toString('base64'),
      lastValidBlockHeight: value.lastValidBlockHeight,
    };
  }

  /**
   * Broadcasts `v` and re-broadcasts it until it is confirmed (landed or failed) or its
   * blockhash expired with no trace of it. `simulate`: the first broadcast may be simulated
   * (a version nobody sent yet).
   */
  private async follow(v: InFlightTransaction, simulate: boolean): Promise<Followed> {
    let nextBroadcast = 0;
    let refusal: ChainError | undefined;
    for (;;) {
      this.checkDeadline(v);
      if (Date.now() >= nextBroadcast) {
        const b = await this.broadcast(v, simulate);
        nextBroadcast = Date.now() + this.o.rebroadcastMs;
        if (b.kind === 'rejected') return { kind: 'failed', error: b.error };
        if (b.kind === 'unknown') {
          simulate = false;
          refusal = b.refusal ?? refusal;
          if (b.fault)
            nextBroadcast =
              Date.now() + (await this.backoff('broadcast', 'sendTransaction', b.fault));
        } else if (b.kind === 'sent') {
          simulate = false;
        }
      }
      const status = await this.status(v.signature, false);
      if (isConfirmed(status)) return this.outcome(v.signature, status);
      const height = await this.call<number>('getBlockHeight', [{ commitment: 'confirmed' }]);
      if (height > v.lastValidBlockHeight) {
        const final = await this.status(v.signature, true);
        if (isConfirmed(final)) return this.outcome(v.signature, final);
        // In a block at a valid height that is not confirmed yet: wait for it.
        if (!final) {
          // A node that told us the transaction fails, and no trace of it: that refusal stands.
          if (refusal) return { kind: 'failed', error: refusal };
          return { kind: 'expired' };
        }
      }
      await sleep(this.o.pollMs);
    }
  }

  private async broadcast(v: InFlightTransaction, simulate: boolean): Promise<Broadcast> {
    this.report.broadcasts += 1;
    const config = simulate
      ? { encoding: 'base64', preflightCommitment: 'confirmed', maxRetries: 0 }
      : { encoding: 'base64', skipPreflight: true, maxRetries: 0 };
    try {
      await this.rpc.call<string>('sendTransaction', [v.transaction, config]);
      this.healthy('broadcast');
      return { kind: 'sent' };
    } catch (e) {
      if (!(e instanceof RpcResponseError)) {
        const fault = rpcFault(e);
        if (!fault) throw e;
        return { kind: 'unknown', fault };
      }
      this.healthy('broadcast'); // the node answered
      const data = (e.data ?? {}) as { err?: unknown; logs?: string[]; unitsConsumed?: number };
      if (data.err === undefined || data.err === null) return { kind: 'unknown' };
      if (data.err === 'AlreadyProcessed') return { kind: 'sent' };
      if (data.err === 'BlockhashNotFound')
        return simulate ? { kind: 'not_forwarded' } : { kind: 'unknown' };
      const error = transactionError(data.err, {
        message: e.rpcMessage,
        logs: data.logs ?? [],
        computeUnits: data.unitsConsumed,
        signature: v.signature,
      });
      return simulate ? { kind: 'rejected', error } : { kind: 'unknown', refusal: error };
    }
  }

  private async status(signature: string, searchHistory: boolean): Promise<SignatureStatus> {
    const r = await this.call<{ value: SignatureStatus[] }>('getSignatureStatuses', [
      [signature],
      { searchTransactionHistory: searchHistory },
    ]);
    return r.value[0] ?? null;
  }

  /** A confirmed signature: the transaction as the chain keeps it, or its refusal. */
  private async outcome(
    signature: string,
    status: NonNullable<SignatureStatus>,
  ): Promise<Followed> {
    for (;;) {
      const info = await this.retrying('getTransaction', () =>
        this.connection.getTransaction(signature, {
          commitment: 'confirmed',
          maxSupportedTransactionVersion: 0,
        }),
      );
      if (info) {
        const err = info.meta?.err ?? status.err;
        if (!err) return { kind: 'landed', signature, info };
        return {
          kind: 'failed',
          error: transactionError(err, {
            logs: info.meta?.logMessages ?? [],
            computeUnits: info.meta?.computeUnitsConsumed,
            signature,
          }),
        };
      }
      // Confirmed, but this node does not serve it yet.
      if (Date.now() >= this.deadline) {
        throw this.error(
          'CHAIN_CONFIRM_TIMEOUT',
          `transaction ${signature} is confirmed, but the node does not serve it (getTransaction)`,
          { signature },
        );
      }
      await sleep(this.o.pollMs);
    }
  }

  private checkDeadline(v: { signature: string; lastValidBlockHeight?: number }): void {
    if (Date.now() < this.deadline) return;
    throw this.error(
      'CHAIN_CONFIRM_TIMEOUT',
      `transaction ${v.signature} neither confirmed nor expired after ${this.o.timeoutMs} ms` +
        (v.lastValidBlockHeight ? ` (valid through block height ${v.lastValidBlockHeight})` : ''),
      { signature: v.signature },
    );
  }

  /** A JSON-RPC call, retried after faults. */
  private call<T>(method: string, params: unknown[]): Promise<T> {
    return this.retrying(method, () => this.rpc.call<T>(method, params));
  }

  private async retrying<T>(method: string, fn: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        const v = await fn();
        this.healthy('read');
        return v;
      } catch (e) {
        const fault = rpcFault(e);
        if (!fault) throw e;
        await sleep(await this.backoff('read', method, fault));
      }
    }
  }

  private healthy(channel: Channel): void {
    this.runs[channel] = { count: 0 };
  }

  /**
   * Accounts for one fault and returns how long to wait before the next request (Retry-After
   * when the server sent one); throws `CHAIN_RPC_UNAVAILABLE` once the faults outlast the
   * budget or the wait would pass the send's deadline.
   */
  private backoff(channel: Channel, method: string, fault: RpcFault): Promise<number> {
    const now = Date.now();
    const run = this.runs[channel];
    run.since ??= now;
    run.count += 1;
    const delay =
      fault.retryAfterMs ?? backoffDelay(run.count, this.o.backoffInitialMs, this.o.backoffMaxMs);
    const spent = now - run.since;
    if (spent + delay > this.o.unavailableBudgetMs || now + delay > this.deadline) {
      return Promise.reject(
        this.error(
          'CHAIN_RPC_UNAVAILABLE',
          `JSON-RPC ${method}: ${fault.summary}; ${run.count} faults in a row over ${spent} ms` +
            (fault.retryAfterMs !== undefined ? ` (Retry-After ${fault.retryAfterMs} ms)` : ''),
          { method },
        ),
      );
    }
    this.report.rpcRetries += 1;
    return Promise.resolve(delay);
  }

  private error(
    code: 'CHAIN_RPC_UNAVAILABLE' | 'CHAIN_CONFIRM_TIMEOUT' | 'CHAIN_BLOCKHASH_EXPIRED',
    message: string,
    context: { signature?: string; method?: string },
  ): ChainError {
    return new ChainError(`${code}: ${message}`, [], { ...context, delivery: this.finish() }, code);
  }
}

function isConfirmed(s: SignatureStatus): s is NonNullable<SignatureStatus> {
  return s?.confirmationStatus === 'confirmed' || s?.confirmationStatus === 'finalized';
}

/**
 * A transaction error (`{"InstructionError":[2,{"Custom":6012}]}`, `"InsufficientFundsForFee"`)
 * as a `ChainError`, worded as an RPC node words a failed simulation (`message`, when the node
 * gave one) so that Anchor's `translateError` reads it.
 */
function transactionError(
  err: unknown,
  o: { message?: string; logs: string[]; computeUnits?: number; signature: string },
): ChainError {
  const ie = (err as { InstructionError?: [number, unknown] } | null)?.InstructionError;
  const [index, inner] = ie ?? [undefined, undefined];
  const custom = (inner as { Custom?: number } | null | undefined)?.Custom;
  const what =
    index === undefined
      ? typeof err === 'string'
        ? err
        : JSON.stringify(err)
      : `Error processing Instruction ${index}: ${
          custom !== undefined
            ? `custom program error: 0x${custom.toString(16)}`
            : typeof inner === 'string'
              ? inner
              : JSON.stringify(inner)
        }`;
  return new ChainError(o.message ?? `Transaction ${o.signature} failed: ${what}`, o.logs, {
    instructionIndex: index,
    customCode: custom,
    computeUnits: o.computeUnits,
    signature: o.signature,
  });
}
