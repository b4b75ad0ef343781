/**
 * Errors of the prover. Every code is stable (logs, dead letters and metrics key on it). A
 * ProverError is permanent (retrying cannot help): the prover worker wraps it in BullMQ's
 * UnrecoverableError and dead-letters the job with this message, `<code>: <message>`.
 */
import type { ProverRejection } from '@zkpin/sdk';

/** The codes and their meanings are a pipeline contract: `PROVER_REJECTIONS` in the sdk. */
export type ProverErrorCode = ProverRejection;

export class ProverError extends Error {
  override name = 'ProverError';
  constructor(
    readonly code: ProverErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(`${code}: ${message}`);
  }
}

export function isProverError(e: unknown, code?: ProverErrorCode): e is ProverError {
  return e instanceof ProverError && (code === undefined || e.code === code);
}
