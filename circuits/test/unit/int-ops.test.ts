import { beforeAll, describe, expect, it } from 'vitest';
import { fieldToSigned, signedToField } from '@zkpin/sdk';
import { buildCircuit } from '../../tools/build.ts';
import { argmaxFirst } from '../../tools/onnx-model.ts';
import { loadWitnessCalculator, type WitnessCalculator } from '../../runtime/witness.ts';

let wc: WitnessCalculator;
beforeAll(async () => {
  const c = await buildCircuit('circuits/test/int_ops_test.circom', { setup: false });
  wc = await loadWitnessCalculator(c.wasm);
});

async function run(a: number, v: number[]) {
  const w = await wc.witness({
    a: signedToField(a).toString(),
    v: v.map((x) => signedToField(x).toString()),
  });
  return w.slice(1, 7).map((x) => Number(fieldToSigned(x)));
}

describe('integer templates (circuits/src/int_ops.circom) against the TypeScript reference', () => {
  const cases: [number, number[]][] = [
    [0, [0, 0, 0, 0]],
    [-1, [-1, -2, -1, -3]],
    [1023, [5, 9, 9, 1]],
    [-1024, [-1024, 1023, -1024, 1023]],
    [7, [3, 3, 3, 3]],
    [-9, [-7, 100, 101, 101]],
    [100, [0, 0, 0, 1]],
    [101, [1, 0, 0, 0]],
    [-5, [2, 2, 5, 5]],
    [-6, [-3, -1, -2, -1]],
  ];
  for (let i = 0; i < 40; i++) {
    const r = () => Math.floor(Math.random() * 2048) - 1024;
    cases.push([r(), [r(), r(), r(), r()]]);
  }
  it('relu, floor(x/8), max(x,-5), min(x,100), first argmax', async () => {
    for (const [a, v] of cases) {
      const am = argmaxFirst(v);
      expect(await run(a, v), `a=${a} v=${v.join(',')}`).toEqual([
        Math.max(a, 0),
        Math.floor(a / 8),
        Math.max(a, -5),
        Math.min(a, 100),
        am.class,
        am.score,
      ]);
    }
  });

  it('rejects values outside the declared bit width', async () => {
    await expect(run(1024, [0, 0, 0, 0])).rejects.toThrow();
    await expect(run(-1025, [0, 0, 0, 0])).rejects.toThrow();
  });
});
