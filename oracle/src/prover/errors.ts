/**
 * Errors of the prover. Every code is stable (logs, dead letters and metrics key on it).
 * `permanent: true` means retrying cannot help: the queue worker wraps it in BullMQ's
 * UnrecoverableError and dead-letters the job with this message.
 */
export const PROVER_ERROR_CODES = {
  MALFORMED_READING: 'the reading does not have the expected fields or sizes',
  READING_OUT_OF_RANGE: 'a reading is outside the int8 range [-128, 127]',
  INVALID_ED25519_SIGNATURE:
    'the device ed25519 signature does not verify over the canonical reading bytes',
  INVALID_BJJ_SIGNATURE: 'the device BabyJubJub EdDSA-Poseidon signature does not verify',
  DEVICE_KEY_MISMATCH: "the BabyJubJub key does not match the device's registered bjj_key_hash",
  MODEL_MISMATCH: 'the reading, the ONNX model and the circuit disagree on the model',
  PROOF_INVALID: 'the generated proof did not verify off-chain',
} as const;

export type ProverErrorCode = keyof typeof PROVER_ERROR_CODES;

export class ProverError extends Error {
  override name = 'ProverError';
  readonly permanent = true;
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
