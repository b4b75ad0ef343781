/**
 * Bit-exactness harness: onnxruntime-node output == circuit witness == TypeScript reference,
 * for the same windows. Used by the test suite (a sample) and the benchmark (≥ 10,000).
 */
import * as ort from 'onnxruntime-node';
import { fieldToSigned, signedToField } from '@zkpin/sdk';
import { rng } from '../model/train.ts';
import { argmaxFirst, runReference, type ModelIR } from './onnx-model.ts';
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

/**
 * What the ONNX graph output holds for each window: the logits, or `[class]` for a model that
 * ends in `ArgMax`. Batched in one run when the input's batch is symbolic; one run per window
 * for a fixed batch of 1 or an input without a batch dimension.
 */
export async function ortOutputs(
  session: ort.InferenceSession,
  windows: number[][],
  ir: ModelIR,
): Promise<number[][]> {
  const width = ir.output === 'class' ? 1 : ir.outputSize;
  const run = async (part: number[][]) => {
    const data = new Float32Array(part.length * ir.inputSize);
    part.forEach((w, i) => data.set(w, i * ir.inputSize));
    const dims = ir.inputBatch === 'none' ? [ir.inputSize] : [part.length, ir.inputSize];
    const feeds = { [ir.inputName]: new ort.Tensor('float32', data, dims) };
    const out = (await session.run(feeds))[ir.outputName]!;
    const v = Array.from(out.data as ArrayLike<number | bigint>, (x) => Number(x));
    if (v.length !== part.length * width)
      throw new Error(`onnxruntime returned ${v.length} values for ${part.length} windows`);
    return part.map((_, i) => v.slice(i * width, (i + 1) * width));
  };
  if (ir.inputBatch === 'dynamic') return run(windows);
  const out: number[][] = [];
  for (const w of windows) out.push(...(await run([w])));
  return out;
}

/** The graph output the TypeScript reference predicts for one window (see `ortOutputs`). */
export function referenceOutput(ir: ModelIR, window: readonly number[]): number[] {
  const logits = runReference(ir, window);
  return ir.output === 'class' ? [argmaxFirst(logits).class] : logits;
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
  /**
   * `ort` is the graph output (logits, or `[class]`); `witness` and `reference` are logits;
   * `witnessError` is why the circuit could not compute a witness (a failed constraint, such as
   * a range check too narrow for the value), which counts as a mismatch (`witness` empty).
   */
  firstMismatch?: {
    window: number[];
    ort: number[];
    witness: number[];
    reference: number[];
    witnessError?: string;
  };
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
    const ortOut = await ortOutputs(session, part, ir);
    for (let i = 0; i < part.length; i++) {
      const window = part[i]!;
      const reference = runReference(ir, window);
      const expected = referenceOutput(ir, window);
      let witness: number[] = [];
      let witnessError: string | undefined;
      try {
        witness = await witnessLogits(modelWc, window, ir.outputSize);
      } catch (e) {
        witnessError = e instanceof Error ? e.message : String(e);
      }
      const o = ortOut[i]!;
      report.checked++;
      const same =
        witnessError === undefined &&
        o.length === expected.length &&
        expected.every((v, j) => v === o[j]) &&
        reference.every((v, j) => v === witness[j]);
      if (!same) {
        report.mismatches++;
        report.firstMismatch ??= {
          window,
          ort: o,
          witness,
          reference,
          ...(witnessError === undefined ? {} : { witnessError }),
        };
      }
    }
  }
  return report;
}
