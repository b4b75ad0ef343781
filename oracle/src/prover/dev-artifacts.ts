/**
 * Artifacts from the INSECURE development ceremony (`npm run build:circuits`), built into the
 * cache when missing: for tests, benches and local networks, and for the oracle only with
 * ZKPIN_DEV_ARTIFACTS=1. A deployment names its keys from the multi-party ceremony
 * (docs/ceremony.md) in an artifacts file (PROVER_ARTIFACTS, `@zkpin/circuits/runtime`).
 */
import type { ProverArtifacts } from './prover.ts';

export async function devProverArtifacts(modelId = 1): Promise<ProverArtifacts> {
  // The build tooling (circom, ceremony) loads only when development artifacts are asked for.
  const { buildReferenceArtifacts } = await import('@zkpin/circuits/build-circuits');
  const { abs } = await import('@zkpin/circuits/models');
  const a = await buildReferenceArtifacts();
  return {
    onnxPath: abs(a.spec.onnx),
    onnxSha256: a.onnxSha256,
    wasmPath: a.circuit.wasm,
    zkeyPath: a.circuit.zkey,
    vk: a.circuit.vk,
    modelId,
    // The model's shape from the generator's IR: inputs (readings) and logits (classes).
    window: a.ir.inputSize,
    classes: a.ir.outputSize,
  };
}
