/**
 * How workers end a job. BullMQ's `UnrecoverableError` makes a dead letter at once: a job in
 * the failed set whose `failedReason` starts with `<CODE>: ` (sdk/src/pipeline.ts). A plain
 * error is retried with backoff; on the last attempt it becomes `RETRIES_EXHAUSTED: ...`.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import type { DeadLetterReason } from '@zkpin/sdk';

/** A permanent failure: the job goes to the failed set now, with `<code>: <message>`. */
export function deadLetter(code: DeadLetterReason, message: string): UnrecoverableError {
  return new UnrecoverableError(`${code}: ${message}`);
}

/** Whether this attempt is the job's last one (a failure now is final). */
export function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts || 1);
}

/** A failure that `transient()` already judged: retried as it is. */
export class TransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientError';
  }
}

/** Dead-letter reasons of transient failures that outlasted every attempt. */
export type ExhaustedReason = Extract<DeadLetterReason, 'RETRIES_EXHAUSTED' | 'RPC_UNAVAILABLE'>;

/**
 * A transient failure: retried with backoff, except on the last attempt, where it becomes a
 * dead letter naming the attempts and the last error, with `reason` (`RPC_UNAVAILABLE` when
 * the cluster could not be reached or did not confirm).
 */
export function transient(
  job: Job,
  message: string,
  reason: ExhaustedReason = 'RETRIES_EXHAUSTED',
): Error {
  if (isLastAttempt(job)) {
    return deadLetter(reason, `${job.attemptsMade + 1} attempts; last error: ${message}`);
  }
  return new TransientError(message);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
