import { describe, expect, it } from 'vitest';
import { floatTensor, onnx, type ModelProto, type NodeProto } from '../../tools/onnx-io.ts';
import { bitsFor, generateModelTemplate } from '../../tools/generate.ts';
import { loadModel, ModelError, runReference } from '../../tools/onnx-model.ts';
import { abs, REFERENCE_MODEL } from '../../tools/models.ts';

type Node = { opType: string; input: string[]; output: string[]; attribute?: unknown[] };

/** A small ONNX graph: input x [N, n] → nodes → output y. */
function graph(
  n: number,
  nodes: Node[],
  inits: ReturnType<typeof floatTensor>[],
  out = 'y',
): ModelProto {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const vi = (name: string, d: number) => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: d }] } } },
  });
  return onnx.ModelProto.decode(
    onnx.ModelProto.encode(
      onnx.ModelProto.create({
        irVersion: 8,
        opsetImport: [{ domain: '', version: 13 }],
        graph: {
          name: 't',
          input: [vi('x', n)],
          output: [vi(out, 2)],
          initializer: inits,
          node: nodes as NodeProto[],
        },
      }),
    ).finish(),
  );
}

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
    expect(src).toMatch(/ReluSigned\(\d+\)/);
    expect(src).toMatch(/FloorShift\(\d+, \d+\)/);
  });
});
