/**
 * The JSON-RPC transport of `RpcChain.send`: one request with a timeout, typed failures, and
 * which failures are faults of the RPC path (worth retrying with backoff) rather than answers.
 *
 * A fault is anything that says nothing about the transaction: connection refused or reset, a
 * request timeout, HTTP 429 (with its Retry-After) or 5xx, a body that is not JSON-RPC, and a
 * JSON-RPC error of a read method (a node that is behind or unhealthy). Isomorphic: `fetch`
 * and `AbortSignal.timeout` only.
 */

/** An HTTP answer that is not a JSON-RPC answer: 429 (rate limited) or 5xx. */
export class RpcHttpError extends Error {
  readonly code = 'RPC_HTTP' as const;
  constructor(
    readonly status: number,
    readonly statusText: string,
    /** The server's Retry-After, in milliseconds, when it sent one. */
    readonly retryAfterMs: number | undefined,
    body: string,
  ) {
    // web3.js words its own HTTP errors `<status> <text>: <body>`; the same here.
    super(`${status} ${statusText}: ${body.slice(0, 200)}`);
    this.name = 'RpcHttpError';
  }
}

/** A JSON-RPC `error` member: the node answered, and refused or could not serve the request. */
export class RpcResponseError extends Error {
  readonly code = 'RPC_RESPONSE' as const;
  constructor(
    readonly method: string,
    readonly rpcCode: number,
    readonly rpcMessage: string,
    readonly data: unknown,
  ) {
    super(`${method}: ${rpcMessage} (JSON-RPC ${rpcCode})`);
    this.name = 'RpcResponseError';
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or invalid. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * `fetch` with a timeout per request that turns 429 and 5xx into `RpcHttpError` (keeping
 * Retry-After), so that neither web3.js's own 429 loop nor a hung connection stands in the way
 * of the caller's backoff.
 */
export function faultTypedFetch(timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    if (res.status === 429 || res.status >= 500) {
      const body = await res.text().catch(() => '');
      throw new RpcHttpError(
        res.status,
        res.statusText,
        parseRetryAfter(res.headers.get('retry-after')),
        body,
      );
    }
    return res;
  };
}

/** A minimal JSON-RPC 2.0 client over `faultTypedFetch`. */
export class JsonRpcClient {
  private id = 0;
  private readonly fetch: typeof fetch;

  constructor(
    readonly url: string,
    requestTimeoutMs: number,
  ) {
    this.fetch = faultTypedFetch(requestTimeoutMs);
  }

  async call<T>(method: string, params: unknown[]): Promise<T> {
    const res = await this.fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }),
    });
    if (!res.ok) throw new RpcHttpError(res.status, res.statusText, undefined, await res.text());
    const body = (await res.json()) as {
      result?: T;
      error?: { code: number; message: string; data?: unknown };
    };
    if (body.error) {
      throw new RpcResponseError(method, body.error.code, body.error.message, body.error.data);
    }
    if (!('result' in body)) throw new SyntaxError(`${method}: a JSON-RPC answer without result`);
    return body.result as T;
  }
}

/** What went wrong on the RPC path, for backoff and for the message that surfaces. */
export interface RpcFault {
  kind: 'http' | 'network' | 'timeout' | 'rpc' | 'malformed';
  /** One line: `HTTP 429`, `ECONNREFUSED`, `timeout`, ... */
  summary: string;
  retryAfterMs?: number;
}

const NETWORK_CODES =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|UND_ERR_\w+/;

/**
 * The fault `e` is, or undefined when `e` is not a fault of the RPC path (a bug, or a refusal
 * the caller must read: a transaction error). Typed errors first; errors that web3.js wrapped
 * into a message (`failed to get info about account ...: TypeError: fetch failed`) by their words.
 */
export function rpcFault(e: unknown): RpcFault | undefined {
  if (e instanceof RpcHttpError) {
    return { kind: 'http', summary: `HTTP ${e.status}`, retryAfterMs: e.retryAfterMs };
  }
  if (e instanceof RpcResponseError) return { kind: 'rpc', summary: e.message };
  if (!(e instanceof Error)) return undefined;
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return { kind: 'timeout', summary: 'timeout' };
  if (e instanceof SyntaxError)
    return { kind: 'malformed', summary: `malformed answer: ${e.message}` };
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (e.name === 'TypeError' && e.message === 'fetch failed') {
    const detail = typeof cause?.message === 'string' ? cause.message : 'fetch failed';
    return { kind: 'network', summary: code ?? detail };
  }
  if (e.name === 'SolanaJSONRPCError') return { kind: 'rpc', summary: e.message };
  const m = e.message;
  const http = /\b(429|5\d\d)\b[^:]*:/.exec(m);
  if (http) return { kind: 'http', summary: `HTTP ${http[1]}` };
  const net = NETWORK_CODES.exec(m) ?? /fetch failed|socket hang up|other side closed/.exec(m);
  if (net) return { kind: 'network', summary: net[0] };
  if (/TimeoutError|timed out|timeout/i.test(m)) return { kind: 'timeout', summary: 'timeout' };
  return undefined;
}

/**
 * Bounded exponential backoff with jitter: attempt n (from 1) waits a random time in
 * [d/2, d], d = min(max, initial * 2^(n-1)).
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  const d = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(d / 2 + Math.random() * (d / 2));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
