/**
 * Circuit cost of a model: constraints per hidden neuron.
 *
 *   constraints per hidden neuron = constraints of the model-only circuit / hidden neurons
 *
 * The model-only circuit is `Model_<name>` as its own main (logits as outputs; for a shipped
 * model, its committed test main `circuits/test/<name>_model_test.circom`), compiled with
 * `--O2`: no argmax, commitment, signature or public-input hash, and the linear layers cost
 * nothing (--O2 folds their sums into the next constraint), so every constraint counted is one
 * of the non-linear runs (ReLU, floor shift, clip). Hidden neurons are the values that go
 * through a non-linear run (`hiddenNeurons`): 16 for the reference model, 192 for 16→96→96→10.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCircuit } from './build.ts';
import { CIRCUITS_DIR, REPO_ROOT } from './compile.ts';
import { generateModelTemplate, hiddenNeurons, modelTemplateName } from './generate.ts';
import { abs, REFERENCE_MODEL, type ModelSpec } from './models.ts';
import { loadModel, type ModelIR } from './onnx-model.ts';

export interface ModelCost {
  /** R1CS constraints of the model-only circuit. */
  constraints: number;
  /** Values that pass through a non-linear run. */
  hiddenNeurons: number;
  /** constraints / hiddenNeurons (0 for a model without a non-linear op). */
  constraintsPerHiddenNeuron: number;
}

async function costOf(ir: ModelIR, modelOnlyMain: string): Promise<ModelCost> {
  const circuit = await buildCircuit(modelOnlyMain, { setup: false });
  const neurons = hiddenNeurons(ir);
  return {
    constraints: circuit.constraints,
    hiddenNeurons: neurons,
    constraintsPerHiddenNeuron: neurons === 0 ? 0 : circuit.constraints / neurons,
  };
}

/**
 * Cost of any model IR: its `Model_<name>` template, generated now into circuits/.cache/cost
 * (git-ignored) as a main of its own and compiled (cached by content, no ceremony).
 */
export async function modelCost(ir: ModelIR): Promise<ModelCost> {
  const dir = join(CIRCUITS_DIR, '.cache', 'cost');
  mkdirSync(dir, { recursive: true });
  const main = join(dir, `${ir.name.replace(/[^A-Za-z0-9_]/g, '_')}_model.circom`);
  writeFileSync(
    main,
    `pragma circom 2.1.0;\n\ninclude "../../src/int_ops.circom";\n\n${generateModelTemplate(ir)}\n\ncomponent main = ${modelTemplateName(ir)}();\n`,
  );
  return costOf(ir, main.slice(REPO_ROOT.length + 1));
}

/** Cost of a shipped model, measured on its committed model-only test main. */
export async function shippedModelCost(spec: ModelSpec = REFERENCE_MODEL): Promise<ModelCost> {
  if (!existsSync(abs(spec.modelTestMain))) {
    throw new Error(`${spec.modelTestMain} is missing: run npm run build:circuits`);
  }
  const ir = loadModel(abs(spec.onnx), { name: spec.name });
  return costOf(ir, spec.modelTestMain);
}

/** Constraints per hidden neuron of a shipped model (bench:prover's `constraints_per_hidden_neuron`). */
export async function constraintsPerHiddenNeuron(
  spec: ModelSpec = REFERENCE_MODEL,
): Promise<number> {
  return (await shippedModelCost(spec)).constraintsPerHiddenNeuron;
}
