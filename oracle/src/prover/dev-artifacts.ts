/**
 * Artifacts from the INSECURE development ceremony (`npm run build:circuits`), built into the
 * cache when missing: for tests, benches and local networks, and for the oracle only with
 * ZKPIN_DEV_ARTIFACTS=1. A deployment names its keys from the multi-party ceremony
 * (docs/ceremony.md) in an artifacts file (PROVER_ARTIFACTS, `@zkpin/circuits/runtime`).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ProverArtifacts } from './prover.ts';

/** The class names a shipped model's training record lists (`circuits/model/<name>.json`). */
function classNamesOf(path: string): string[] | undefined {
  if (!existsSync(path)) return undefined;
  const meta = JSON.parse(readFileSync(path, 'utf8')) as { classes?: unknown };
  return Array.isArray(meta.classes) && meta.classes.every((c) => typeof c === 'string')
    ? meta.classes
    : undefined;
}

/** The development artifacts of the shipped model registered as `modelId` (1: the reference model). */
export async function devProverArtifacts(modelId = 1): Promise<ProverArtifacts> {
  // The build tooling (circom, ceremony) loads only when development artifacts are asked for.
  const { buildModelArtifacts } = await import('@zkpin/circuits/build-circuits');
  const { abs, MODELS, modelSpecById } = await import('@zkpin/circuits/models');
  const spec = modelSpecById(modelId);
  if (!spec)
    throw new Error(
      `no shipped model has id ${modelId}; the development artifacts exist for ${MODELS.map((m) => `${m.modelId} (${m.name})`).join(', ')}`,
    );
  const a = await buildModelArtifacts(spec);
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
    classNames: classNamesOf(abs(`circuits/model/${spec.name}.json`)),
  };
}

/**
 * The development artifacts of every shipped model, in model-id order; with `modelIds`, only of
 * the shipped models among them (the others are not built).
 */
export async function allDevProverArtifacts(
  modelIds?: readonly number[],
): Promise<ProverArtifacts[]> {
  const { MODELS } = await import('@zkpin/circuits/models');
  const out: ProverArtifacts[] = [];
  for (const m of MODELS)
    if (!modelIds || modelIds.includes(m.modelId)) out.push(await devProverArtifacts(m.modelId));
  return out;
}
