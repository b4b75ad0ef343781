/** Prometheus metrics and the in-process stats object, counted together. */
import { Counter, Registry } from 'prom-client';
import { REJECT_REASON_CODES, type RejectReason } from './errors.ts';

export type Source = 'mqtt' | 'http';

export interface BridgeStats {
  accepted: number;
  acceptedBySource: Record<Source, number>;
  rejected: number;
  rejectedByReason: Record<RejectReason, number>;
}

export class BridgeMetrics {
  readonly registry: Registry;
  private readonly acceptedTotal: Counter<'source'>;
  private readonly rejectedTotal: Counter<'reason' | 'source'>;
  private readonly counts: BridgeStats = {
    accepted: 0,
    acceptedBySource: { mqtt: 0, http: 0 },
    rejected: 0,
    rejectedByReason: Object.fromEntries(REJECT_REASON_CODES.map((c) => [c, 0])) as Record<
      RejectReason,
      number
    >,
  };

  constructor(registry = new Registry()) {
    this.registry = registry;
    this.acceptedTotal = new Counter({
      name: 'zkpin_bridge_accepted_total',
      help: 'Signed readings accepted into the prove queue',
      labelNames: ['source'],
      registers: [registry],
    });
    this.rejectedTotal = new Counter({
      name: 'zkpin_bridge_rejected_total',
      help: 'Messages rejected by the bridge, by reason',
      labelNames: ['reason', 'source'],
      registers: [registry],
    });
    for (const reason of REJECT_REASON_CODES) this.rejectedTotal.inc({ reason, source: 'mqtt' }, 0);
  }

  accepted(source: Source): void {
    this.counts.accepted += 1;
    this.counts.acceptedBySource[source] += 1;
    this.acceptedTotal.inc({ source });
  }

  rejected(reason: RejectReason, source: Source): void {
    this.counts.rejected += 1;
    this.counts.rejectedByReason[reason] += 1;
    this.rejectedTotal.inc({ reason, source });
  }

  stats(): BridgeStats {
    return structuredClone(this.counts);
  }
}
