/** Prometheus metrics and the in-process stats object, counted together. */
import { Counter, Gauge, Registry } from 'prom-client';
import { REJECT_REASON_CODES, type RejectReason } from './errors.ts';

export type Source = 'mqtt' | 'http';

export interface BridgeStats {
  /** New readings admitted (one prove job each). */
  accepted: number;
  acceptedBySource: Record<Source, number>;
  /** Re-sends of an accepted reading, answered with its job id (no new job). */
  duplicates: number;
  rejected: number;
  rejectedByReason: Record<RejectReason, number>;
  /** MQTT messages put back for a retry (BACKPRESSURE, UNAVAILABLE), not yet acknowledged. */
  deferred: number;
}

export class BridgeMetrics {
  readonly registry: Registry;
  private readonly acceptedTotal: Counter<'source'>;
  private readonly duplicatesTotal: Counter<'source'>;
  private readonly rejectedTotal: Counter<'reason' | 'source'>;
  private readonly deferredTotal: Counter<'reason'>;
  readonly mqttUnacked: Gauge;
  private readonly counts: BridgeStats = {
    accepted: 0,
    acceptedBySource: { mqtt: 0, http: 0 },
    duplicates: 0,
    rejected: 0,
    rejectedByReason: Object.fromEntries(REJECT_REASON_CODES.map((c) => [c, 0])) as Record<
      RejectReason,
      number
    >,
    deferred: 0,
  };

  constructor(registry = new Registry()) {
    this.registry = registry;
    this.acceptedTotal = new Counter({
      name: 'zkpin_bridge_accepted_total',
      help: 'Signed readings accepted into the prove queue',
      labelNames: ['source'],
      registers: [registry],
    });
    this.duplicatesTotal = new Counter({
      name: 'zkpin_bridge_duplicates_total',
      help: 'Re-sends of an already accepted reading (answered with its job id)',
      labelNames: ['source'],
      registers: [registry],
    });
    this.rejectedTotal = new Counter({
      name: 'zkpin_bridge_rejected_total',
      help: 'Messages rejected by the bridge, by reason',
      labelNames: ['reason', 'source'],
      registers: [registry],
    });
    this.deferredTotal = new Counter({
      name: 'zkpin_bridge_mqtt_deferred_total',
      help: 'MQTT messages kept unacknowledged for a retry, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.mqttUnacked = new Gauge({
      name: 'zkpin_bridge_mqtt_unacked',
      help: 'MQTT QoS 1 messages received and not yet acknowledged (being decided)',
      registers: [registry],
    });
    for (const reason of REJECT_REASON_CODES) this.rejectedTotal.inc({ reason, source: 'mqtt' }, 0);
  }

  accepted(source: Source, duplicate: boolean): void {
    if (duplicate) {
      this.counts.duplicates += 1;
      this.duplicatesTotal.inc({ source });
      return;
    }
    this.counts.accepted += 1;
    this.counts.acceptedBySource[source] += 1;
    this.acceptedTotal.inc({ source });
  }

  rejected(reason: RejectReason, source: Source): void {
    this.counts.rejected += 1;
    this.counts.rejectedByReason[reason] += 1;
    this.rejectedTotal.inc({ reason, source });
  }

  deferred(reason: RejectReason): void {
    this.counts.deferred += 1;
    this.deferredTotal.inc({ reason });
  }

  stats(): BridgeStats {
    return structuredClone(this.counts);
  }
}
