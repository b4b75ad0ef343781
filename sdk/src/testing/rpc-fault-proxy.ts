/**
 * `RpcFaultProxy`: a JSON-RPC proxy in front of a real node (`startValidator()`) that injects
 * the faults of a real cluster's RPC path on command, and forwards everything else unchanged,
 * HTTP and WebSocket (upgrades are piped to the node's WebSocket port).
 *
 * Faults, each for the next `count` matching requests (default: until `clear()`), matched by
 * JSON-RPC method when `methods` is given:
 * - `down(ms)`: the port is closed (connection refused) for `ms`, or `down(ms, 'reset')`: it
 *   accepts and resets every connection; WebSockets are cut either way;
 * - `httpError({status: 429, retryAfterS})` / `{status: 503}`: an HTTP error instead of an answer;
 * - `dropResponse()`: forwards the request, then cuts the connection instead of answering (a
 *   `sendTransaction` lands, the client never hears);
 * - `withhold()`: answers `sendTransaction` with the transaction's signature without
 *   forwarding it (a node that accepts and loses it); `withhold({transactions: 1})` withholds
 *   every broadcast of the next transaction (by signature), and forwards the others;
 * - `delay({ms})`: holds the request that long before forwarding it;
 * - `forget(signatures)`: a node whose chain no longer holds those transactions (their fork
 *   was abandoned): `getSignatureStatuses` answers null and `getTransaction` null for them,
 *   `getSignaturesForAddress` leaves them out; until `clear()`.
 *
 * `stats` counts requests per method and what happened to every `sendTransaction`, by signature.
 */
import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, type Socket } from 'node:net';
import bs58 from 'bs58';

export interface RpcFaultProxyOptions {
  /** The node's JSON-RPC URL (http://host:port). */
  upstream: string;
  /** The node's WebSocket URL; upgrades are refused without it. */
  upstreamWs?: string;
  /** Default: a free port. */
  port?: number;
}

interface FaultScope {
  /** JSON-RPC methods the fault applies to (default: all). */
  methods?: string[];
  /** Matching requests it applies to (default: until `clear()`). */
  count?: number;
}

type Fault =
  | { kind: 'http'; status: number; retryAfterS?: number }
  | { kind: 'drop' }
  /** `victims`: the signatures it withholds, up to `transactions` of them (else: any). */
  | { kind: 'withhold'; transactions?: number; victims: Set<string> }
  | { kind: 'delay'; ms: number };

interface Rule {
  fault: Fault;
  methods?: Set<string>;
  remaining: number;
}

/** What happened to the `sendTransaction` requests of one signature. */
export interface SendRecord {
  /** Forwarded to the node (answered or not). */
  forwarded: number;
  /** Forwarded, answer cut. */
  dropped: number;
  /** Answered here and never forwarded. */
  withheld: number;
  /** Refused with an HTTP error. */
  httpErrors: number;
}

export interface RpcFaultProxyStats {
  /** JSON-RPC requests received, by method. */
  requests: Record<string, number>;
  /** Faults injected, by kind (`http_429`, `http_503`, `drop`, `withhold`, `delay`, `refused`, `reset`). */
  injected: Record<string, number>;
  /** `sendTransaction` requests by the transaction's signature. */
  sends: Map<string, SendRecord>;
}

export class RpcFaultProxy {
  readonly stats: RpcFaultProxyStats = { requests: {}, injected: {}, sends: new Map() };
  private rules: Rule[] = [];
  private readonly forgotten = new Set<string>();
  private readonly forwardListeners = new Set<(method: string, signature?: string) => void>();
  private readonly sockets = new Set<Socket>();
  private downMode: 'refuse' | 'reset' | undefined;
  private upTimer: NodeJS.Timeout | undefined;
  private readonly upstream: URL;
  private readonly upstreamWs: URL | undefined;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    o: RpcFaultProxyOptions,
  ) {
    this.upstream = new URL(o.upstream);
    this.upstreamWs = o.upstreamWs ? new URL(o.upstreamWs) : undefined;
  }

  static async start(o: RpcFaultProxyOptions): Promise<RpcFaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
    });
    const proxy = new RpcFaultProxy(server, (server.address() as { port: number }).port, o);
    proxy.attach();
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** WebSocket endpoint (same port; upgrades are piped to the node's WebSocket). */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /**
   * The node is unreachable for `ms` (then back by itself; `up()` ends it sooner): `refuse`
   * closes the port (ECONNREFUSED), `reset` accepts and resets connections (ECONNRESET).
   * Open connections, WebSockets included, are cut. Resolves once it is down.
   */
  async down(ms?: number, mode: 'refuse' | 'reset' = 'refuse'): Promise<void> {
    clearTimeout(this.upTimer);
    this.downMode = mode;
    for (const s of this.sockets) s.destroy();
    if (mode === 'refuse' && this.server.listening) {
      await new Promise<void>((r) => this.server.close(() => r()));
    }
    if (ms !== undefined) this.upTimer = setTimeout(() => void this.up(), ms);
  }

  /** Ends `down()`: the port listens and answers again. */
  async up(): Promise<void> {
    clearTimeout(this.upTimer);
    this.downMode = undefined;
    if (this.server.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Answers HTTP `status` (429 with `Retry-After: retryAfterS` when given) instead of forwarding. */
  httpError(o: FaultScope & { status: number; retryAfterS?: number }): void {
    this.add({ kind: 'http', status: o.status, retryAfterS: o.retryAfterS }, o);
  }

  /** Forwards, then cuts the connection instead of answering (default: `sendTransaction`). */
  dropResponse(o: FaultScope = {}): void {
    this.add({ kind: 'drop' }, { methods: ['sendTransaction'], ...o });
  }

  /**
   * Answers `sendTransaction` with the transaction's signature and never forwards it: the
   * next `count` requests, or, with `transactions`, every broadcast of the next that many
   * distinct transactions (re-broadcasts included), whatever their number.
   */
  withhold(o: Omit<FaultScope, 'methods'> & { transactions?: number } = {}): void {
    this.add(
      { kind: 'withhold', transactions: o.transactions, victims: new Set() },
      { count: o.count, methods: ['sendTransaction'] },
    );
  }

  /** Called after each request is forwarded to the node, with its method and, for `sendTransaction`, its signature. */
  onForwarded(fn: (method: string, signature?: string) => void): () => void {
    this.forwardListeners.add(fn);
    return () => this.forwardListeners.delete(fn);
  }

  /** Zeroes `stats`. */
  resetStats(): void {
    this.stats.requests = {};
    this.stats.injected = {};
    this.stats.sends.clear();
  }

  /** Holds matching requests `ms` before forwarding them. */
  delay(o: FaultScope & { ms: number }): void {
    this.add({ kind: 'delay', ms: o.ms }, o);
  }

  /** From now on the node does not know these transactions (see the file comment). */
  forget(signatures: readonly string[]): void {
    for (const s of signatures) this.forgotten.add(s);
  }

  /** Removes every fault rule and forgotten signature (not `down()`: see `up()`). */
  clear(): void {
    this.rules = [];
    this.forgotten.clear();
  }

  /** The `sendTransaction` record of `signature` (zeros when it was never sent). */
  sendsOf(signature: string): SendRecord {
    return (
      this.stats.sends.get(signature) ?? { forwarded: 0, dropped: 0, withheld: 0, httpErrors: 0 }
    );
  }

  async close(): Promise<void> {
    clearTimeout(this.upTimer);
    for (const s of this.sockets) s.destroy();
    if (this.server.listening) await new Promise<void>((r) => this.server.close(() => r()));
  }

  private add(fault: Fault, o: FaultScope): void {
    this.rules.push({
      fault,
      methods: o.methods ? new Set(o.methods) : undefined,
      remaining: o.count ?? Infinity,
    });
  }

  private count(map: Record<string, number>, key: string): void {
    map[key] = (map[key] ?? 0) + 1;
  }

  private attach(): void {
    this.server.on('connection', (socket) => {
      if (this.downMode === 'reset') {
        this.count(this.stats.injected, 'reset');
        socket.resetAndDestroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // A request cut mid-way (down(), a client gone) ends here.
    this.server.on('request', (req, res) => void this.handle(req, res).catch(() => res.destroy()));
    this.server.on('upgrade', (req, socket, head) =>
      this.pipeWebSocket(req, socket as Socket, head),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The client may be gone (it timed out, down() cut it) by the time the node answers.
    res.on('error', () => undefined);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const calls = parseCalls(body);
    for (const c of calls) this.count(this.stats.requests, c.method);
    const send =
      calls.length === 1 && calls[0]!.method === 'sendTransaction' ? calls[0] : undefined;
    const signature = send ? transactionSignature(send.params) : undefined;
    const record = signature ? this.record(signature) : undefined;

    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        (!r.methods || calls.some((c) => r.methods!.has(c.method))) &&
        (r.fault.kind !== 'withhold' || withholds(r.fault, signature)),
    );
    if (rule) rule.remaining -= 1;
    const fault = rule?.fault;

    if (fault?.kind === 'http') {
      this.count(this.stats.injected, `http_${fault.status}`);
      if (record) record.httpErrors += 1;
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (fault.retryAfterS !== undefined) headers['retry-after'] = String(fault.retryAfterS);
      res.writeHead(fault.status, headers).end(`injected ${fault.status}`);
      return;
    }
    if (fault?.kind === 'withhold' && send && signature && record) {
      fault.victims.add(signature);
      this.count(this.stats.injected, 'withhold');
      record.withheld += 1;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: send.id, result: signature }));
      return;
    }
    if (fault?.kind === 'delay') {
      this.count(this.stats.injected, 'delay');
      await new Promise((r) => setTimeout(r, fault.ms));
    }
    if (record) record.forwarded += 1;
    const upstream = request(this.upstream, {
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: this.upstream.host },
      // A new connection per request: a pooled one the validator closed while idle (a deploy
      // builds programs for seconds between two requests) would fail the request as if the
      // cluster had reset it, a fault this proxy did not inject.
      agent: false,
    });
    upstream.on('error', () => res.destroy());
    for (const fn of this.forwardListeners) for (const c of calls) fn(c.method, signature);
    upstream.on('response', (ans) => {
      if (fault?.kind === 'drop') {
        this.count(this.stats.injected, 'drop');
        if (record) record.dropped += 1;
        ans.resume();
        ans.on('end', () => res.socket?.destroy());
        return;
      }
      if (this.forgotten.size > 0 && calls.some((c) => FORGETTING.has(c.method))) {
        const parts: Buffer[] = [];
        ans.on('data', (c: Buffer) => parts.push(c));
        ans.on('end', () => {
          const text = forgetIn(Buffer.concat(parts).toString('utf8'), calls, this.forgotten);
          const headers = { ...ans.headers, 'content-length': String(Buffer.byteLength(text)) };
          delete headers['transfer-encoding'];
          res.writeHead(ans.statusCode ?? 502, headers).end(text);
        });
        return;
      }
      res.writeHead(ans.statusCode ?? 502, ans.headers);
      ans.pipe(res);
    });
    upstream.end(body);
  }

  private record(signature: string): SendRecord {
    let r = this.stats.sends.get(signature);
    if (!r) {
      r = { forwarded: 0, dropped: 0, withheld: 0, httpErrors: 0 };
      this.stats.sends.set(signature, r);
    }
    return r;
  }

  /** Pipes a WebSocket upgrade to the node's WebSocket port, bytes unchanged. */
  private pipeWebSocket(req: IncomingMessage, socket: Socket, head: Buffer): void {
    if (!this.upstreamWs || this.downMode) return void socket.destroy();
    this.sockets.add(socket);
    const up = connect(Number(this.upstreamWs.port), this.upstreamWs.hostname);
    this.sockets.add(up);
    const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      lines.push(
        `${name}: ${name.toLowerCase() === 'host' ? this.upstreamWs.host : req.rawHeaders[i + 1]!}`,
      );
    }
    up.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) up.write(head);
    socket.pipe(up).pipe(socket);
    const cut = () => {
      socket.destroy();
      up.destroy();
      this.sockets.delete(socket);
      this.sockets.delete(up);
    };
    socket.on('error', cut).on('close', cut);
    up.on('error', cut).on('close', cut);
  }
}

/** Whether a withhold fault takes the transaction `signature`. */
function withholds(
  f: { transactions?: number; victims: Set<string> },
  signature: string | undefined,
): boolean {
  if (!signature) return false;
  if (f.transactions === undefined || f.victims.has(signature)) return true;
  return f.victims.size < f.transactions;
}

interface Call {
  id: unknown;
  method: string;
  params: unknown;
}

/** Methods whose answers `forget` rewrites. */
const FORGETTING = new Set(['getSignatureStatuses', 'getTransaction', 'getSignaturesForAddress']);

/** A node's answer to `calls`, with the `forgotten` transactions taken out of it. */
function forgetIn(text: string, calls: Call[], forgotten: Set<string>): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  const answers = (Array.isArray(parsed) ? parsed : [parsed]) as {
    id?: unknown;
    result?: unknown;
  }[];
  for (const a of answers) {
    const call = calls.find((c) => c.id === a.id);
    if (!call || a.result === undefined || a.result === null) continue;
    const params = Array.isArray(call.params) ? (call.params as unknown[]) : [];
    if (call.method === 'getSignatureStatuses') {
      const asked = Array.isArray(params[0]) ? (params[0] as string[]) : [];
      const value = (a.result as { value?: unknown[] }).value;
      if (Array.isArray(value))
        asked.forEach((sig, i) => {
          if (forgotten.has(sig)) value[i] = null;
        });
    } else if (call.method === 'getTransaction') {
      if (typeof params[0] === 'string' && forgotten.has(params[0])) a.result = null;
    } else if (Array.isArray(a.result)) {
      a.result = (a.result as { signature?: string }[]).filter(
        (e) => !forgotten.has(e.signature ?? ''),
      );
    }
  }
  return JSON.stringify(Array.isArray(parsed) ? answers : answers[0]);
}

function parseCalls(body: Buffer): Call[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    const list = Array.isArray(parsed) ? parsed : [parsed];
    return list
      .filter((c): c is Call => typeof (c as Call | null)?.method === 'string')
      .map((c) => ({ id: c.id, method: c.method, params: c.params }));
  } catch {
    return [];
  }
}

/** The fee payer signature (base58) of a `sendTransaction`'s transaction, base64 or base58. */
function transactionSignature(params: unknown): string | undefined {
  if (!Array.isArray(params) || typeof params[0] !== 'string') return undefined;
  const encoding = (params[1] as { encoding?: string } | undefined)?.encoding ?? 'base58';
  const bytes =
    encoding === 'base64' ? Buffer.from(params[0], 'base64') : Buffer.from(bs58.decode(params[0]));
  // A compact-u16 count of signatures (one byte below 128), then the signatures.
  if (bytes.length < 65 || bytes[0] === 0 || bytes[0]! >= 0x80) return undefined;
  return bs58.encode(bytes.subarray(1, 65));
}
