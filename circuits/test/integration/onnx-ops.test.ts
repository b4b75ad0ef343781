/**
 * What ONNX exporters emit beyond the reference model's ops (Sub, Div by 2^k, Flatten, Add and
 * Mul with the constant first, a fixed batch of 1, a trailing ArgMax, exact QDQ): each small model is built here,
 * run in onnxruntime-node, compiled by the generator and compared with the witness and the
 * TypeScript reference on the int8 edge windows and random int8 windows.
 */
import { describe, expect, it } from 'vitest';
import {
  checkBitExact,
  edgeWindows,
  ortOutputs,
  randomWindows,
  referenceOutput,
} from '../../tools/bitexact.ts';
import { buildModelOnlyCircuit } from '../../tools/model-circuit.ts';
import { floatTensor, onnx, type TensorProto } from '../../tools/onnx-io.ts';
import {
  int8Tensor,
  intAttr,
  onnxBytes,
  smallInts as ints,
  type Dim,
  type GraphNode,
} from '../../tools/onnx-build.ts';
import { argmaxFirst, loadModel, type ModelIR } from '../../tools/onnx-model.ts';
import { loadWitnessCalculator } from '../../runtime/witness.ts';
import { createExactSession } from '../../runtime/onnx-session.ts';

const { INT64 } = onnx.TensorProto.DataType;

/** ONNX bytes: input x of shape `inDims` → nodes → output y. */
const model = (
  name: string,
  inDims: Dim[],
  nodes: GraphNode[],
  initializers: TensorProto[],
  output: { dims: Dim[]; type?: number },
) => onnxBytes({ name, input: { dims: inDims }, nodes, initializers, output });

/**
 * Generate and compile the model-only circuit for `ir` (cached by content), run onnxruntime on
 * the same bytes and compare all three.
 */
async function bitExact(bytes: Uint8Array, ir: ModelIR, randomCount = 60) {
  const [circuit, session] = await Promise.all([
    buildModelOnlyCircuit(ir, 'onnx-ops'),
    createExactSession(bytes),
  ]);
  const wc = await loadWitnessCalculator(circuit.wasm);
  const windows = [
    ...edgeWindows(ir.inputSize),
    ...randomWindows(ir.inputSize * 101, randomCount, ir.inputSize),
  ];
  const report = await checkBitExact(session, ir, wc, windows);
  expect(report.firstMismatch).toBeUndefined();
  expect(report.checked).toBe(windows.length);
  return { session, windows };
}

describe('exporter ops: onnxruntime-node == circuit witness == TypeScript reference', () => {
  it('Sub: c - x folded into a Gemm (weights negated), x - c after Relu', async () => {
    const bytes = model(
      'ops_sub',
      ['N', 8],
      [
        { opType: 'Gemm', input: ['x', 'W1', 'B1'], output: ['g'] },
        { opType: 'Sub', input: ['C1', 'g'], output: ['s'] },
        { opType: 'Relu', input: ['s'], output: ['r'] },
        { opType: 'Sub', input: ['r', 'C2'], output: ['d'] },
        { opType: 'Sub', input: ['C3', 'd'], output: ['e'] },
        { opType: 'MatMul', input: ['e', 'W2'], output: ['y'] },
      ],
      [
        floatTensor('W1', [8, 4], ints(1, 32, 9)),
        floatTensor('B1', [4], [5, -7, 0, 300]),
        floatTensor('C1', [4], [100, -50, 0, 7]),
        floatTensor('C2', [], [40]),
        floatTensor('C3', [1, 4], [1, 2, 3, -4]),
        floatTensor('W2', [4, 3], ints(2, 12, 5)),
      ],
      { dims: ['N', 3] },
    );
    const ir = loadModel(onnx.ModelProto.decode(bytes), { name: 'ops_sub' });
    expect(ir.layers.map((l) => l.op)).toEqual(['linear', 'relu', 'linear', 'linear']);
    const first = ir.layers[0]!;
    if (first.op !== 'linear') throw new Error('unexpected');
    // Sub(C1, Gemm): weights and bias negated, then C1 added.
    expect(first.bias).toEqual([100 - 5, -50 + 7, 0, 7 - 300]);
    await bitExact(bytes, ir);
  });

  it('Div by 2^k then Floor (negative values round down like Floor), Div by 1', async () => {
    const bytes = model(
      'ops_div',
      ['N', 8],
      [
        { opType: 'MatMul', input: ['x', 'W1'], output: ['m'] },
        { opType: 'Div', input: ['m', 'K8'], output: ['q'] },
        { opType: 'Floor', input: ['q'], output: ['f'] },
        { opType: 'Div', input: ['f', 'ONE'], output: ['o'] },
        { opType: 'Relu', input: ['o'], output: ['r'] },
        { opType: 'Div', input: ['r', 'K4'], output: ['q2'] },
        { opType: 'Floor', input: ['q2'], output: ['f2'] },
        { opType: 'Gemm', input: ['f2', 'W2', 'B2'], output: ['y'] },
      ],
      [
        floatTensor('W1', [8, 5], ints(3, 40, 7)),
        floatTensor('K8', [], [8]),
        floatTensor('ONE', [], [1]),
        floatTensor('K4', [1], [4]),
        floatTensor('W2', [5, 3], ints(4, 15, 6)),
        floatTensor('B2', [3], [1, 0, -1]),
      ],
      { dims: ['N', 3] },
    );
    const ir = loadModel(onnx.ModelProto.decode(bytes), { name: 'ops_div' });
    expect(ir.layers.map((l) => (l.op === 'floorShift' ? `shift${l.k}` : l.op))).toEqual([
      'linear',
      'shift3',
      'relu',
      'shift2',
      'linear',
    ]);
    await bitExact(bytes, ir);
  });

  it('a fixed batch of 1, Flatten (axis 1), Add and Mul with the constant first', async () => {
    const bytes = model(
      'ops_batch1',
      [1, 8],
      [
        { opType: 'Flatten', input: ['x'], output: ['fl'] },
        { opType: 'Gemm', input: ['fl', 'W1', 'B1'], output: ['g'] },
        { opType: 'Add', input: ['A1', 'g'], output: ['a'] },
        { opType: 'Relu', input: ['a'], output: ['r'] },
        { opType: 'Add', input: ['A2', 'r'], output: ['a2'] },
        { opType: 'Mul', input: ['M', 'a2'], output: ['m'] },
        {
          opType: 'Flatten',
          input: ['m'],
          output: ['fl2'],
          attribute: [intAttr('axis', 1)],
        },
        {
          opType: 'Gemm',
          input: ['fl2', 'W2'],
          output: ['y'],
          attribute: [intAttr('transB', 1)],
        },
      ],
      [
        floatTensor('W1', [8, 4], ints(5, 32, 8)),
        floatTensor('B1', [4], [0, 1, 2, 3]),
        floatTensor('A1', [4], [-200, 10, 0, 55]),
        floatTensor('A2', [], [-3]),
        floatTensor('M', [], [-2]),
        floatTensor('W2', [2, 4], ints(6, 8, 9)),
      ],
      { dims: [1, 2] },
    );
    const ir = loadModel(onnx.ModelProto.decode(bytes), { name: 'ops_batch1' });
    expect(ir.inputBatch).toBe(1);
    expect(ir.layers.map((l) => l.op)).toEqual(['linear', 'relu', 'linear', 'linear', 'linear']);
    await bitExact(bytes, ir);
  });

  it('an input without a batch dimension, Flatten (axis 0) to [1, n]', async () => {
    const bytes = model(
      'ops_flat0',
      [6],
      [
        {
          opType: 'Flatten',
          input: ['x'],
          output: ['fl'],
          attribute: [intAttr('axis', 0)],
        },
        { opType: 'Gemm', input: ['fl', 'W', 'B'], output: ['y'] },
      ],
      [floatTensor('W', [6, 3], ints(7, 18, 20)), floatTensor('B', [3], [-1, 0, 1])],
      { dims: [1, 3] },
    );
    const ir = loadModel(onnx.ModelProto.decode(bytes), { name: 'ops_flat0' });
    expect(ir.inputBatch).toBe('none');
    await bitExact(bytes, ir, 30);
  });

  it('QDQ: int8 weights dequantized with an integer scale, Quantize (scale 1) then Dequantize', async () => {
    const bytes = model(
      'ops_qdq',
      ['N', 8],
      [
        { opType: 'DequantizeLinear', input: ['Wq', 'S2', 'Z1'], output: ['W'] },
        { opType: 'MatMul', input: ['x', 'W'], output: ['m'] },
        { opType: 'Div', input: ['m', 'K16'], output: ['d'] },
        { opType: 'Floor', input: ['d'], output: ['f'] },
        { opType: 'QuantizeLinear', input: ['f', 'S1', 'Z3'], output: ['q'] },
        { opType: 'DequantizeLinear', input: ['q', 'S2', 'Z3'], output: ['dq'] },
        { opType: 'QuantizeLinear', input: ['dq', 'S1'], output: ['u'] },
        { opType: 'DequantizeLinear', input: ['u', 'S1'], output: ['du'] },
        { opType: 'Gemm', input: ['du', 'W2', 'B2'], output: ['y'] },
      ],
      [
        int8Tensor('Wq', [8, 4], ints(10, 32, 5)),
        floatTensor('S1', [], [1]),
        floatTensor('S2', [], [2]),
        int8Tensor('Z1', [], [1]),
        int8Tensor('Z3', [], [-3]),
        floatTensor('K16', [], [16]),
        floatTensor('W2', [4, 3], ints(11, 12, 4)),
        floatTensor('B2', [3], [7, -7, 0]),
      ],
      { dims: ['N', 3] },
    );
    const ir = loadModel(onnx.ModelProto.decode(bytes), { name: 'ops_qdq' });
    // int8 saturation, (q + 3) · 2, uint8 saturation, then the Gemm.
    expect(ir.layers.map((l) => (l.op === 'clip' ? `clip[${l.lo},${l.hi}]` : l.op))).toEqual([
      'linear',
      'floorShift',
      'linear',
      'clip[-128,127]',
      'linear',
      'clip[0,255]',
      'linear',
      'linear',
    ]);
    await bitExact(bytes, ir);
  });

  it('a trailing ArgMax: the class of the first maximum, ties included', async () => {
    // Rows 0 and 2 of W2 and their biases are equal, so every window ties them: the first
    // index must win, in onnxruntime and in the circuit's ArgMaxFirst.
    const w2 = ints(8, 8 * 4, 6);
    for (let i = 0; i < 8; i++) w2[i * 4 + 2] = w2[i * 4]!;
    const bytes = model(
      'ops_argmax',
      ['N', 8],
      [
        { opType: 'Gemm', input: ['x', 'W1', 'B1'], output: ['g'] },
        { opType: 'Relu', input: ['g'], output: ['r'] },
        { opType: 'MatMul', input: ['r', 'W2'], output: ['logits'] },
        {
          opType: 'ArgMax',
          input: ['logits'],
          output: ['y'],
          attribute: [intAttr('axis', -1), intAttr('keepdims', 1)],
        },
      ],
      [
        floatTensor('W1', [8, 8], ints(9, 64, 5)),
        floatTensor('B1', [8], [0, 0, 0, 0, 0, 0, 0, 0]),
        floatTensor('W2', [8, 4], w2),
      ],
      { dims: ['N', 1], type: INT64 },
    );
    const ir = loadModel(onnx.ModelProto.decode(bytes), { name: 'ops_argmax' });
    expect(ir.output).toBe('class');
    expect(ir.outputSize).toBe(4);
    const { session, windows } = await bitExact(bytes, ir);
    // The check is not vacuous: windows land in several classes, and class 2 never wins.
    const classes = (await ortOutputs(session, windows, ir)).map((o) => o[0]!);
    expect(new Set(classes).size).toBeGreaterThan(1);
    expect(classes).not.toContain(2);
    expect(classes).toEqual(windows.map((w) => referenceOutput(ir, w)[0]));
    // All zeros: every logit is 0, a four-way tie.
    expect(argmaxFirst([0, 0, 0, 0]).class).toBe(0);
    expect((await ortOutputs(session, [new Array<number>(8).fill(0)], ir))[0]).toEqual([0]);
  });
});
