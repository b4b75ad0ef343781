/**
 * `ChainError`: why a transaction did not make it, with a stable code. `CHAIN_TX_FAILED` is an
 * answer (the chain ran the transaction, or simulated it, and refused it); the other codes are
 * transient faults of the JSON-RPC path that `RpcChain.send` gave up on after its budgets, for
 * the caller's own retries (a BullMQ job's attempts) to take over.
 */
import { rpcFault } from './rpc-transport.ts';

/** Every `ChainError` code with what it means. */
export const CHAIN_ERROR_CODES = {
  CHAIN_TX_FAILED:
    'the chain refused the transaction (a program error, in simulation or on-chain; logs attached)',
  CHAIN_RPC_UNAVAILABLE:
    'the JSON-RPC endpoint kept failing (connection refused or reset, timeouts, HTTP 429 or 5xx) for longer than the send allows',
  CHAIN_CONFIRM_TIMEOUT:
    'the transaction was neither confirmed nor expired within the send timeout (it may still land: a retry follows it first)',
  CHAIN_BLOCKHASH_EXPIRED:
    'every signed version expired without landing, each re-signed with a fresh blockhash up to the limit',
  CHAIN_HISTORY_UNREADABLE:
    'a transaction of the history could not be read (RPC faults, or the node did not return it) after every retry: the read stops rather than skip it',
} as const;
export type ChainErrorCode = keyof typeof CHAIN_ERROR_CODES;

/** How a send went, whatever its outcome (`TxResult.delivery`, `ChainError.context.delivery`). */
export interface DeliveryReport {
  /** Versions signed: 1, plus one per fresh blockhash after a version expired without landing. */
  versions: number;
  /** sendTransaction requests (first broadcasts and re-broadcasts of every version). */
  broadcasts: number;
  /** RPC requests that failed with a fault and were retried after a backoff. */
  rpcRetries: number;
  /** A version signed by an earlier attempt (`SendOptions.inFlight`) was followed first. */
  resumed: boolean;
  /** Time from the call to its outcome. */
  ms: number;
}

export interface ChainErrorContext {
  instructionIndex?: number;
  customCode?: number;
  computeUnits?: number;
  /** The signature of the version the error is about. */
  signature?: string;
  /** The RPC method that last failed (CHAIN_RPC_UNAVAILABLE). */
  method?: string;
  delivery?: DeliveryReport;
}

/** A transaction that did not make it. `logs` lets Anchor's `translateError` decode a refusal. */
export class ChainError extends Error {
  constructor(
    message: string,
    readonly logs: string[],
    readonly context: ChainErrorContext,
    readonly code: ChainErrorCode = 'CHAIN_TX_FAILED',
  ) {
    super(message);
    this.name = 'ChainError';
  }
}

export function isChainError(e: unknown): e is ChainError {
  return e instanceof ChainError;
}

/** Whether a send failure is worth retrying (network, blockhash, rate limits). */
export function isTransientChainError(e: unknown): boolean {
  if (isChainError(e)) {
    if (e.code !== 'CHAIN_TX_FAILED') return true;
    // A program rejected the transaction: permanent, unless the budget ran out.
    return /ComputationalBudgetExceeded|BlockhashNotFound/.test(e.message);
  }
  const msg = e instanceof Error ? e.message : String(e);
  return !/custom program error|InstructionError/.test(msg);
}

/**
 * Whether `e` means the cluster could not be reached or did not confirm: a transient
 * `ChainError` of the RPC path, or an RPC fault from any other call (reading an account, a
 * follower's catch-up) that the caller did not wrap.
 */
export function isRpcUnavailable(e: unknown): boolean {
  if (isChainError(e)) return e.code !== 'CHAIN_TX_FAILED';
  return rpcFault(e) !== undefined;
}
