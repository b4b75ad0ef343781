/**
 * Prometheus metrics (`GET /metrics` on the JSON-RPC port): ingest counters read from
 * `Ingest.stats` at scrape time, the indexer's slot and its lag behind the chain, the start's
 * backfill progress, and request latency by method and outcome.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BackfillProgress, Ingest } from './ingest.ts';

type StatName = keyof Ingest['stats'];

export class IndexerMetrics {
  readonly registry = new Registry();
  private readonly requests: Histogram<'method' | 'outcome'>;

  constructor(ingest: Ingest) {
    const counter = (name: string, help: string, stat: StatName) =>
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(ingest.stats[stat]);
        },
      });
    counter('zkpin_indexer_transactions_total', 'Chain transactions applied', 'transactions');
    counter('zkpin_indexer_events_total', 'Program events applied', 'events');
    counter(
      'zkpin_indexer_duplicates_total',
      'Transactions seen again (changed nothing)',
      'duplicates',
    );
    counter(
      'zkpin_indexer_gaps_repaired_total',
      'Tree sequence gaps repaired from the history',
      'gapsRepaired',
    );
    counter(
      'zkpin_indexer_live_deferred_total',
      'Live transactions after a gap the history did not fill yet, left to the next poll',
      'liveDeferred',
    );
    counter(
      'zkpin_indexer_trees_repaired_total',
      'Trees whose replica root differed from the chain, rebuilt from the history',
      'treesRepaired',
    );
    counter(
      'zkpin_indexer_root_checks_total',
      'Replica roots compared with tree accounts',
      'rootChecks',
    );
    counter(
      'zkpin_indexer_root_mismatches_total',
      'Replica roots that differed from the chain',
      'rootMismatches',
    );
    counter(
      'zkpin_indexer_rolled_back_total',
      'Applied transactions the cluster no longer holds (rolled back with their fork)',
      'rolledBack',
    );
    new Gauge({
      name: 'zkpin_indexer_finalized_slot',
      help: 'Slot up to which every applied transaction was found finalized by the cluster',
      registers: [this.registry],
      collect() {
        this.set(ingest.finalizedSlot);
      },
    });
    new Gauge({
      name: 'zkpin_indexer_slot',
      help: 'Slot up to which every transaction of the network is applied',
      registers: [this.registry],
      collect() {
        this.set(ingest.slot);
      },
    });
    new Gauge({
      name: 'zkpin_indexer_lag_slots',
      help: "Slots between the chain's confirmed slot and the indexer's",
      registers: [this.registry],
      async collect() {
        try {
          this.set(Math.max(0, Number(await ingest.chain.slot()) - ingest.slot));
        } catch {
          this.set(Number.NaN);
        }
      },
    });
    const backfill = (name: string, help: string, value: (b: BackfillProgress) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(ingest.backfill ? value(ingest.backfill) : 0);
        },
      });
    backfill(
      'zkpin_indexer_backfill_total',
      "Transactions of the history after the cursor that the start's backfill listed",
      (b) => b.total,
    );
    backfill(
      'zkpin_indexer_backfill_applied',
      "Of those, how many the start's backfill has applied",
      (b) => b.applied,
    );
    backfill('zkpin_indexer_backfill_running', "1 while the start's backfill is under way", (b) =>
      b.finishedAt === undefined ? 1 : 0,
    );
    backfill(
      'zkpin_indexer_backfill_seconds',
      "How long the start's backfill has run (took, once done)",
      (b) => ((b.finishedAt ?? Date.now()) - b.startedAt) / 1000,
    );
    new Gauge({
      name: 'zkpin_indexer_up',
      help: '1 while ingest is ok, 0 while starting or failed',
      registers: [this.registry],
      collect() {
        this.set(ingest.status === 'ok' ? 1 : 0);
      },
    });
    this.requests = new Histogram({
      name: 'zkpin_indexer_request_seconds',
      help: 'JSON-RPC request latency by method and outcome (ok, or the error code)',
      labelNames: ['method', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1, 2.5],
      registers: [this.registry],
    });
  }

  /** One request: `method` (unknown names are counted as `unknown`), seconds, ok or an error code. */
  request(method: string, seconds: number, outcome: string): void {
    this.requests.observe({ method, outcome }, seconds);
  }
}
