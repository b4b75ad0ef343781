/**
 * HTTP ingest: `POST /v1/readings` (JSON body = SignedReadingJson) answers
 * 202 {jobId} or {error: code, message} with the reason's status; `GET /metrics`
 * (Prometheus) and `GET /healthz`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { REJECT_REASONS, type RejectReason } from './errors.ts';
import type { IngestResult } from './bridge.ts';

export interface HttpServerDeps {
  maxMessageBytes: number;
  ingest: (payload: Buffer) => Promise<IngestResult>;
  /** Counts and logs a rejection that fastify decided before the body reached ingest. */
  reject: (reason: RejectReason, message: string) => void;
  registry: Registry;
  healthy: () => boolean;
}

export function buildHttpServer(deps: HttpServerDeps): FastifyInstance {
  const app = Fastify({ bodyLimit: deps.maxMessageBytes, logger: false });
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
      deps.reject(reason, message);
      return reply.code(REJECT_REASONS[reason].status).send({ error: reason, message });
    },
  );

  app.post('/v1/readings', async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const r = await deps.ingest(body);
    if (r.accepted) return reply.code(202).send({ jobId: r.jobId });
    if (r.reason === 'RATE_LIMITED' || r.reason === 'BACKPRESSURE' || r.reason === 'UNAVAILABLE') {
      void reply.header('retry-after', '1');
    }
    return reply.code(r.status).send({ error: r.reason, message: r.message });
  });

  app.get('/metrics', async (_req, reply) => {
    return reply.type(deps.registry.contentType).send(await deps.registry.metrics());
  });
  app.get('/healthz', async (_req, reply) =>
    reply.code(deps.healthy() ? 200 : 503).send({ ok: deps.healthy() }),
  );
  return app;
}
