/**
 * What the live summary and the pipeline benchmark read of the queues, whichever chain the
 * network runs on: end-to-end latency (a relay job's completion minus the bridge's
 * acceptance), proofs made, dead letters by reason, and the records the indexer holds.
 */
import { Queue, QueueEvents, type ConnectionOptions } from 'bullmq';
import { QUEUE_PROVE, QUEUE_RELAY, deadLetterReason, type IndexerClient } from '@zkpin/sdk';

/** The p-th percentile of an ascending list (0 when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export class PipelineWatch {
  readonly latencies: number[] = [];
  readonly relayQueue: Queue;
  readonly proveQueue: Queue;
  private readonly relayEvents: QueueEvents;

  constructor(connection: ConnectionOptions, prefix: string) {
    this.relayQueue = new Queue(QUEUE_RELAY, { connection, prefix });
    this.proveQueue = new Queue(QUEUE_PROVE, { connection, prefix });
    this.relayEvents = new QueueEvents(QUEUE_RELAY, { connection, prefix });
    this.relayEvents.on('completed', ({ jobId }) => {
      void this.relayQueue.getJob(jobId).then((job) => {
        const acceptedAt = (job?.data as { acceptedAt?: number } | undefined)?.acceptedAt;
        if (acceptedAt) this.latencies.push(Date.now() - acceptedAt);
      });
    });
  }

  /** Relay jobs in any state: one per proof made. */
  async proofs(): Promise<number> {
    const c = await this.relayQueue.getJobCounts(
      'waiting',
      'active',
      'completed',
      'failed',
      'delayed',
    );
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  async deadLetters(): Promise<Record<string, number>> {
    const dead: Record<string, number> = {};
    const failed = [
      ...(await this.proveQueue.getFailed(0, -1)),
      ...(await this.relayQueue.getFailed(0, -1)),
    ];
    for (const j of failed) {
      const r = deadLetterReason(j.failedReason);
      dead[r] = (dead[r] ?? 0) + 1;
    }
    return dead;
  }

  latency(): { latencyP50: number; latencyP95: number } {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return { latencyP50: percentile(sorted, 50), latencyP95: percentile(sorted, 95) };
  }

  async close(): Promise<void> {
    await this.relayEvents.close();
    await this.relayQueue.close();
    await this.proveQueue.close();
  }
}

/**
 * Records the indexer holds (leaves written to the network's record trees), from its
 * `getTrees`; null when it does not answer.
 */
export async function indexedRecords(client: IndexerClient): Promise<number | null> {
  try {
    const trees = (await client.getTrees()).value;
    return trees.filter((t) => t.kind === 'record').reduce((n, t) => n + t.leafCount, 0);
  } catch {
    return null;
  }
}
