/**
 * Artifacts from the INSECURE development ceremony (`npm run build:circuits`), built into the
 * cache when missing. Production deployments pass ProverArtifacts for keys from the
 * multi-party ceremony (docs/ceremony.md) instead.
 */
import { buildReferenceArtifacts } from '@zkpin/circuits/build-circuits';
import { abs } from '@zkpin/circuits/models';
import type { ProverArtifacts } from './prover.ts';

export async function devProverArtifacts(modelId = 1): Promise<ProverArtifacts> {
  const a = await buildReferenceArtifacts();
  return {
    onnxPath: abs(a.spec.onnx),
    onnxSha256: a.onnxSha256,
    wasmPath: a.circuit.wasm,
    zkeyPath: a.circuit.zkey,
    vk: a.circuit.vk,
    modelId,
  };
}
