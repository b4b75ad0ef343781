/**
 * The differential fuzzer (circuits/tools/fuzz.ts) on a small sample, and proof that it can
 * fail: deliberate generator bugs (an off-by-one bias, range checks sized too narrow) must be
 * reported as mismatches, with the failing model saved for replay.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fuzzModel, modelSeeds, randomModel, runFuzz } from '../../tools/fuzz.ts';
import { loadModel, type ModelIR } from '../../tools/onnx-model.ts';
import { readOnnx } from '../../tools/onnx-io.ts';

// Cold (nothing compiled yet) the sample compiles four circuits: tens of seconds on two cores;
// cached, the whole file takes seconds.
const saveDir = mkdtempSync(join(tmpdir(), 'zkpin-fuzz-test-'));
afterAll(() => rmSync(saveDir, { recursive: true, force: true }));

/** Seed 15: four models (4, 25, 59 and 151 inputs, one with a trailing ArgMax), none refused. */
const SAMPLE_SEED = 15;

describe('differential fuzzer', () => {
  it('generates the same models and windows from the same seed', () => {
    expect(modelSeeds(SAMPLE_SEED, 4)).toEqual(modelSeeds(SAMPLE_SEED, 4));
    expect(modelSeeds(SAMPLE_SEED, 4)).not.toEqual(modelSeeds(SAMPLE_SEED + 1, 4));
    const [s] = modelSeeds(SAMPLE_SEED, 1);
    expect(randomModel(s!).bytes).toEqual(randomModel(s!).bytes);
    expect(randomModel(s!).name).toBe(`fuzz_${s!.toString(16).padStart(8, '0')}`);
  });

  it('a small sample: every model compiles and matches onnxruntime bit for bit', async () => {
    const report = await runFuzz({ seed: SAMPLE_SEED, models: 4 }, { windows: 120, saveDir });
    expect(report.results.map((r) => [r.name, r.status, r.reason, r.firstMismatch])).toEqual(
      report.results.map((r) => [r.name, 'checked', undefined, undefined]),
    );
    expect(report.models).toBe(4);
    expect(report.errors).toBe(0);
    expect(report.mismatches).toBe(0);
    // Windows above 31 readings and non-trivial circuits are in the sample.
    expect(report.results.some((r) => r.inputSize > 31)).toBe(true);
    expect(report.results.every((r) => r.checked >= 120)).toBe(true);
    expect(report.windows).toBe(report.results.reduce((a, r) => a + r.checked, 0));
    expect(report.results.some((r) => (r.constraints ?? 0) > 0)).toBe(true);
  }, 300_000);

  it('counts a model refused by the 2^24 bound as refused, with the node and the reason', async () => {
    // Model 4 of seed 10: a Gemm whose partial sums could reach 18,895,947.
    const seed = modelSeeds(10, 4)[3]!;
    const report = await runFuzz({ modelSeeds: [seed] }, { windows: 10, saveDir });
    expect(report.refused).toBe(1);
    expect(report.errors).toBe(0);
    expect(report.windows).toBe(0);
    expect(report.results[0]!.reason).toMatch(
      /^node \d+ "Gemm" \(Gemm\): a partial sum could reach \d+ ≥ 2\^24/,
    );
  });

  it('regression: DequantizeLinear uint8 weights → MatMul matches (onnxruntime MatMulNBits at accuracy level 0)', async () => {
    // Found by the fuzzer (seed 1, model 3): with onnxruntime's default session options the
    // last logit came out -18.457 instead of -19 for the all -128 window.
    const r = await fuzzModel(2265367787, { windows: 200, saveDir });
    expect(r.chain.join(' ')).toMatch(/DequantizeLinear\(uint8/);
    expect(r.status).toBe('checked');
    expect(r.firstMismatch).toBeUndefined();
  }, 120_000);

  const [first] = modelSeeds(SAMPLE_SEED, 1);
  const lastLinear = (ir: ModelIR) => ir.layers.map((l) => l.op).lastIndexOf('linear');

  it('catches an off-by-one in the generated circuit and saves the model for replay', async () => {
    const lines: string[] = [];
    const offByOne = (ir: ModelIR): ModelIR => {
      const i = lastLinear(ir);
      const layers = ir.layers.map((l, j) =>
        j === i && l.op === 'linear'
          ? { ...l, bias: l.bias.map((b, o) => (o === 0 ? b + 1 : b)) }
          : l,
      );
      return { ...ir, name: `${ir.name}_offbyone`, layers };
    };
    const r = await fuzzModel(first!, {
      windows: 60,
      saveDir,
      inject: { circuit: offByOne },
      log: { info: (m) => lines.push(m) },
    });
    expect(r.status).toBe('checked');
    // Logit 0 is one more in the circuit for every window.
    expect(r.mismatches).toBe(r.checked);
    const m = r.firstMismatch!;
    expect(m.witness[0]).toBe(m.reference[0]! + 1);
    expect(m.witness.slice(1)).toEqual(m.reference.slice(1));
    // Saved: the ONNX file (loads as the same model) and the report, and a replay command.
    expect(r.saved).toBe(join(saveDir, `${r.name}.onnx`));
    expect(loadModel(readOnnx(r.saved!)).inputSize).toBe(r.inputSize);
    expect(existsSync(join(saveDir, `${r.name}.json`))).toBe(true);
    const saved = JSON.parse(readFileSync(join(saveDir, `${r.name}.json`), 'utf8')) as {
      modelSeed: number;
    };
    expect(saved.modelSeed).toBe(first);
    expect(lines.join('\n')).toContain(
      `replay: npx tsx circuits/tools/fuzz.ts --model-seed ${first}`,
    );
  }, 120_000);

  it('catches range checks sized too narrow: the extreme windows make the witness fail', async () => {
    // Bounds a quarter of the truth: every ReLU / floor / clip range check loses two bits.
    const narrow = (ir: ModelIR): ModelIR => ({
      ...ir,
      name: `${ir.name}_narrow`,
      bounds: ir.bounds.map((b) =>
        b.map(({ lo, hi }) => ({ lo: Math.ceil(lo / 4), hi: Math.floor(hi / 4) })),
      ),
    });
    const r = await fuzzModel(first!, { windows: 40, saveDir, inject: { circuit: narrow } });
    expect(r.constraints).toBeGreaterThan(0);
    expect(r.mismatches).toBeGreaterThan(0);
    expect(r.firstMismatch!.witnessError).toMatch(/Assert Failed|Error/);
  }, 120_000);
});
