/**
 * Failure accounting shared by the prover worker and the relayer: a job's final failure is a
 * dead letter (counted by reason), an earlier one a retry.
 */
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { deadLetterReason } from '@zkpin/sdk';
import type { OracleMetrics } from './metrics.ts';

export function countFailures(
  worker: Worker,
  queue: string,
  metrics: OracleMetrics,
  log: Logger,
): void {
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts || 1);
    if (final) {
      const reason = deadLetterReason(err.message);
      metrics.deadLetters.inc({ queue, reason });
      log.warn({ jobId: job.id, reason, err: err.message }, `${queue} job dead-lettered`);
    } else {
      metrics.retries.inc({ queue });
      log.info(
        { jobId: job.id, attempt: job.attemptsMade, err: err.message },
        `${queue} job failed, will retry`,
      );
    }
  });
}
