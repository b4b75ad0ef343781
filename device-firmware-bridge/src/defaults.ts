/**
 * Every default of the bridge, defined once: `createBridge` fills omitted options from here and
 * `env.ts` uses the same values as the environment's defaults.
 */
import { availableParallelism } from 'node:os';
import type { AdmissionLimits } from './admission.ts';
import type { TimestampWindow } from './reading-validator.ts';

export interface BridgeLimits extends AdmissionLimits, TimestampWindow {
  /** Largest message (MQTT payload or HTTP body) in bytes. */
  maxMessageBytes: number;
}

export const DEFAULT_LIMITS: BridgeLimits = {
  maxMessageBytes: 4096,
  rateBurst: 20,
  ratePerSecond: 10,
  maxQueueWaiting: 100_000,
  maxBatch: 500,
  deferredHoldMs: 10_000,
  maxReadingAgeS: 86_400,
  maxClockSkewS: 120,
};

/** Ports, addresses and timeouts. */
export const DEFAULTS = {
  /** HTTP ingest port of a standalone bridge (`createBridge` serves HTTP only when given one). */
  httpPort: 8080,
  /** Loopback: put a proxy in front, or bind 0.0.0.0 to take device traffic directly. */
  httpHost: '127.0.0.1',
  /** `GET /metrics` and `/healthz` of a standalone bridge, never on the ingest port. */
  metricsPort: 9465,
  metricsHost: '127.0.0.1',
  /** Start-up connection timeout for Redis and MQTT (ms). */
  connectTimeoutMs: 3000,
  /** `stop()` forces the connections closed after this (ms). */
  shutdownTimeoutMs: 5000,
} as const;

/**
 * ed25519 worker threads: cores − 2, at least 1 and at most 4; none on one core. Verification
 * is ~40% of a reading's event-loop time; on 2 cores one thread takes it off the event loop,
 * which then batches more per Redis round trip (docs/pipeline.md, "Ingest throughput").
 */
export function defaultVerifyThreads(cores = availableParallelism()): number {
  return cores < 2 ? 0 : Math.max(1, Math.min(4, cores - 2));
}
