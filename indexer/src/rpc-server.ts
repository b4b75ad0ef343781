/**
 * JSON-RPC 2.0 over HTTP (node:http): POST a request or a batch (an array) as JSON; every
 * answer's result is `{ context: { slot, finalizedSlot }, value }`. Limits: `maxBodyBytes` (HTTP 413 with
 * error REQUEST_TOO_LARGE), `maxBatch` requests per batch (BATCH_TOO_LARGE). `minContextSlot`
 * waits up to `minContextSlotWaitMs` for the indexer to reach that slot, then answers
 * MIN_CONTEXT_SLOT_NOT_REACHED. Error codes: `INDEXER_ERROR_CODES` (sdk/src/indexer-api.ts).
 * `rpc.discover` answers the OpenRPC document (`indexerOpenRpcDocument`). `rateLimit`: a
 * token bucket per client IP, one token per request (each one of a batch); a client out of
 * tokens gets HTTP 429, RATE_LIMITED, and a `Retry-After` header (`GET /metrics` is not limited).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INDEXER_ERROR_CODES, indexerOpenRpcDocument } from '@zkpin/sdk';
import type { Logger } from 'pino';
import type { IndexerMetrics } from './metrics.ts';
import { RateLimiter, clientAddress, type RateLimit } from './rate-limiter.ts';
import {
  RpcError,
  isMethod,
  minContextSlotOf,
  runMethod,
  type MethodContext,
} from './rpc-methods.ts';

export interface RpcServerOptions {
  /** Served on `GET /metrics`, and request latencies recorded into it. */
  metrics?: IndexerMetrics;
  maxBodyBytes?: number;
  maxBatch?: number;
  minContextSlotWaitMs?: number;
  /** Per client IP (default: none). */
  rateLimit?: RateLimit;
  /**
   * Addresses of reverse proxies in front of the indexer: for their requests the client is
   * read from `X-Forwarded-For` (`clientAddress`). Default: none (the socket's peer).
   */
  trustedProxies?: readonly string[];
  log?: Logger;
}

type Id = string | number | null;

interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: Id;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export class RpcServer {
  private server: Server | undefined;
  readonly maxBodyBytes: number;
  readonly maxBatch: number;
  private readonly waitMs: number;
  private readonly log: Logger | undefined;
  private readonly metrics: IndexerMetrics | undefined;
  private readonly openRpc = indexerOpenRpcDocument();
  private readonly limiter: RateLimiter;
  private readonly trustedProxies: ReadonlySet<string>;

  constructor(
    private readonly ctx: MethodContext,
    o: RpcServerOptions = {},
  ) {
    this.maxBodyBytes = o.maxBodyBytes ?? 1024 * 1024;
    this.maxBatch = o.maxBatch ?? 100;
    this.waitMs = o.minContextSlotWaitMs ?? 2_000;
    this.log = o.log;
    this.metrics = o.metrics;
    this.limiter = new RateLimiter(o.rateLimit ?? { perSecond: 0, burst: 0 });
    this.trustedProxies = new Set(o.trustedProxies ?? []);
  }

  /** Listens; resolves with the URL (port 0: any free port). */
  listen(port: number, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => void this.onRequest(req, res));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const a = server.address() as AddressInfo;
        resolve(`http://${host}:${a.port}/`);
      });
    });
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const failure = (code: number, message: string): JsonRpcResponse => ({
      jsonrpc: '2.0',
      id: null,
      error: { code, message },
    });
    const path = (req.url ?? '/').split('?')[0];
    // Browsers (the owner app, integrators' pages) call from other origins: the API is
    // public, read-only and carries no credentials, so any origin may read it.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-expose-headers', 'retry-after');
    if (req.method === 'OPTIONS') {
      res
        .writeHead(204, {
          'access-control-allow-methods': 'POST, GET, OPTIONS',
          'access-control-allow-headers': 'content-type',
          'access-control-max-age': '86400',
        })
        .end();
      req.resume();
      return;
    }
    if (req.method === 'GET' && path === '/metrics' && this.metrics) {
      const registry = this.metrics.registry;
      try {
        const text = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType }).end(text);
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
      }
      return;
    }
    if (req.method !== 'POST') {
      send(405, failure(INDEXER_ERROR_CODES.INVALID_REQUEST, 'POST a JSON-RPC 2.0 request'));
      return;
    }
    const client = clientAddress(
      req.socket.remoteAddress,
      req.headers['x-forwarded-for'],
      this.trustedProxies,
    );
    const limited = (wait: number) => {
      res.setHeader('retry-after', String(wait));
      send(
        429,
        failure(
          INDEXER_ERROR_CODES.RATE_LIMITED,
          `too many requests from ${client} (${this.limiter.limit.perSecond}/s, bursts of ${this.limiter.limit.burst}): retry in ${wait} s`,
        ),
      );
      req.resume();
    };
    const wait = this.limiter.take(client);
    if (wait > 0) {
      limited(wait);
      return;
    }
    const body = await this.readBody(req);
    if (body === undefined) {
      send(
        413,
        failure(
          INDEXER_ERROR_CODES.REQUEST_TOO_LARGE,
          `the request body is over ${this.maxBodyBytes} bytes: send smaller batches`,
        ),
      );
      req.resume();
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      send(200, failure(INDEXER_ERROR_CODES.PARSE_ERROR, 'the body is not JSON'));
      return;
    }
    if (Array.isArray(json)) {
      if (json.length === 0) {
        send(200, failure(INDEXER_ERROR_CODES.INVALID_REQUEST, 'an empty batch'));
        return;
      }
      if (json.length > this.maxBatch) {
        send(
          200,
          failure(
            INDEXER_ERROR_CODES.BATCH_TOO_LARGE,
            `a batch of ${json.length} requests; at most ${this.maxBatch}`,
          ),
        );
        return;
      }
      const more = this.limiter.take(client, json.length - 1);
      if (more > 0) {
        limited(more);
        return;
      }
      const answers = await Promise.all(json.map((r) => this.handle(r)));
      const out = answers.filter((a): a is JsonRpcResponse => a !== undefined);
      if (out.length === 0) {
        res.writeHead(204).end();
        return;
      }
      send(200, out);
      return;
    }
    const answer = await this.handle(json);
    if (answer === undefined) res.writeHead(204).end();
    else send(200, answer);
  }

  /** The body, or undefined when it is over the limit. */
  private readBody(req: IncomingMessage): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > this.maxBodyBytes) {
        resolve(undefined);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > this.maxBodyBytes) over = true;
        else chunks.push(c);
      });
      req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  /** One request's answer, its latency recorded by method and outcome. */
  private async handle(r: unknown): Promise<JsonRpcResponse | undefined> {
    const t0 = performance.now();
    const answer = await this.answer(r);
    const method = (r as { method?: unknown } | null)?.method;
    this.metrics?.request(
      typeof method === 'string' && (isMethod(method) || method === 'rpc.discover')
        ? method
        : 'unknown',
      (performance.now() - t0) / 1000,
      answer?.error ? String(answer.error.code) : 'ok',
    );
    return answer;
  }

  /** One request's answer (undefined for a notification: a request without an id). */
  private async answer(r: unknown): Promise<JsonRpcResponse | undefined> {
    const req = r as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    const validId = typeof req?.id === 'string' || typeof req?.id === 'number' || req?.id === null;
    const id: Id = validId ? (req.id as Id) : null;
    if (
      typeof r !== 'object' ||
      r === null ||
      Array.isArray(r) ||
      req.jsonrpc !== '2.0' ||
      typeof req.method !== 'string' ||
      ('id' in req && !validId) ||
      (req.params !== undefined && (typeof req.params !== 'object' || Array.isArray(req.params)))
    )
      return {
        jsonrpc: '2.0',
        id,
        error: {
          code: INDEXER_ERROR_CODES.INVALID_REQUEST,
          message:
            'not a JSON-RPC 2.0 request: {"jsonrpc":"2.0","id":…,"method":…,"params":{…}} (params by name)',
        },
      };
    const notification = !('id' in req);
    const method = req.method;
    const t0 = performance.now();
    try {
      // OpenRPC service discovery: the document itself, not wrapped in a context.
      if (method === 'rpc.discover')
        return notification ? undefined : { jsonrpc: '2.0', id, result: this.openRpc };
      if (!isMethod(method))
        throw new RpcError(
          INDEXER_ERROR_CODES.METHOD_NOT_FOUND,
          `method ${JSON.stringify(method)} does not exist`,
        );
      const minSlot = minContextSlotOf(req.params);
      if (minSlot !== undefined && !(await this.ctx.ingest.waitForSlot(minSlot, this.waitMs)))
        throw new RpcError(
          INDEXER_ERROR_CODES.MIN_CONTEXT_SLOT_NOT_REACHED,
          `the indexer is at slot ${this.ctx.ingest.slot}, not yet at minContextSlot ${minSlot}: retry later`,
          { contextSlot: this.ctx.ingest.slot },
        );
      // The slots before the read: the answer holds every change up to `slot` (and maybe later
      // ones), and its data up to `finalizedSlot` is final.
      const slot = this.ctx.ingest.slot;
      const finalizedSlot = this.ctx.ingest.finalizedSlot;
      const value = await runMethod(method, req.params, this.ctx);
      this.log?.debug({ method, ms: performance.now() - t0 }, 'rpc');
      return notification
        ? undefined
        : { jsonrpc: '2.0', id, result: { context: { slot, finalizedSlot }, value } };
    } catch (e) {
      if (notification) return undefined;
      if (e instanceof RpcError)
        return { jsonrpc: '2.0', id, error: { code: e.code, message: e.message, data: e.data } };
      this.log?.error({ err: e, method }, 'rpc method failed');
      return {
        jsonrpc: '2.0',
        id,
        error: { code: INDEXER_ERROR_CODES.INTERNAL_ERROR, message: 'internal error' },
      };
    }
  }
}
