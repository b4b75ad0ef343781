import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReferenceArtifacts, type ReferenceArtifacts } from '../../tools/build-circuits.ts';
import {
  checkBitExact,
  edgeWindows,
  ortOutputs,
  randomWindows,
  witnessLogits,
} from '../../tools/bitexact.ts';
import { abs } from '../../tools/models.ts';
import { runReference } from '../../tools/onnx-model.ts';
import { loadWitnessCalculator, type WitnessCalculator } from '../../runtime/witness.ts';
import { createExactSession } from '../../runtime/onnx-session.ts';
import { dataset } from '../../model/train.ts';

let art: ReferenceArtifacts;
let session: ort.InferenceSession;
let wc: WitnessCalculator;

beforeAll(async () => {
  // Rebuilds the cache (compile + dev ceremony) when it is missing.
  art = await buildReferenceArtifacts();
  session = await createExactSession(abs(art.spec.onnx));
  wc = await loadWitnessCalculator(art.modelOnly.wasm);
}, 1_200_000);

describe('bit-exactness: onnxruntime-node == circuit witness == TypeScript reference', () => {
  it('edge windows (all -128, all 127, zeros, alternating, ramps)', async () => {
    const windows = edgeWindows();
    const ortOut = await ortOutputs(session, windows, art.ir);
    for (const [i, w] of windows.entries()) {
      const ref = runReference(art.ir, w);
      expect(ortOut[i], `ORT on ${w.join(',')}`).toEqual(ref);
      expect(await witnessLogits(wc, w, art.ir.outputSize), `witness on ${w.join(',')}`).toEqual(
        ref,
      );
    }
  });

  it('random and class-shaped windows (sample; the benchmark runs ≥ 10,000)', async () => {
    const windows = [...randomWindows(7, 300), ...dataset(99, 50).x];
    const r = await checkBitExact(session, art.ir, wc, windows);
    expect(r.firstMismatch).toBeUndefined();
    expect(r.checked).toBe(windows.length);
    expect(r.mismatches).toBe(0);
  });

  it('the model tells the classes apart on fresh generated data', async () => {
    const d = dataset(12345, 100);
    const out = await ortOutputs(session, d.x, art.ir);
    const correct = out.filter((l, i) => l.indexOf(Math.max(...l)) === d.y[i]).length;
    expect(correct / d.x.length).toBeGreaterThan(0.9);
  });
});
