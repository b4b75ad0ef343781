/**
 * Differential fuzzer for the circuit generator: random chain MLPs within the supported op set
 * (docs/zkml.md, "Supported ONNX ops"), each written as ONNX bytes, loaded by `loadModel`,
 * compiled into a model-only circuit and compared window by window: onnxruntime-node's output
 * == the circuit's witness == the TypeScript reference (`checkBitExact`).
 *
 *   npx tsx circuits/tools/fuzz.ts --models 20 --windows 500 --seed 1
 *   npx tsx circuits/tools/fuzz.ts --model-seed 2890123456 --windows 500     # replay one model
 *
 * Options: --models (default 20), --windows per model (default 500), --seed (default 1),
 * --model-seed (one model, as printed on a failure), --time-limit seconds (stop starting models
 * after it), --save-dir (failing models' ONNX; default <tmpdir>/zkpin-fuzz).
 *
 * Everything is a function of the seed: run `--seed S` and the same models, windows and
 * verdicts come back. A model the generator refuses because a value could reach 2^24 is
 * counted as refused, with the reason; any other refusal of a generated model (it only uses
 * supported patterns) is an error, like a mismatch. Prints one JSON line last; exit 1 on a
 * mismatch or an error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rng } from '../model/train.ts';
import { createExactSession } from '../runtime/onnx-session.ts';
import { loadWitnessCalculator } from '../runtime/witness.ts';
import { checkBitExact, edgeWindows, type BitExactReport } from './bitexact.ts';
import type { Logger } from './ceremony.ts';
import { buildModelOnlyCircuit } from './model-circuit.ts';
import { floatTensor, onnx, type TensorProto } from './onnx-io.ts';
import { int8Tensor, intAttr, onnxBytes, type GraphNode } from './onnx-build.ts';
import { loadModel, ModelError, type ModelIR } from './onnx-model.ts';

/** One generated model: its ONNX bytes and a readable account of its chain. */
export interface RandomModel {
  /** `fuzz_<model seed in hex>`: the graph name, the IR name and the circuit's name. */
  name: string;
  modelSeed: number;
  bytes: Uint8Array;
  /** One entry per ONNX node (or node pair), e.g. `Gemm 300→24 transB w±7`. */
  chain: string[];
  inputSize: number;
  classes: number;
}

const LIMIT = 2 ** 24;

/**
 * A random chain MLP from `modelSeed` (same seed, same bytes): input `[N, n]`, `[1, n]` or
 * `[n]` with n from 1 to 300 (windows above 31 included), 0–3 hidden layers of 1–96 neurons
 * (at most 8,192 weights a layer),
 * 2–10 classes; linear layers as Gemm (transB 0/1, bias none, scalar or per neuron) or MatMul
 * (float or DequantizeLinear'd int8/uint8 weights) with an optional bias through Add/Sub on
 * either side; after each hidden layer some of Relu, Mul 2^-k or Div 2^k then Floor, Clip
 * (both, one or no bounds implied), QuantizeLinear → DequantizeLinear, Flatten, integer Mul;
 * sometimes a trailing ArgMax. Weights are int8-ish (±1 … ±127, some sparse) and the
 * requantization shift usually (not always) keeps values small, so some models must be
 * refused by the 2^24 bound.
 */
export function randomModel(modelSeed: number): RandomModel {
  const r = rng(modelSeed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number) => r() < p;
  const name = `fuzz_${(modelSeed >>> 0).toString(16).padStart(8, '0')}`;

  const nodes: GraphNode[] = [];
  const inits: TensorProto[] = [];
  const chain: string[] = [];
  let cur = 'x';
  const constant = (dims: number[], values: number[]) => {
    const c = `k${inits.length}`;
    inits.push(floatTensor(c, dims, values));
    return c;
  };
  const emit = (opType: string, input: string[], attribute?: GraphNode['attribute']) => {
    const out = `t${nodes.length}`;
    nodes.push({ opType, input, output: [out], ...(attribute ? { attribute } : {}) });
    cur = out;
  };

  const n = chance(0.2)
    ? pick([1, 2, 16, 31, 32, 33, 48, 62, 63, 64, 93, 128, 255, 256])
    : pick([int(1, 31), int(32, 128), int(129, 300)]);
  const layout = pick(['N', 'N', 'N', '1', 'none'] as const);
  const inDims = layout === 'N' ? ['N', n] : layout === '1' ? [1, n] : [n];
  chain.push(`input [${inDims.join(', ')}]`);
  /** Rank of the value (onnxruntime's, which `loadModel` tracks the same way). */
  let rank = layout === 'none' ? 1 : 2;
  let size = n;
  /** A bound on |value| (coarser than the loader's interval analysis, for choosing shifts). */
  let mag = 128;

  if (layout === 'none' && chance(0.5)) {
    emit('Flatten', [cur], [intAttr('axis', 0)]);
    chain.push('Flatten axis 0');
    rank = 2;
  } else if (rank === 2 && chance(0.15)) {
    const axis = pick([1, -1]);
    emit('Flatten', [cur], [intAttr('axis', axis)]);
    chain.push(`Flatten axis ${axis}`);
  }

  /** A constant to add: scalar, `[m]` or `[1, m]`, values within `bound`. */
  const addend = (m: number, bound: number) => {
    const b = Math.min(LIMIT - 1, Math.max(0, Math.floor(bound)));
    const shape = pick(['scalar', 'vector', 'row'] as const);
    const count = shape === 'scalar' ? 1 : m;
    const dims = shape === 'scalar' ? [] : shape === 'vector' ? [m] : [1, m];
    const values = Array.from({ length: count }, () => int(-b, b));
    if (dims.length === 2) rank = 2;
    return { name: constant(dims, values), max: b, text: `${shape} ±${b}` };
  };
  const biasBound = (partial: number) =>
    chance(0.08) ? int(0, 2 ** 23) : partial / pick([4, 64, 1024]);

  /** A linear layer size → m. */
  const linear = (m: number) => {
    const wr = pick([1, 3, 7, 15, 31, 127]);
    const sparsity = pick([0, 0, 0.5, 0.9]);
    const s = size;
    const style =
      rank === 2
        ? pick(['gemm', 'gemmT', 'matmul', 'matmulDq'] as const)
        : pick(['matmul', 'matmulDq'] as const);
    let wmax = wr;
    let text: string;
    if (style === 'matmulDq') {
      // DequantizeLinear(q, scale, zero point) of int8 (or uint8 around 128) weights.
      const unsigned = chance(0.3);
      const scale = int(1, 3);
      const zp = unsigned ? 128 + int(-3, 3) : int(-3, 3);
      const qr = Math.min(wr, 120);
      const q = Array.from({ length: s * m }, () =>
        chance(sparsity)
          ? zp
          : Math.max(unsigned ? 0 : -128, Math.min(unsigned ? 255 : 127, zp + int(-qr, qr))),
      );
      wmax = Math.max(...q.map((v) => Math.abs(v - zp))) * scale;
      const qn = `k${inits.length}`;
      inits.push(int8Tensor(qn, [s, m], q, unsigned));
      const sn = constant([], [scale]);
      const zn = `k${inits.length}`;
      inits.push(int8Tensor(zn, [], [zp], unsigned));
      const w = `t${nodes.length}`;
      nodes.push({ opType: 'DequantizeLinear', input: [qn, sn, zn], output: [w] });
      emit('MatMul', [cur, w]);
      text = `DequantizeLinear(${unsigned ? 'uint8' : 'int8'} zp ${zp}, scale ${scale}) → MatMul ${s}→${m}`;
    } else {
      const w = Array.from({ length: s * m }, () => (chance(sparsity) ? 0 : int(-wr, wr)));
      if (style === 'gemmT') {
        // B is [m, s]: row o holds output o's weights.
        const t = Array.from({ length: s * m }, (_, j) => w[(j % s) * m + Math.floor(j / s)]!);
        const inputs = [cur, constant([m, s], t)];
        const bias = chance(0.8) ? addend(m, biasBound(s * wr * mag)) : undefined;
        emit('Gemm', bias ? [...inputs, bias.name] : inputs, [intAttr('transB', 1)]);
        text = `Gemm transB ${s}→${m}${bias ? `, bias ${bias.text}` : ''}`;
        mag = s * wr * mag + (bias?.max ?? 0);
      } else if (style === 'gemm') {
        const inputs = [cur, constant([s, m], w)];
        const bias = chance(0.8) ? addend(m, biasBound(s * wr * mag)) : undefined;
        emit('Gemm', bias ? [...inputs, bias.name] : inputs);
        text = `Gemm ${s}→${m}${bias ? `, bias ${bias.text}` : ''}`;
        mag = s * wr * mag + (bias?.max ?? 0);
      } else {
        emit('MatMul', [cur, constant([s, m], w)]);
        text = `MatMul ${s}→${m}`;
      }
      text += `, w ±${wr}${sparsity ? ` (${sparsity * 100} % zeros)` : ''}`;
    }
    size = m;
    if (style === 'matmul' || style === 'matmulDq') {
      mag = s * wmax * mag;
      if (chance(0.7)) {
        // The bias as an Add or Sub node, the constant on either side.
        const form = pick(['Add(x, b)', 'Add(b, x)', 'Sub(x, b)', 'Sub(b, x)'] as const);
        const b = addend(m, biasBound(mag));
        const op = form.startsWith('Add') ? 'Add' : 'Sub';
        emit(op, form.endsWith('x)') ? [b.name, cur] : [cur, b.name]);
        text += `, ${form} b ${b.text}`;
        mag += b.max;
      }
    }
    chain.push(text);
  };

  /** Requantization: floor(x / 2^k) as Mul(2^-k) or Div(2^k), then Floor (Div by 1 alone). */
  const requant = () => {
    const target = 2 ** int(4, 9);
    const k = chance(0.1)
      ? int(0, 3)
      : Math.min(24, Math.max(0, Math.ceil(Math.log2(mag / target))));
    if (k === 0) {
      emit('Div', [cur, constant([], [1])]);
      chain.push('Div 1');
      return;
    }
    if (chance(0.5)) {
      const c = constant(pick([[], [1]]), [2 ** -k]);
      emit('Mul', chance(0.5) ? [cur, c] : [c, cur]);
      chain.push(`Mul 2^-${k} → Floor`);
    } else {
      emit('Div', [cur, constant(pick([[], [1]]), [2 ** k])]);
      chain.push(`Div 2^${k} → Floor`);
    }
    emit('Floor', [cur]);
    mag = Math.ceil(mag / 2 ** k) + 1;
  };

  const clip = () => {
    const m = Math.max(1, Math.min(mag, LIMIT - 1));
    const form = pick(['0..127', 'int8', 'random', 'min', 'max'] as const);
    let lo: number | undefined;
    let hi: number | undefined;
    if (form === '0..127') [lo, hi] = [0, 127];
    else if (form === 'int8') [lo, hi] = [-128, 127];
    else if (form === 'random') {
      lo = int(-m, m);
      hi = int(lo, m);
    } else if (form === 'min') lo = int(-m, m);
    else hi = int(-m, m);
    emit('Clip', [
      cur,
      lo === undefined ? '' : constant([], [lo]),
      ...(hi === undefined ? [] : [constant([], [hi])]),
    ]);
    chain.push(`Clip [${lo ?? '-inf'}, ${hi ?? '+inf'}]`);
    mag = Math.min(mag, Math.max(Math.abs(lo ?? -mag), Math.abs(hi ?? mag)));
  };

  const qdq = () => {
    const kind = pick(['int8', 'uint8', 'none'] as const);
    const s1 = constant([], [1]);
    const s2 = int(1, 4);
    const z1 = kind === 'int8' ? int(-10, 10) : kind === 'uint8' ? int(0, 20) : 0;
    const z2 = kind === 'int8' ? int(-10, 10) : kind === 'uint8' ? int(0, 20) : 0;
    const zp = (v: number) => {
      const c = `k${inits.length}`;
      inits.push(int8Tensor(c, [], [v], kind === 'uint8'));
      return c;
    };
    emit('QuantizeLinear', kind === 'none' ? [cur, s1] : [cur, s1, zp(z1)]);
    const s2n = constant([], [s2]);
    emit('DequantizeLinear', kind === 'none' ? [cur, s2n] : [cur, s2n, zp(z2)]);
    chain.push(
      `QuantizeLinear(${kind === 'none' ? 'uint8' : kind}, zp ${z1}) → DequantizeLinear(scale ${s2}, zp ${z2})`,
    );
    mag = 256 * s2;
  };

  const intMul = () => {
    const c = pick([-3, -2, -1, 2, 3]);
    const k = constant(pick([[], [1]]), [c]);
    emit('Mul', chance(0.5) ? [cur, k] : [k, cur]);
    chain.push(`Mul ${c}`);
    mag *= Math.abs(c);
  };

  const hidden = pick([0, 1, 1, 2, 2, 3]);
  const widthCap = pick([8, 24, 48, 96]);
  for (let h = 0; h < hidden; h++) {
    // At most 8,192 weights a layer: circom's compile time grows with the constants.
    linear(Math.min(int(1, widthCap), Math.max(1, Math.floor(8192 / size))));
    const steps: (() => void)[] = [];
    if (chance(0.85))
      steps.push(() => {
        emit('Relu', [cur]);
        chain.push('Relu');
      });
    if (chance(0.85)) steps.push(requant);
    if (chance(0.6)) steps.push(clip);
    if (chance(0.2)) steps.push(qdq);
    if (chance(0.1)) steps.push(intMul);
    if (rank === 2 && chance(0.1))
      steps.push(() => {
        emit('Flatten', [cur], [intAttr('axis', 1)]);
        chain.push('Flatten axis 1');
      });
    // Mostly in exporter order; sometimes shuffled (clip before relu, requant first, …).
    if (chance(0.3)) {
      for (let i = steps.length - 1; i > 0; i--) {
        const j = int(0, i);
        [steps[i], steps[j]] = [steps[j]!, steps[i]!];
      }
    }
    for (const s of steps) s();
  }
  const classes = int(2, 10);
  linear(classes);
  if (chance(0.1)) clip();
  let outType: number | undefined;
  if (chance(0.15)) {
    emit('ArgMax', [cur], [intAttr('axis', -1), intAttr('keepdims', int(0, 1))]);
    chain.push('ArgMax');
    outType = onnx.TensorProto.DataType.INT64;
  }
  nodes[nodes.length - 1]!.output = ['y'];
  const bytes = onnxBytes({
    name,
    input: { dims: inDims },
    output: { type: outType },
    nodes,
    initializers: inits,
  });
  return { name, modelSeed, bytes, chain, inputSize: n, classes };
}

/** The per-model seeds of a run: a function of the run's seed only. */
export function modelSeeds(seed: number, count: number): number[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => Math.floor(r() * 2 ** 32));
}

/**
 * Windows for one model: the int8 edge windows, the windows that drive each of the first
 * layer's first 8 neurons to its extremes (every input at the rail its weight's sign picks,
 * both ways), windows on the rails (each value -128, 0 or 127) and uniform random int8, up to
 * `count` in all (the edge and extreme windows always).
 */
export function fuzzWindows(ir: ModelIR, seed: number, count: number): number[][] {
  const n = ir.inputSize;
  const windows = edgeWindows(n);
  const first = ir.layers[0];
  if (first?.op === 'linear' && first.weights[0]?.length === n) {
    for (const row of first.weights.slice(0, 8)) {
      windows.push(row.map((w) => (w > 0 ? 127 : w < 0 ? -128 : 0)));
      windows.push(row.map((w) => (w > 0 ? -128 : w < 0 ? 127 : 0)));
    }
  }
  const r = rng(seed ^ 0x5eed5eed);
  const rest = Math.max(0, count - windows.length);
  for (let i = 0; i < rest; i++) {
    const rails = i % 4 === 0;
    windows.push(
      Array.from({ length: n }, () =>
        rails ? [-128, 0, 127][Math.floor(r() * 3)]! : Math.floor(r() * 256) - 128,
      ),
    );
  }
  return windows;
}

export interface FuzzModelResult {
  name: string;
  modelSeed: number;
  chain: string[];
  inputSize: number;
  classes: number;
  /** checked: compiled and compared; refused: the 2^24 bound; error: anything else. */
  status: 'checked' | 'refused' | 'error';
  /** Why a model was refused or failed. */
  reason?: string;
  checked: number;
  mismatches: number;
  firstMismatch?: BitExactReport['firstMismatch'];
  constraints?: number;
  /** Where the ONNX file of a failing model was saved. */
  saved?: string;
}

/** Deliberate bugs, for the tests that show the fuzzer catches them. */
export interface FuzzInjection {
  /** Change the IR the circuit is generated from (onnxruntime and the reference keep it). */
  circuit?: (ir: ModelIR) => ModelIR;
}

export interface FuzzOptions {
  windows?: number;
  /** Stop starting new models after this many seconds (the benchmark's bound). */
  timeLimitS?: number;
  saveDir?: string;
  log?: Logger;
  inject?: FuzzInjection;
}

export interface FuzzReport {
  seed?: number;
  models: number;
  checkedModels: number;
  refused: number;
  errors: number;
  windows: number;
  mismatches: number;
  /** True when the time limit stopped the run before every model ran. */
  timeLimited: boolean;
  results: FuzzModelResult[];
}

const BOUND_REFUSAL = /reaches 2\^24|could reach \d+ ≥ 2\^24|not below 2\^24/;

function replayCommand(modelSeed: number, windows: number): string {
  return `npx tsx circuits/tools/fuzz.ts --model-seed ${modelSeed} --windows ${windows}`;
}

/** Generate, compile and check one model. */
export async function fuzzModel(
  modelSeed: number,
  opts: FuzzOptions = {},
): Promise<FuzzModelResult> {
  const count = opts.windows ?? 500;
  const log = opts.log ?? { info: () => undefined };
  const m = randomModel(modelSeed);
  const base = {
    name: m.name,
    modelSeed,
    chain: m.chain,
    inputSize: m.inputSize,
    classes: m.classes,
    checked: 0,
    mismatches: 0,
  };
  const save = (result: FuzzModelResult): FuzzModelResult => {
    const dir = opts.saveDir ?? join(tmpdir(), 'zkpin-fuzz');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${m.name}.onnx`);
    writeFileSync(file, m.bytes);
    const saved = { ...result, saved: file };
    writeFileSync(join(dir, `${m.name}.json`), JSON.stringify(saved, null, 2) + '\n');
    log.info(
      `${m.name} FAILED (${result.status === 'error' ? result.reason : `${result.mismatches} of ${result.checked} windows differ`}); model: ${m.chain.join(' → ')}; saved ${file}; replay: ${replayCommand(modelSeed, count)}`,
    );
    if (result.firstMismatch) log.info(`first mismatch: ${JSON.stringify(result.firstMismatch)}`);
    return saved;
  };
  let ir: ModelIR;
  try {
    ir = loadModel(onnx.ModelProto.decode(m.bytes), { name: m.name });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (e instanceof ModelError && BOUND_REFUSAL.test(reason)) {
      return { ...base, status: 'refused', reason };
    }
    return save({ ...base, status: 'error', reason: `refused outside the 2^24 bound: ${reason}` });
  }
  try {
    const circuitIr = opts.inject?.circuit ? opts.inject.circuit(ir) : ir;
    const [circuit, session] = await Promise.all([
      buildModelOnlyCircuit(circuitIr, 'fuzz'),
      createExactSession(m.bytes),
    ]);
    const wc = await loadWitnessCalculator(circuit.wasm);
    const bit = await checkBitExact(session, ir, wc, fuzzWindows(ir, modelSeed, count));
    await session.release();
    const result: FuzzModelResult = {
      ...base,
      status: 'checked',
      checked: bit.checked,
      mismatches: bit.mismatches,
      constraints: circuit.constraints,
      ...(bit.firstMismatch ? { firstMismatch: bit.firstMismatch } : {}),
    };
    return bit.mismatches > 0 ? save(result) : result;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return save({ ...base, status: 'error', reason });
  }
}

/** Run the models of `seeds` (or of `seed`: `modelSeeds(seed, models)`) and sum up. */
export async function runFuzz(
  run: { seed: number; models: number } | { modelSeeds: number[] },
  opts: FuzzOptions = {},
): Promise<FuzzReport> {
  const seeds = 'modelSeeds' in run ? run.modelSeeds : modelSeeds(run.seed, run.models);
  const log = opts.log ?? { info: () => undefined };
  const t0 = performance.now();
  const results: FuzzModelResult[] = [];
  let timeLimited = false;
  for (const s of seeds) {
    if (opts.timeLimitS !== undefined && (performance.now() - t0) / 1000 > opts.timeLimitS) {
      timeLimited = true;
      log.info(`time limit ${opts.timeLimitS} s reached after ${results.length} models`);
      break;
    }
    const t = performance.now();
    const res = await fuzzModel(s, opts);
    results.push(res);
    const secs = ((performance.now() - t) / 1000).toFixed(1);
    if (res.status === 'refused') log.info(`${res.name} refused: ${res.reason}`);
    else if (res.status === 'checked')
      log.info(
        `${res.name} ${res.inputSize}→…→${res.classes} (${res.constraints} constraints): ${res.checked} windows, ${res.mismatches} mismatches (${secs} s)`,
      );
  }
  const sum = (f: (r: FuzzModelResult) => number) => results.reduce((a, r) => a + f(r), 0);
  return {
    ...('seed' in run ? { seed: run.seed } : {}),
    models: results.length,
    checkedModels: results.filter((r) => r.status === 'checked').length,
    refused: results.filter((r) => r.status === 'refused').length,
    errors: results.filter((r) => r.status === 'error').length,
    windows: sum((r) => r.checked),
    mismatches: sum((r) => r.mismatches),
    timeLimited,
    results,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string', default: '20' },
      windows: { type: 'string', default: '500' },
      seed: { type: 'string', default: '1' },
      'model-seed': { type: 'string' },
      'time-limit': { type: 'string' },
      'save-dir': { type: 'string' },
    },
  });
  const num = (v: string | undefined, what: string) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < 0)
      throw new Error(`--${what} must be a whole number, got ${v}`);
    return x;
  };
  const log: Logger = { info: (msg) => console.error(`[fuzz] ${msg}`) };
  const opts: FuzzOptions = {
    windows: num(values.windows, 'windows'),
    log,
    ...(values['time-limit'] ? { timeLimitS: num(values['time-limit'], 'time-limit') } : {}),
    ...(values['save-dir'] ? { saveDir: values['save-dir'] } : {}),
  };
  const run = values['model-seed']
    ? { modelSeeds: [num(values['model-seed'], 'model-seed')] }
    : { seed: num(values.seed, 'seed'), models: num(values.models, 'models') };
  if ('seed' in run) log.info(`seed ${run.seed}: ${run.models} models × ${opts.windows} windows`);
  const report = await runFuzz(run, opts);
  for (const r of report.results.filter((x) => x.status !== 'checked'))
    log.info(`${r.name} ${r.status}: ${r.reason}`);
  console.log(
    JSON.stringify({
      seed: report.seed ?? null,
      fuzz_models: report.models,
      fuzz_models_checked: report.checkedModels,
      fuzz_refused: report.refused,
      fuzz_errors: report.errors,
      fuzz_windows: report.windows,
      fuzz_mismatches: report.mismatches,
      time_limited: report.timeLimited,
    }),
  );
  if (report.mismatches > 0 || report.errors > 0) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(2);
    },
  );
}
