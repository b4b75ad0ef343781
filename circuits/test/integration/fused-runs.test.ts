/**
 * The generator's fused non-linear runs (one bit decomposition per value for ReLU + floor shift
 * + clip, circuits/src/int_ops.circom's FloorClip templates) against onnxruntime and the
 * TypeScript reference, and the circuit's cost: constraints per hidden neuron (circuits/tools/
 * cost.ts) at most 30 for the reference model and for a wider, deeper 16→96→96→10 model.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { checkBitExact, edgeWindows, randomWindows } from '../../tools/bitexact.ts';
import { buildCircuit } from '../../tools/build.ts';
import { CIRCUITS_DIR, REPO_ROOT } from '../../tools/compile.ts';
import { modelCost, shippedModelCost } from '../../tools/cost.ts';
import { generateModelTemplate, hiddenNeurons, modelTemplateName } from '../../tools/generate.ts';
import { floatTensor, onnx, type TensorProto } from '../../tools/onnx-io.ts';
import { loadModel, type ModelIR } from '../../tools/onnx-model.ts';
import { loadWitnessCalculator } from '../../runtime/witness.ts';

interface Node {
  opType: string;
  input: string[];
  output: string[];
}
const { FLOAT } = onnx.TensorProto.DataType;

/** ONNX bytes: x [N, n] → nodes → y [N, m]. */
function onnxBytes(name: string, n: number, m: number, nodes: Node[], inits: TensorProto[]) {
  const vi = (v: string, d: number) => ({
    name: v,
    type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: d }] } } },
  });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: { name, input: [vi('x', n)], output: [vi('y', m)], initializer: inits, node: nodes },
    }),
  ).finish();
}

/** Deterministic integers in [-r, r]. */
function ints(seed: number, count: number, r: number): number[] {
  let s = seed;
  return Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s % (2 * r + 1)) - r;
  });
}

/** Model-only circuit of `ir` under circuits/.cache (git-ignored), compiled without a ceremony. */
async function compileModel(ir: ModelIR) {
  const dir = join(CIRCUITS_DIR, '.cache', 'fused-runs');
  mkdirSync(dir, { recursive: true });
  const main = join(dir, `${ir.name}_test.circom`);
  const source = generateModelTemplate(ir);
  writeFileSync(
    main,
    `pragma circom 2.1.0;\n\ninclude "../../src/int_ops.circom";\n\n${source}\n\ncomponent main = ${modelTemplateName(ir)}();\n`,
  );
  const circuit = await buildCircuit(main.slice(REPO_ROOT.length + 1), { setup: false });
  return { source, circuit, wc: await loadWitnessCalculator(circuit.wasm) };
}

/**
 * One reading x → MatMul by [37, -53, 129, 1, -1] (pre-activations from ±16,512 down to ±128,
 * each crossing its bounds in a different place) → `run` → the 5 outputs. Every int8 input is
 * checked, so every bound and 2^k edge the interval reaches is hit.
 */
const PATTERNS: { name: string; nodes: Node[]; inits: TensorProto[]; templates: RegExp }[] = [
  {
    name: 'relu',
    nodes: [{ opType: 'Relu', input: ['m'], output: ['y'] }],
    inits: [],
    templates: /FloorClipLo\(\S+, 0, 0\)/,
  },
  {
    name: 'relu_floor',
    nodes: [
      { opType: 'Relu', input: ['m'], output: ['r'] },
      { opType: 'Div', input: ['r', 'K8'], output: ['q'] },
      { opType: 'Floor', input: ['q'], output: ['y'] },
    ],
    inits: [floatTensor('K8', [], [8])],
    templates: /FloorClipLo\(\S+, 3, 0\)/,
  },
  {
    name: 'floor_clip',
    nodes: [
      { opType: 'Div', input: ['m', 'K4'], output: ['q'] },
      { opType: 'Floor', input: ['q'], output: ['f'] },
      { opType: 'Clip', input: ['f', 'LO', 'HI'], output: ['y'] },
    ],
    inits: [floatTensor('K4', [], [4]), floatTensor('LO', [], [-7]), floatTensor('HI', [], [50])],
    templates: /FloorClip\(\S+, 2, -7, 50\)/,
  },
  {
    name: 'relu_clip',
    nodes: [
      { opType: 'Relu', input: ['m'], output: ['r'] },
      { opType: 'Clip', input: ['r', 'LO', 'HI'], output: ['y'] },
    ],
    inits: [floatTensor('LO', [], [0]), floatTensor('HI', [], [63])],
    templates: /FloorClip\(\S+, 0, 0, 63\)/,
  },
  {
    name: 'clip_hi_then_relu',
    nodes: [
      { opType: 'Clip', input: ['m', '', 'HI'], output: ['c'] },
      { opType: 'Relu', input: ['c'], output: ['y'] },
    ],
    inits: [floatTensor('HI', [], [100])],
    templates: /FloorClip\(\S+, 0, 0, 100\)/,
  },
  {
    name: 'clip_hi_only',
    nodes: [
      { opType: 'Mul', input: ['m', 'S'], output: ['q'] },
      { opType: 'Floor', input: ['q'], output: ['f'] },
      { opType: 'Clip', input: ['f', '', 'HI'], output: ['y'] },
    ],
    inits: [floatTensor('S', [], [0.125]), floatTensor('HI', [], [20])],
    templates: /FloorClipHi\(\S+, 3, 20\)/,
  },
  {
    name: 'floor_relu_floor_clip',
    nodes: [
      { opType: 'Div', input: ['m', 'K2'], output: ['q'] },
      { opType: 'Floor', input: ['q'], output: ['f'] },
      { opType: 'Relu', input: ['f'], output: ['r'] },
      { opType: 'Div', input: ['r', 'K2'], output: ['q2'] },
      { opType: 'Floor', input: ['q2'], output: ['f2'] },
      { opType: 'Clip', input: ['f2', 'LO', 'HI'], output: ['y'] },
    ],
    inits: [floatTensor('K2', [], [2]), floatTensor('LO', [], [-3]), floatTensor('HI', [], [15])],
    templates: /FloorClip\(\S+, 2, 0, 15\)/,
  },
  {
    name: 'clip_lo_negative',
    nodes: [{ opType: 'Clip', input: ['m', 'LO'], output: ['y'] }],
    inits: [floatTensor('LO', [], [-100])],
    templates: /FloorClipLo\(\S+, 0, -100\)/,
  },
];

describe('fused non-linear runs: onnxruntime-node == circuit witness == TypeScript reference', () => {
  for (const p of PATTERNS) {
    it(`${p.name}: every int8 input`, async () => {
      const bytes = onnxBytes(
        `fused_${p.name}`,
        1,
        5,
        [{ opType: 'MatMul', input: ['x', 'W'], output: ['m'] }, ...p.nodes],
        [floatTensor('W', [1, 5], [37, -53, 129, 1, -1]), ...p.inits],
      );
      const ir = loadModel(onnx.ModelProto.decode(bytes), { name: `fused_${p.name}` });
      const { source, wc } = await compileModel(ir);
      // one template per value, of the expected kind: no ReluSigned / MaxConst / MinConst
      expect(source).toMatch(p.templates);
      expect(source).not.toMatch(/ReluSigned|MaxConst|MinConst/);
      expect(source.match(/component nl\d+\[/g) ?? []).toHaveLength(1);
      const session = await ort.InferenceSession.create(bytes);
      const windows = Array.from({ length: 256 }, (_, i) => [i - 128]);
      const report = await checkBitExact(session, ir, wc, windows);
      expect(report.firstMismatch).toBeUndefined();
      expect(report.checked).toBe(256);
    });
  }
});

describe('constraints per hidden neuron (circuits/tools/cost.ts)', () => {
  it('the reference model: at most 30 (ReLU, floor and clip share one decomposition)', async () => {
    const cost = await shippedModelCost();
    expect(cost.hiddenNeurons).toBe(16);
    expect(cost.constraintsPerHiddenNeuron).toBe(cost.constraints / 16);
    expect(cost.constraintsPerHiddenNeuron).toBeLessThanOrEqual(30);
  });

  it('16→96→96→10 with full int8 weights: bit-exact, and at most 30', async () => {
    const requant = (i: number, k: number): Node[] => [
      { opType: 'Relu', input: [`g${i}`], output: [`r${i}`] },
      { opType: 'Mul', input: [`r${i}`, `S${k}`], output: [`s${i}`] },
      { opType: 'Floor', input: [`s${i}`], output: [`f${i}`] },
      { opType: 'Clip', input: [`f${i}`, 'ZERO', 'MAX'], output: [`h${i}`] },
    ];
    const bytes = onnxBytes(
      'wide_deep',
      16,
      10,
      [
        { opType: 'Gemm', input: ['x', 'W1', 'B1'], output: ['g1'] },
        ...requant(1, 8),
        { opType: 'Gemm', input: ['h1', 'W2', 'B2'], output: ['g2'] },
        ...requant(2, 10),
        { opType: 'Gemm', input: ['h2', 'W3', 'B3'], output: ['y'] },
      ],
      [
        floatTensor('W1', [16, 96], ints(11, 16 * 96, 127)),
        floatTensor('B1', [96], ints(12, 96, 2000)),
        floatTensor('W2', [96, 96], ints(13, 96 * 96, 127)),
        floatTensor('B2', [96], ints(14, 96, 20000)),
        floatTensor('W3', [96, 10], ints(15, 960, 127)),
        floatTensor('B3', [10], ints(16, 10, 100)),
        floatTensor('S8', [], [2 ** -8]),
        floatTensor('S10', [], [2 ** -10]),
        floatTensor('ZERO', [], [0]),
        floatTensor('MAX', [], [127]),
      ],
    );
    const ir = loadModel(onnx.ModelProto.decode(bytes), { name: 'wide_deep' });
    expect(hiddenNeurons(ir)).toBe(192);
    const { wc } = await compileModel(ir);
    const session = await ort.InferenceSession.create(bytes);
    const windows = [...edgeWindows(16), ...randomWindows(9696, 200, 16)];
    const report = await checkBitExact(session, ir, wc, windows);
    expect(report.firstMismatch).toBeUndefined();
    const cost = await modelCost(ir);
    expect(cost.hiddenNeurons).toBe(192);
    expect(cost.constraintsPerHiddenNeuron).toBeLessThanOrEqual(30);
  });
});
