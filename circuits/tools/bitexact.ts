/**
 * Bit-exactness harness: onnxruntime-node output == circuit witness == TypeScript reference,
 * for the same windows. Used by the test suite (a sample) and the benchmark (≥ 10,000).
 */
import * as ort from 'onnxruntime-node';
import { fieldToSigned, signedToField } from '@zkpin/sdk';
import { rng } from '../model/train.ts';
import { runReference, type ModelIR } from './onnx-model.ts';
import type { WitnessCalculator } from '../runtime/witness.ts';

/**
 * The edge windows the issue names plus a few more; every value is int8 for any `n` (the ramps
 * wrap around after 16 steps: a sawtooth).
 */
export function edgeWindows(n = 16): number[][] {
  const step = (i: number) => (i * 16) % 256;
  return [
    new Array<number>(n).fill(-128),
    new Array<number>(n).fill(127),
    new Array<number>(n).fill(0),
    Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -128 : 127)),
    Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 127 : -128)),
    Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1)),
    Array.from({ length: n }, (_, i) => step(i) - 128),
    Array.from({ length: n }, (_, i) => 127 - step(i)),
    new Array<number>(n).fill(-1),
    new Array<number>(n).fill(1),
  ];
}

/** Uniform random int8 windows from a seed. */
export function randomWindows(seed: number, count: number, n = 16): number[][] {
  const r = rng(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: n }, () => Math.floor(r() * 256) - 128),
  );
}

export async function ortLogits(
  session: ort.InferenceSession,
  windows: number[][],
  ir: ModelIR,
): Promise<number[][]> {
  const data = new Float32Array(windows.length * ir.inputSize);
  windows.forEach((w, i) => data.set(w, i * ir.inputSize));
  const feeds = { [ir.inputName]: new ort.Tensor('float32', data, [windows.length, ir.inputSize]) };
  const out = (await session.run(feeds))[ir.outputName]!;
  const v = out.data as Float32Array;
  return windows.map((_, i) => Array.from(v.subarray(i * ir.outputSize, (i + 1) * ir.outputSize)));
}

export async function witnessLogits(
  wc: WitnessCalculator,
  window: number[],
  outputSize: number,
): Promise<number[]> {
  const w = await wc.witness({ x: window.map((v) => signedToField(v).toString()) });
  return w.slice(1, 1 + outputSize).map((x) => Number(fieldToSigned(x)));
}

export interface BitExactReport {
  checked: number;
  mismatches: number;
  firstMismatch?: { window: number[]; ort: number[]; witness: number[]; reference: number[] };
}

/** Compare the three implementations on `windows` (ORT batched in chunks). */
export async function checkBitExact(
  session: ort.InferenceSession,
  ir: ModelIR,
  modelWc: WitnessCalculator,
  windows: number[][],
  chunk = 2048,
): Promise<BitExactReport> {
  const report: BitExactReport = { checked: 0, mismatches: 0 };
  for (let s = 0; s < windows.length; s += chunk) {
    const part = windows.slice(s, s + chunk);
    const ortOut = await ortLogits(session, part, ir);
    for (let i = 0; i < part.length; i++) {
      const window = part[i]!;
      const reference = runReference(ir, window);
      const witness = await witnessLogits(modelWc, window, ir.outputSize);
      const o = ortOut[i]!;
      report.checked++;
      const same = reference.every((v, j) => v === o[j] && v === witness[j]);
      if (!same) {
        report.mismatches++;
        report.firstMismatch ??= { window, ort: o, witness, reference };
      }
    }
  }
  return report;
}
