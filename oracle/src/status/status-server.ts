/**
 * The pipeline status endpoint: a small read-only HTTP server (node:http) that owners' apps
 * call from another origin.
 *
 *   GET /v1/devices/<device>/readings?limit=N   device: base58 or 64 hex digits; limit 1..100
 *                                               (default 20) → DeviceReadingsAnswer (sdk)
 *
 * Answers are JSON with `Access-Control-Allow-Origin: *` (a preflight `OPTIONS` is answered
 * too); errors are `{ error: { code, message } }`: 400 BAD_DEVICE / BAD_LIMIT, 404 NOT_FOUND,
 * 405 METHOD_NOT_ALLOWED, 429 RATE_LIMITED (a token bucket per client address, with
 * Retry-After), 503 UNAVAILABLE (Redis did not answer within `lookupTimeoutMs`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { PublicKey } from '@solana/web3.js';
import {
  PIPELINE_STATUS_DEFAULT_LIMIT,
  PIPELINE_STATUS_MAX_LIMIT,
  fromHex,
  parseDeviceKey,
  type DeviceReadingsAnswer,
  type PipelineStatusErrorCode,
} from '@zkpin/sdk';
import type { ReadingStatusReader } from './reading-status.ts';

export interface StatusServerOptions {
  reader: Pick<ReadingStatusReader, 'deviceReadings'>;
  /** 0: a free port. */
  port: number;
  /** Interface to listen on (default all). */
  host?: string;
  /** Requests per second per client address, with bursts of twice that (0: no limit; default 10). */
  ratePerSecond?: number;
  /** Longest a lookup may take before the answer is 503 (default 5,000 ms). */
  lookupTimeoutMs?: number;
  logger?: Logger;
}

export interface StatusServer {
  /** `http://<host>:<port>/` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': 'accept, content-type',
  'access-control-max-age': '600',
};
const ROUTE = /^\/v1\/devices\/([^/]+)\/readings\/?$/;
/** Most client addresses whose buckets are kept; past it the oldest go (a full bucket again). */
const MAX_BUCKETS = 10_000;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: PipelineStatusErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A token bucket per client address. */
class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly perSecond: number) {}

  /** Seconds to wait, or 0 when the request may go. */
  take(client: string, now = Date.now()): number {
    if (this.perSecond <= 0) return 0;
    const burst = 2 * this.perSecond;
    const b = this.buckets.get(client) ?? { tokens: burst, at: now };
    this.buckets.delete(client); // re-inserted last: the map's order is least recently seen first
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    const wait = b.tokens >= 1 ? 0 : Math.ceil((1 - b.tokens) / this.perSecond);
    if (wait === 0) b.tokens -= 1;
    this.buckets.set(client, b);
    if (this.buckets.size > MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value!);
    return wait;
  }
}

function parseLimit(raw: string | null): number {
  if (raw === null) return PIPELINE_STATUS_DEFAULT_LIMIT;
  const n = /^[0-9]{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= PIPELINE_STATUS_MAX_LIMIT))
    throw new HttpFailure(
      400,
      'BAD_LIMIT',
      `limit must be an integer from 1 to ${PIPELINE_STATUS_MAX_LIMIT} (got ${JSON.stringify(raw.slice(0, 20))})`,
    );
  return n;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new HttpFailure(503, 'UNAVAILABLE', `the queues did not answer within ${ms} ms`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

export async function startStatusServer(o: StatusServerOptions): Promise<StatusServer> {
  const limiter = new RateLimiter(o.ratePerSecond ?? 10);
  const lookupTimeoutMs = o.lookupTimeoutMs ?? 5_000;

  const answer = async (req: IncomingMessage): Promise<DeviceReadingsAnswer> => {
    const url = new URL(req.url ?? '/', 'http://status');
    const route = ROUTE.exec(url.pathname);
    if (!route)
      throw new HttpFailure(
        404,
        'NOT_FOUND',
        `no such path: ${url.pathname.slice(0, 100)}; the endpoint is GET /v1/devices/<device>/readings?limit=N`,
      );
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpFailure(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed; use GET`, {
        allow: 'GET, HEAD, OPTIONS',
      });
    let raw: string;
    try {
      raw = decodeURIComponent(route[1]!);
    } catch {
      raw = route[1]!;
    }
    const deviceHex = parseDeviceKey(raw);
    if (!deviceHex)
      throw new HttpFailure(
        400,
        'BAD_DEVICE',
        `${JSON.stringify(raw.slice(0, 100))} is not a device key: give its base58 address or 64 hex digits`,
      );
    const limit = parseLimit(url.searchParams.get('limit'));
    const wait = limiter.take(req.socket.remoteAddress ?? '');
    if (wait > 0)
      throw new HttpFailure(429, 'RATE_LIMITED', `too many requests; try again in ${wait} s`, {
        'retry-after': String(wait),
      });
    let readings;
    try {
      readings = await withTimeout(o.reader.deviceReadings(deviceHex, limit), lookupTimeoutMs);
    } catch (e) {
      if (e instanceof HttpFailure) throw e;
      o.logger?.error({ err: e }, 'status lookup failed');
      throw new HttpFailure(503, 'UNAVAILABLE', 'the queues could not be read; try again later');
    }
    return { device: new PublicKey(fromHex(deviceHex)).toBase58(), readings };
  };

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const text = JSON.stringify(body);
    res
      .writeHead(status, {
        ...CORS,
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        ...headers,
      })
      .end(req.method === 'HEAD' ? undefined : text);
  };

  const server: Server = createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS).end();
      return;
    }
    answer(req).then(
      (body) => send(req, res, 200, body),
      (e: unknown) => {
        const f =
          e instanceof HttpFailure
            ? e
            : new HttpFailure(503, 'UNAVAILABLE', 'the queues could not be read; try again later');
        send(req, res, f.status, { error: { code: f.code, message: f.message } }, f.headers);
      },
    );
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = !o.host || o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
