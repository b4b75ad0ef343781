/**
 * onnxruntime sessions that compute zkpin models exactly. Every session that runs a model the
 * circuit is compared with (the prover, bit-exactness checks, the fuzzer) is made here.
 *
 * Why: with its default (extended) graph optimizations onnxruntime fuses DequantizeLinear of
 * constant int8/uint8 weights followed by MatMul or Gemm into its `MatMulNBits` kernel, which at
 * the default `accuracy_level` 4 quantizes the activations to int8 as well: the logits come out
 * off by fractions (-18.457 for -19), found by the differential fuzzer
 * (`npx tsx circuits/tools/fuzz.ts --model-seed 2265367787`). Accuracy level 0 keeps that
 * kernel in float32, where integer sums below 2^24 are exact.
 */
import type * as ort from 'onnxruntime-node';

export const EXACT_SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  extra: { session: { qdq_matmulnbits_accuracy_level: '0' } },
};

/** An onnxruntime session for a model file or its bytes, with `EXACT_SESSION_OPTIONS`. */
export async function createExactSession(
  model: string | Uint8Array,
): Promise<ort.InferenceSession> {
  // Loaded here, not at import: the artifacts-file readers of this entry need no onnxruntime.
  const { InferenceSession } = await import('onnxruntime-node');
  return typeof model === 'string'
    ? InferenceSession.create(model, EXACT_SESSION_OPTIONS)
    : InferenceSession.create(model, EXACT_SESSION_OPTIONS);
}
