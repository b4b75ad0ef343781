/** The models this repository builds circuits for, and where their generated files go. */
import { join } from 'node:path';
import { CIRCUITS_DIR } from './compile.ts';

export interface ModelSpec {
  name: string;
  onnx: string; // repo-relative
  generated: string; // repo-relative templates file
  main: string; // repo-relative main file
  modelTestMain: string; // repo-relative test main: the model alone, logits as public outputs
  vkFile: string; // repo-relative: committed dev verifying key (deterministic)
}

export const REFERENCE_MODEL: ModelSpec = {
  name: 'zkpin_anomaly_v1',
  onnx: 'circuits/model/zkpin_anomaly_v1.onnx',
  generated: 'circuits/generated/zkpin_anomaly_v1.circom',
  main: 'circuits/generated/zkpin_anomaly_v1_main.circom',
  modelTestMain: 'circuits/test/zkpin_anomaly_v1_model_test.circom',
  vkFile: 'circuits/generated/zkpin_anomaly_v1.dev-vk.json',
};

export const abs = (repoRel: string) => join(CIRCUITS_DIR, '..', repoRel);
