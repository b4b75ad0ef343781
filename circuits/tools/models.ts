/** The models this repository builds circuits for, and where their generated files go. */
import { join } from 'node:path';
import { CIRCUITS_DIR } from './compile.ts';

export interface ModelSpec {
  name: string;
  /** The id the local network registers it under (`register_model`). */
  modelId: number;
  onnx: string; // repo-relative
  generated: string; // repo-relative templates file
  main: string; // repo-relative main file
  modelTestMain: string; // repo-relative test main: the model alone, logits as public outputs
  vkFile: string; // repo-relative: committed dev verifying key (deterministic)
}

function spec(name: string, modelId: number): ModelSpec {
  return {
    name,
    modelId,
    onnx: `circuits/model/${name}.onnx`,
    generated: `circuits/generated/${name}.circom`,
    main: `circuits/generated/${name}_main.circom`,
    modelTestMain: `circuits/test/${name}_model_test.circom`,
    vkFile: `circuits/generated/${name}.dev-vk.json`,
  };
}

/** Model 1: 16 int8 readings → 4 classes (docs/zkml.md). */
export const REFERENCE_MODEL: ModelSpec = spec('zkpin_anomaly_v1', 1);

/** Model 2: 48 int8 accelerometer samples (two packed chunks) → 3 classes (docs/zkml.md). */
export const VIBRATION_MODEL: ModelSpec = spec('zkpin_vibration_v1', 2);

/** Every shipped model, in model-id order. */
export const MODELS: readonly ModelSpec[] = [REFERENCE_MODEL, VIBRATION_MODEL];

/** The shipped model registered under `modelId`, or undefined. */
export function modelSpecById(modelId: number): ModelSpec | undefined {
  return MODELS.find((m) => m.modelId === modelId);
}

export const abs = (repoRel: string) => join(CIRCUITS_DIR, '..', repoRel);
