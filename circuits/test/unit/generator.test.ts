import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { edgeWindows } from '../../tools/bitexact.ts';
import { floatTensor, onnx, type ModelProto, type TensorProto } from '../../tools/onnx-io.ts';
import { onnxModel, type Dim, type GraphNode } from '../../tools/onnx-build.ts';
import {
  bitsFor,
  fuseRun,
  generateModelTemplate,
  hiddenNeurons,
  nonLinearRuns,
} from '../../tools/generate.ts';
import {
  loadModel,
  ModelError,
  runReference,
  type Layer,
  type ModelIR,
} from '../../tools/onnx-model.ts';
import { abs, REFERENCE_MODEL } from '../../tools/models.ts';

/** A small ONNX graph: input x [N, n] → nodes → output y. */
const graph = (
  n: number,
  nodes: GraphNode[],
  initializers: TensorProto[],
  out = 'y',
  inDims: Dim[] = ['N', n],
): ModelProto =>
  onnxModel({
    name: 't',
    input: { dims: inDims },
    output: { name: out, dims: ['N', 2] },
    nodes,
    initializers,
  });

const W = floatTensor('W', [2, 2], [1, -2, 3, 4]);

describe('ONNX → IR', () => {
  it('parses the reference model: Gemm, Relu, Mul+Floor, Clip, Gemm', () => {
    const ir = loadModel(abs(REFERENCE_MODEL.onnx));
    expect(ir.layers.map((l) => l.op)).toEqual(['linear', 'relu', 'floorShift', 'clip', 'linear']);
    expect(ir.inputSize).toBe(16);
    expect(ir.outputSize).toBe(4);
    for (const b of ir.bounds.flat()) expect(Math.max(-b.lo, b.hi)).toBeLessThan(2 ** 24);
    expect(runReference(ir, new Array(16).fill(0))).toHaveLength(4);
  });

  it('computes Gemm with transB, Add folding and integer Mul exactly', () => {
    const m = graph(
      2,
      [
        {
          opType: 'Gemm',
          input: ['x', 'W', 'B'],
          output: ['g'],
          attribute: [{ name: 'transB', i: 1, type: 2 }],
        },
        { opType: 'Add', input: ['g', 'A'], output: ['a'] },
        { opType: 'Mul', input: ['a', 'M'], output: ['y'] },
      ],
      [W, floatTensor('B', [2], [10, 20]), floatTensor('A', [], [1]), floatTensor('M', [], [3])],
    );
    const ir = loadModel(m);
    // transB: y0 = 1*x0 - 2*x1, y1 = 3*x0 + 4*x1
    expect(runReference(ir, [5, -7])).toEqual([(5 + 14 + 10 + 1) * 3, (15 - 28 + 20 + 1) * 3]);
  });

  it('fails clearly on an unsupported op', () => {
    const m = graph(2, [{ opType: 'Sigmoid', input: ['x'], output: ['y'] }], []);
    expect(() => loadModel(m)).toThrow(ModelError);
    expect(() => loadModel(m)).toThrow(/unsupported op Sigmoid; supported ops are Gemm, MatMul/);
  });

  it('fails on non-integer weights and non power-of-two scales', () => {
    const m1 = graph(
      2,
      [{ opType: 'MatMul', input: ['x', 'W'], output: ['y'] }],
      [floatTensor('W', [2, 2], [0.5, 1, 1, 1])],
    );
    expect(() => loadModel(m1)).toThrow(/not an integer/);
    const m2 = graph(
      2,
      [{ opType: 'Mul', input: ['x', 'S'], output: ['y'] }],
      [floatTensor('S', [], [0.3])],
    );
    expect(() => loadModel(m2)).toThrow(/neither an integer nor 2\^-k/);
    const m3 = graph(
      2,
      [{ opType: 'Mul', input: ['x', 'S'], output: ['y'] }],
      [floatTensor('S', [], [0.25])],
    );
    expect(() => loadModel(m3)).toThrow(/must be followed by Floor/);
  });

  it('fails when a value could reach 2^24', () => {
    const big = floatTensor('W', [2, 2], [70000, 70000, 70000, 70000]);
    const m = graph(2, [{ opType: 'MatMul', input: ['x', 'W'], output: ['y'] }], [big]);
    expect(() => loadModel(m)).toThrow(/2\^24/);
  });

  it("bounds each ONNX node's own partial sums before folding an Add into the Gemm bias", async () => {
    // Gemm bias 16,700,001 then Add -16,700,000: folded, the bias is 1 and every partial sum
    // stays far below 2^24; unfolded, onnxruntime's Gemm reaches 16,781,281 > 2^24 and rounds.
    const adversarial = (bias: number, addend: number | undefined) =>
      graph(
        16,
        [
          { opType: 'Gemm', input: ['x', 'W', 'B'], output: [addend === undefined ? 'y' : 'g'] },
          ...(addend === undefined ? [] : [{ opType: 'Add', input: ['g', 'A'], output: ['y'] }]),
        ],
        [
          floatTensor('W', [16, 2], new Array<number>(32).fill(40)),
          floatTensor('B', [2], [bias, 0]),
          floatTensor('A', [2], [addend ?? 0, 0]),
        ],
      );
    const m = adversarial(16_700_001, -16_700_000);
    expect(() => loadModel(m)).toThrow(ModelError);
    expect(() => loadModel(m)).toThrow(
      /^node 0 "Gemm" \(Gemm\): a partial sum could reach 16781921 ≥ 2\^24, where float32 stops being exact$/,
    );
    // Why: onnxruntime really computes the Gemm in float32 and loses the odd unit.
    const session = await ort.InferenceSession.create(onnx.ModelProto.encode(m).finish());
    const x = new Float32Array(16).fill(127);
    const y = (await session.run({ x: new ort.Tensor('float32', x, [1, 16]) }))['y']!;
    const exact = 16_700_001 + 16 * 127 * 40 - 16_700_000;
    expect(exact).toBe(81_281);
    expect(Math.abs(Number(y.data[0]) - exact)).toBe(1);
    // The same computation with the bias already folded (1, no Add) is exact and accepted.
    const folded = loadModel(adversarial(1, undefined));
    expect(runReference(folded, new Array<number>(16).fill(127))).toEqual([exact, 81_280]);
    // An Add that is safe on its own but follows a safe Gemm: still folded, still accepted.
    const safe = loadModel(adversarial(1_000_000, -999_999));
    expect(safe.layers.map((l) => l.op)).toEqual(['linear']);
    expect(runReference(safe, new Array<number>(16).fill(127))).toEqual([exact, 81_280]);
  });

  it('refuses an Add whose own result could reach 2^24, even when a later Add cancels it', () => {
    const m = graph(
      2,
      [
        { opType: 'Relu', input: ['x'], output: ['r'] },
        { opType: 'Add', input: ['r', 'A1'], output: ['a'] },
        { opType: 'Add', input: ['a', 'A2'], output: ['y'] },
      ],
      [floatTensor('A1', [], [16_777_100]), floatTensor('A2', [], [-16_777_000])],
    );
    expect(() => loadModel(m)).toThrow(/^node 1 "Add" \(Add\): a partial sum could reach 16777227/);
  });

  it('fails on a shape mismatch', () => {
    const m = graph(3, [{ opType: 'MatMul', input: ['x', 'W'], output: ['y'] }], [W]);
    expect(() => loadModel(m)).toThrow(/expects 2 inputs but the value has 3/);
  });

  it('emits weights as constants and picks bit widths from the intervals', () => {
    expect(bitsFor([{ lo: -128, hi: 127 }])).toBe(7);
    expect(bitsFor([{ lo: 0, hi: 128 }])).toBe(8);
    const ir = loadModel(abs(REFERENCE_MODEL.onnx));
    const src = generateModelTemplate(ir);
    const first = ir.layers[0]!;
    if (first.op !== 'linear') throw new Error('unexpected');
    expect(src).toContain(`[${first.weights[0]!.join(', ')}]`);
    // Relu → Mul 2^-8 + Floor → Clip(0, 127): one fused template per hidden neuron
    expect(src).toMatch(/FloorClip\(B3\[i\], 8, 0, 127\)/);
    expect(src).not.toMatch(/ReluSigned|FloorShift|MaxConst|MinConst/);
  });
});

describe('fused non-linear runs', () => {
  const layer = (r: () => number, node: string): Layer => {
    const pick = Math.floor(r() * 4);
    if (pick === 0) return { op: 'relu', node };
    if (pick === 1) return { op: 'floorShift', node, k: 1 + Math.floor(r() * 4) };
    const a = Math.floor(r() * 200) - 100;
    const b = a + Math.floor(r() * 120);
    const drop = Math.floor(r() * 3);
    return { op: 'clip', node, lo: drop === 1 ? null : a, hi: drop === 2 ? null : b };
  };

  it('reduces any run of relu / floor shift / clip to clip(floor(x / 2^k), lo, hi) exactly', () => {
    let seed = 7;
    const r = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let t = 0; t < 150; t++) {
      const layers = Array.from({ length: 1 + Math.floor(r() * 5) }, (_, i) => layer(r, `n${i}`));
      const ir: ModelIR = {
        name: 't',
        inputName: 'x',
        outputName: 'y',
        inputBatch: 'dynamic',
        inputSize: 1,
        outputSize: 1,
        output: 'logits',
        inputRange: { lo: -3000, hi: 3000 },
        layers,
        bounds: [],
      };
      const run = fuseRun(layers, 0, layers.length - 1);
      expect(run.lo).toBeLessThanOrEqual(run.hi);
      for (let x = -3000; x <= 3000; x += 7) {
        const fused = Math.min(Math.max(Math.floor(x / 2 ** run.k), run.lo), run.hi);
        expect(fused, `${JSON.stringify(layers)} x=${x}`).toBe(runReference(ir, [x])[0]);
      }
    }
  });

  it('finds the maximal runs and counts hidden neurons', () => {
    const ir = loadModel(abs(REFERENCE_MODEL.onnx));
    expect(nonLinearRuns(ir)).toEqual([{ first: 1, last: 3, k: 8, lo: 0, hi: 127 }]);
    expect(hiddenNeurons(ir)).toBe(16);
  });
});

describe('exporter patterns refused with the node and the reason', () => {
  const INT = 2; // AttributeProto.AttributeType.INT
  const K = (name: string, v: number[], dims: number[] = v.length === 1 ? [] : [v.length]) =>
    floatTensor(name, dims, v);

  it('a fixed batch other than 1, and inputs of rank 3', () => {
    const one = graph(2, [{ opType: 'Relu', input: ['x'], output: ['y'] }], [], 'y', [1, 2]);
    expect(loadModel(one).inputBatch).toBe(1);
    const four = graph(2, [{ opType: 'Relu', input: ['x'], output: ['y'] }], [], 'y', [4, 2]);
    expect(() => loadModel(four)).toThrow(
      'graph input has a fixed batch of 4 (shape [4, 2]); the circuit proves one window, so the batch must be 1 or symbolic (e.g. [N, 2])',
    );
    const rank3 = graph(2, [{ opType: 'Relu', input: ['x'], output: ['y'] }], [], 'y', [1, 1, 2]);
    expect(() => loadModel(rank3)).toThrow(/found shape \[1, 1, 2\]/);
  });

  it('Div by anything but a scalar 2^k followed by Floor, and a constant divided by the value', () => {
    const div = (k: number[], floor = true, order = ['x', 'K']) =>
      graph(
        2,
        [
          { opType: 'Div', input: order, output: [floor ? 'q' : 'y'] },
          ...(floor ? [{ opType: 'Floor', input: ['q'], output: ['y'] }] : []),
        ],
        [K('K', k)],
      );
    expect(() => loadModel(div([3]))).toThrow(
      /^node 0 "Div" \(Div\): division by 3 is not supported: the circuit divides only by a scalar 2\^k \(0 ≤ k ≤ 24\), as the bit shift floor\(x \/ 2\^k\)/,
    );
    expect(() => loadModel(div([0.5]))).toThrow(/division by 0.5 is not supported/);
    expect(() => loadModel(div([-4]))).toThrow(/division by -4 is not supported/);
    expect(() => loadModel(div([4, 4]))).toThrow(/division by a constant of shape \[2\]/);
    expect(() => loadModel(div([4], false))).toThrow(
      'node 0 "Div" (Div): division by 2^2 must be followed by Floor (results must stay integers)',
    );
    const cast = graph(
      2,
      [
        { opType: 'Div', input: ['x', 'K'], output: ['q'] },
        {
          opType: 'Cast',
          input: ['q'],
          output: ['y'],
          attribute: [{ name: 'to', i: 7, type: INT }],
        },
      ],
      [K('K', [4])],
    );
    expect(() => loadModel(cast)).toThrow(
      'node 0 "Div" (Div): division by 2^2 is followed by Cast, which truncates towards zero; the circuit rounds down (FloorShift): use Floor',
    );
    expect(() => loadModel(div([4], true, ['K', 'x']))).toThrow(
      /a constant divided by the value is not an integer operation/,
    );
    expect(runReference(loadModel(div([4])), [-5, 7])).toEqual([-2, 1]);
  });

  it('Flatten that merges the batch, ArgMax anywhere but last or not over the logits, QDQ', () => {
    const flat = graph(
      2,
      [
        {
          opType: 'Flatten',
          input: ['x'],
          output: ['y'],
          attribute: [{ name: 'axis', i: 0, type: INT }],
        },
      ],
      [],
    );
    expect(() => loadModel(flat)).toThrow(
      'node 0 "Flatten" (Flatten): Flatten with axis 0 turns [N, 2] into [1, N·2], which does not keep one window per row',
    );
    const argmax = (attribute: GraphNode['attribute'], last = true) =>
      graph(
        2,
        [
          { opType: 'ArgMax', input: ['x'], output: [last ? 'y' : 'a'], attribute },
          ...(last ? [] : [{ opType: 'Relu', input: ['a'], output: ['y'] }]),
        ],
        [],
      );
    expect(loadModel(argmax([{ name: 'axis', i: 1, type: INT }])).output).toBe('class');
    expect(() => loadModel(argmax([{ name: 'axis', i: 1, type: INT }], false))).toThrow(
      'node 0 "ArgMax" (ArgMax): ArgMax must be the last node (the class output)',
    );
    expect(() => loadModel(argmax([]))).toThrow(/ArgMax over axis 0 of a rank-2 value/);
    expect(() =>
      loadModel(
        argmax([
          { name: 'axis', i: -1, type: INT },
          { name: 'select_last_index', i: 1, type: INT },
        ]),
      ),
    ).toThrow(/picks the last of equal maxima; the circuit's ArgMaxFirst picks the first/);
    const qdq = (scale: number, dqScale = 1) =>
      graph(
        2,
        [
          { opType: 'QuantizeLinear', input: ['x', 'S', 'Z'], output: ['q'] },
          { opType: 'DequantizeLinear', input: ['q', 'S2', 'Z'], output: ['y'] },
        ],
        [
          K('S', [scale]),
          K('S2', [dqScale]),
          { name: 'Z', dims: [], dataType: onnx.TensorProto.DataType.INT8, int32Data: [5] },
        ],
      );
    // q = clip(x + 5, -128, 127), y = (q - 5) · 3: 127 saturates, -128 does not
    expect(runReference(loadModel(qdq(1, 3)), [127, -128])).toEqual([(127 - 5) * 3, -128 * 3]);
    expect(() => loadModel(qdq(0.5))).toThrow(
      /^node 0 "QuantizeLinear" \(QuantizeLinear\): QuantizeLinear with scale 0.5: only scale 1 is exact/,
    );
    expect(() => loadModel(qdq(1, 0.25))).toThrow(
      /^node 1 "DequantizeLinear" \(DequantizeLinear\) scale: constant 0.25 is not an integer/,
    );
    const weights = graph(
      2,
      [
        { opType: 'DequantizeLinear', input: ['Wq', 'S'], output: ['W'] },
        { opType: 'MatMul', input: ['x', 'W'], output: ['y'] },
      ],
      [
        {
          name: 'Wq',
          dims: [2, 2],
          dataType: onnx.TensorProto.DataType.INT8,
          int32Data: [1, 2, 3, 4],
        },
        K('S', [0.02]),
      ],
    );
    expect(() => loadModel(weights)).toThrow(
      /^node 0 "DequantizeLinear" \(DequantizeLinear\): dequantizing constant "Wq" with scale 0.0199\d+ gives non-integer values/,
    );
  });

  it('Sub and Add: a constant on either side, never the value twice or a foreign tensor', () => {
    const twice = graph(2, [{ opType: 'Sub', input: ['x', 'x'], output: ['y'] }], []);
    expect(() => loadModel(twice)).toThrow(/both operands are the value; one must be a constant/);
    const foreign = graph(2, [{ opType: 'Add', input: ['z', 'A'], output: ['y'] }], [K('A', [1])]);
    expect(() => loadModel(foreign)).toThrow(/the graph must be a chain; expected an input "x"/);
    const column = graph(
      2,
      [{ opType: 'Add', input: ['A', 'x'], output: ['y'] }],
      [K('A', [1, 2], [2, 1])],
    );
    expect(() => loadModel(column)).toThrow(/addend shape \[2, 1\] does not broadcast to \[2\]/);
    const m = graph(
      2,
      [
        { opType: 'Sub', input: ['C', 'x'], output: ['s'] },
        { opType: 'Add', input: ['A', 's'], output: ['y'] },
      ],
      [K('C', [10, 20]), K('A', [1])],
    );
    expect(runReference(loadModel(m), [3, -4])).toEqual([10 - 3 + 1, 20 + 4 + 1]);
  });

  it("bounds a Sub's own result before it is folded (a later Sub cancels it)", () => {
    const m = graph(
      16,
      [
        { opType: 'Gemm', input: ['x', 'W', 'B'], output: ['g'] },
        { opType: 'Sub', input: ['g', 'C1'], output: ['s'] },
        { opType: 'Sub', input: ['s', 'C2'], output: ['y'] },
      ],
      [
        floatTensor('W', [16, 2], new Array<number>(32).fill(40)),
        K('B', [0, 0]),
        K('C1', [-16_700_000]),
        K('C2', [16_700_000]),
      ],
    );
    expect(() => loadModel(m)).toThrow(
      /^node 1 "Sub" \(Sub\): a partial sum could reach 16781920 ≥ 2\^24, where float32 stops being exact$/,
    );
  });
});

describe('edge windows', () => {
  it('holds only int8 values for any window size', () => {
    for (const n of [1, 16, 24, 100]) {
      const ws = edgeWindows(n);
      expect(ws.length).toBeGreaterThanOrEqual(10);
      for (const w of ws) {
        expect(w).toHaveLength(n);
        for (const v of w) {
          expect(Number.isInteger(v), `n=${n}: ${v}`).toBe(true);
          expect(v, `n=${n}`).toBeGreaterThanOrEqual(-128);
          expect(v, `n=${n}`).toBeLessThanOrEqual(127);
        }
      }
    }
    // 16 readings: the ramps span -128 … 112 and 127 … -113 as before.
    const [up, down] = edgeWindows(16).slice(6, 8);
    expect(up).toEqual(Array.from({ length: 16 }, (_, i) => i * 16 - 128));
    expect(down).toEqual(Array.from({ length: 16 }, (_, i) => 127 - i * 16));
  });
});
