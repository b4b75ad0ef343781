/**
 * Prometheus metrics of the oracle workers. One `OracleMetrics` per process (main.ts) on its
 * own registry, so tests can create several without "metric already registered" errors.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DEFAULT_COMPUTE_UNIT_LIMIT } from '../defaults.ts';

export class OracleMetrics {
  readonly registry: Registry;
  readonly proofs: Counter<'outcome'>;
  readonly relayed: Counter<'outcome'>;
  readonly deadLetters: Counter<'queue' | 'reason'>;
  readonly retries: Counter<'queue'>;
  readonly proveSeconds: Histogram;
  readonly relaySeconds: Histogram;
  readonly endToEndSeconds: Histogram;
  readonly computeUnits: Histogram;
  readonly broadcasts: Counter;
  readonly resigns: Counter;
  readonly rpcRetries: Counter;

  constructor(opts: { registry?: Registry; defaultMetrics?: boolean } = {}) {
    this.registry = opts.registry ?? new Registry();
    if (opts.defaultMetrics)
      collectDefaultMetrics({ register: this.registry, prefix: 'zkpin_oracle_' });
    const registers = [this.registry];
    this.proofs = new Counter({
      name: 'zkpin_oracle_proofs_total',
      help: 'prove jobs finished, by outcome (proved, already_recorded)',
      labelNames: ['outcome'],
      registers,
    });
    this.relayed = new Counter({
      name: 'zkpin_oracle_relayed_total',
      help: 'relay jobs finished, by outcome (recorded, already_recorded)',
      labelNames: ['outcome'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'zkpin_oracle_dead_letters_total',
      help: 'jobs moved to the failed set for good, by queue and reason code',
      labelNames: ['queue', 'reason'],
      registers,
    });
    this.retries = new Counter({
      name: 'zkpin_oracle_retries_total',
      help: 'job attempts that failed with a transient error and will be retried',
      labelNames: ['queue'],
      registers,
    });
    this.proveSeconds = new Histogram({
      name: 'zkpin_oracle_prove_seconds',
      help: 'time to check, infer and prove one reading',
      buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
      registers,
    });
    this.relaySeconds = new Histogram({
      name: 'zkpin_oracle_relay_seconds',
      help: 'time to build, send and confirm one submit_attestation',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers,
    });
    this.endToEndSeconds = new Histogram({
      name: 'zkpin_oracle_end_to_end_seconds',
      help: 'reading accepted by the bridge to record confirmed on-chain',
      buckets: [0.25, 0.5, 1, 2, 3, 5, 10, 30, 60],
      registers,
    });
    this.computeUnits = new Histogram({
      name: 'zkpin_oracle_submit_compute_units',
      help: 'compute units consumed by submit_attestation transactions',
      // Up to the default limit: a transaction above it fails before it is counted.
      buckets: [100_000, 105_000, 110_000, 115_000, 120_000, DEFAULT_COMPUTE_UNIT_LIMIT],
      registers,
    });
    this.broadcasts = new Counter({
      name: 'zkpin_oracle_relay_broadcasts_total',
      help: 'sendTransaction requests of submit_attestation transactions (first broadcasts and re-broadcasts)',
      registers,
    });
    this.resigns = new Counter({
      name: 'zkpin_oracle_relay_resigns_total',
      help: 'submit_attestation transactions signed again with a fresh blockhash after a version expired without landing',
      registers,
    });
    this.rpcRetries = new Counter({
      name: 'zkpin_oracle_relay_rpc_retries_total',
      help: 'JSON-RPC requests of the send path retried after a fault (refused, reset, timeout, HTTP 429 or 5xx)',
      registers,
    });
  }
}
