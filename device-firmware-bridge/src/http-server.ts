/**
 * HTTP ingest: `POST /v1/readings` (JSON body = SignedReadingJson) answers 202
 * `{jobId, duplicate: false}` for a new reading, 200 `{jobId, duplicate: true}` for a re-send
 * of an accepted one, or `{error: code, message}` with the reason's status; `GET /healthz`.
 * Metrics are served on their own loopback port (metrics-server.ts), never here.
 *
 * Slow and idle clients are cut off: a request must arrive whole (headers and body) within
 * `requestTimeoutMs`, its headers within `headersTimeoutMs`; a keep-alive connection idles
 * at most `keepAliveTimeoutMs`; at most `maxConnections` sockets are open at once (more are
 * closed on accept).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { BridgeError, REJECT_REASONS, isTransient, type RejectReason } from './errors.ts';
import type { ReadingIngest } from './ingest.ts';

export interface HttpLimits {
  /** Whole request (headers and body), ms. */
  requestTimeoutMs: number;
  /** Request headers, ms (at most requestTimeoutMs). */
  headersTimeoutMs: number;
  /** Idle keep-alive connection, ms. */
  keepAliveTimeoutMs: number;
  /** Open sockets at once. */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
};

export interface HttpIngestOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  maxMessageBytes: number;
  limits: HttpLimits;
  /** Decides and counts each body (`ingest`), counts fastify's own rejections (`reject`). */
  ingest: Pick<ReadingIngest, 'ingest' | 'reject'>;
  healthy: () => boolean;
}

/** The HTTP ingest server: `start` listens, `stop` closes (waiting for requests in flight). */
export class HttpIngest {
  private app: FastifyInstance | undefined;
  /** `http://host:port` once listening. */
  address: string | undefined;

  constructor(private readonly o: HttpIngestOptions) {}

  async start(): Promise<string> {
    const { port, host } = this.o;
    this.app = buildHttpServer(this.o);
    try {
      this.address = await this.app.listen({ port, host });
    } catch (e) {
      await this.stop();
      throw new BridgeError(
        'HTTP_LISTEN_FAILED',
        `cannot listen on ${host}:${port}: ${(e as Error).message}`,
      );
    }
    return this.address;
  }

  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    if (app) await app.close().catch(() => undefined);
  }
}

function buildHttpServer(deps: HttpIngestOptions): FastifyInstance {
  const { limits } = deps;
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  const app = Fastify({
    bodyLimit: deps.maxMessageBytes,
    logger: false,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Idle sockets (nothing sent at all) go at the request timeout too.
    connectionTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout,
      requestTimeout: limits.requestTimeoutMs,
      // How often Node checks the two timeouts above (its default is 30 s).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, headersTimeout / 2)),
    },
  });
  app.server.maxConnections = limits.maxConnections;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler(
    (err: { code?: string; statusCode?: number; message: string }, _req, reply) => {
      const reason: RejectReason =
        err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413
          ? 'TOO_LARGE'
          : 'MALFORMED_JSON';
      const message =
        reason === 'TOO_LARGE'
          ? `the body is larger than ${deps.maxMessageBytes} bytes`
          : err.message;
      deps.ingest.reject(reason, message, 'http');
      return reply.code(REJECT_REASONS[reason].status).send({ error: reason, message });
    },
  );

  app.post('/v1/readings', async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const r = await deps.ingest.ingest(body, 'http');
    if (r.accepted) {
      return reply.code(r.duplicate ? 200 : 202).send({ jobId: r.jobId, duplicate: r.duplicate });
    }
    if (r.reason === 'RATE_LIMITED' || isTransient(r.reason)) {
      void reply.header('retry-after', '1');
    }
    return reply.code(r.status).send({ error: r.reason, message: r.message });
  });

  app.get('/healthz', async (_req, reply) =>
    reply.code(deps.healthy() ? 200 : 503).send({ ok: deps.healthy() }),
  );
  return app;
}
