/**
 * `npm run bench:prover` — prover benchmark over every shipped model (`MODELS`), the
 * generator's differential fuzzer and the cold development ceremony.
 *
 * Prints progress to stderr and, as the last stdout line,
 *   {"bench":"prover","metrics":{...}}
 * and saves it to bench/results/prover.json. Metrics:
 *   - the reference model's, under their original names: constraints, witness_ms_median
 *     (the prover's calculator: native when built; witness_backend says which) and
 *     witness_ms_median_wasm (circom's wasm calculator on the same inputs), each calculator's
 *     witnesses back to back; witness_ms_median_in_prove: the witness step inside prove(),
 *     between inference and proof (its input encoding and the P check included),
 *     prove_ms_median, verify_ms_median, proofs_per_s, peak_rss_mb, bitexact_checked,
 *     bitexact_mismatches, prover_backend, prove_ms_median_snarkjs and
 *     prove_speedup_vs_snarkjs, verify_ms_median_snarkjs (native backend: the snarkjs backend
 *     on the same readings in the same run),
 *     constraints_per_hidden_neuron. prove_ms is the proof alone; verify_ms the check of it
 *     against the verifying key that the Prover does before using a proof (in the native
 *     process, arkworks, for the native backend; snarkjs for the snarkjs backend); proofs_per_s
 *     is the whole prove() path (checks, inference, witness, proof, verification);
 *   - `large_*`: the same for a ~50k-constraint model that the benchmark generates (16 →
 *     LARGE_HIDDEN → 4, the reference model's shape made wider, with the whole attestation
 *     circuit around it; development key from zkpin-dev-setup): large_constraints,
 *     large_prove_ms_median, large_prove_ms_median_snarkjs, large_prove_speedup_vs_snarkjs,
 *     large_verify_ms_median, large_witness_ms_median, large_proofs_per_s,
 *     large_native_load_ms (key load and preprocessing);
 *   - `models`: the same figures for every model in MODELS, by model name (the reference
 *     included), plus window, classes, model_id, hidden_neurons, model_only_constraints;
 *   - fuzz_models, fuzz_models_checked, fuzz_refused, fuzz_errors, fuzz_windows,
 *     fuzz_mismatches, fuzz_time_limited: circuits/tools/fuzz.ts on random models;
 *   - ceremony_s: a cold development setup of the reference circuit (compile + powers of tau +
 *     phase 2 in a fresh, empty cache), or ceremony_skipped: true.
 *
 * Env: BENCH_PROOFS (warm proofs per model, default 20), BENCH_LARGE_PROOFS (warm proofs of
 * the large model, default 10; its snarkjs comparison makes 3), BENCH_LARGE=0 (skip the large
 * model), BENCH_BITEXACT (windows per model,
 * default 10000), BENCH_FUZZ_MODELS (default 20), BENCH_FUZZ_WINDOWS (per model, default 500),
 * BENCH_FUZZ_SEED (default 1), BENCH_FUZZ_TIME_LIMIT_S (stop starting fuzz models after it,
 * default 900), BENCH_CEREMONY=0 (skip the cold ceremony: minutes with the JavaScript one).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { circuitInput, signReading, type SignedReading } from '@zkpin/sdk';
import { generateCircuitFile, inferenceTemplateName } from '@zkpin/circuits/generate';
import { floatTensor } from '@zkpin/circuits/onnx-io';
import { onnxBytes, smallInts } from '@zkpin/circuits/onnx-build';
import { createHash } from 'node:crypto';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import { buildCircuit } from '@zkpin/circuits/build';
import { buildModelArtifacts, type ReferenceArtifacts } from '@zkpin/circuits/build-circuits';
import { shippedModelCost } from '@zkpin/circuits/cost';
import { checkBitExact, edgeWindows, randomWindows } from '@zkpin/circuits/bitexact';
import { fuzzWindows, runFuzz } from '@zkpin/circuits/fuzz';
import { abs, MODELS, REFERENCE_MODEL } from '@zkpin/circuits/models';
import {
  createExactSession,
  loadWitnessBackend,
  loadWitnessCalculator,
} from '@zkpin/circuits/runtime';
import { dataset, RECIPES } from '../circuits/model/train.ts';
import { DEFAULT_PROVER_CONCURRENCY } from '@zkpin/oracle/defaults';
import { devProverArtifacts, Prover, type ProverArtifacts } from '@zkpin/oracle/prover';

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const log = (m: string) => console.error(`[bench:prover] ${m}`);
const envInt = (name: string, dflt: number) => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a whole number, got ${v}`);
  return v;
};

/** One shipped model's artifacts (buildModelArtifacts; the type is named for the reference model). */
type ModelArtifacts = ReferenceArtifacts;

/**
 * Bit-exactness windows for one model, ≥ `count`: the edge cases, class-shaped windows from its
 * training recipe (30 %) and uniform random int8; a model without a recipe gets `fuzzWindows`
 * (edge cases, each first-layer neuron at its extremes, rails, uniform random).
 */
function bitexactWindows(a: ModelArtifacts, count: number): number[][] {
  const n = a.ir.inputSize;
  const recipe = RECIPES.find((r) => r.name === a.spec.name);
  if (!recipe) return fuzzWindows(a.ir, 777, count);
  const perClass = Math.ceil((count * 0.3) / recipe.classes.length);
  const windows = [...edgeWindows(n), ...dataset(4242, perClass, recipe).x];
  windows.push(...randomWindows(777, count - windows.length, n));
  return windows;
}

async function benchModel(
  a: ModelArtifacts,
  nProofs: number,
  nBitexact: number,
): Promise<Record<string, number | string>> {
  const { spec, ir } = a;
  const tag = `${spec.name} (model ${spec.modelId}, ${ir.inputSize} readings, ${ir.outputSize} classes)`;
  log(`${tag}: ${a.circuit.constraints} constraints`);

  // 1. Bit-exactness over ≥ 10,000 windows.
  const session = await createExactSession(abs(spec.onnx));
  const modelWc = await loadWitnessCalculator(a.modelOnly.wasm);
  const tb = performance.now();
  const bit = await checkBitExact(session, ir, modelWc, bitexactWindows(a, nBitexact));
  await session.release();
  log(
    `${spec.name} bit-exactness: ${bit.checked} windows, ${bit.mismatches} mismatches (${round((performance.now() - tb) / 1000)} s)`,
  );
  if (bit.firstMismatch) log(`first mismatch: ${JSON.stringify(bit.firstMismatch)}`);

  // 2. Proofs: witness / prove / verify timings on warm artifacts.
  const artifacts = await devProverArtifacts(spec.modelId);
  const p = await benchProofs(spec.name, artifacts, a.circuit.wasm, nProofs, nProofs);

  // Constraints per hidden neuron: circuits/tools/cost.ts, on the committed model-only main.
  const cost = await shippedModelCost(spec);
  return {
    model_id: spec.modelId,
    window: ir.inputSize,
    classes: ir.outputSize,
    constraints: a.circuit.constraints,
    model_only_constraints: cost.constraints,
    hidden_neurons: cost.hiddenNeurons,
    constraints_per_hidden_neuron: round(cost.constraintsPerHiddenNeuron, 2),
    ...p,
    bitexact_checked: bit.checked,
    bitexact_mismatches: bit.mismatches,
  };
}

/**
 * Witness, proof and verification timings of one model's Prover (backend `auto`), with the
 * snarkjs backend on the same readings in the same run when the native one is used, and the
 * throughput of the whole prove() path at the default concurrency.
 */
async function benchProofs(
  name: string,
  artifacts: ProverArtifacts,
  wasm: string,
  nProofs: number,
  nSnarkjs: number,
): Promise<Record<string, number | string>> {
  const tl = performance.now();
  const prover = await Prover.create(artifacts, { backend: 'auto' });
  const loadMs = performance.now() - tl;
  log(`${name} backend: ${prover.backend} (ready in ${round(loadMs)} ms)`);
  const keys = await generateDeviceKeys();
  const r = randomWindows(31337, nProofs + 3, artifacts.window);
  const readings: SignedReading[] = r.map((w, i) =>
    signReading(keys, {
      network: new Uint8Array(32).fill(1),
      seq: BigInt(i + 1),
      timestamp: 1_767_225_600n + BigInt(i),
      modelId: artifacts.modelId,
      readings: w,
      salt: new Uint8Array(32).fill(i & 0xff),
    }),
  );
  for (const x of readings.slice(0, 3)) await prover.prove(x); // warm-up (curve workers, JIT)
  const witness: number[] = [];
  const prove: number[] = [];
  const verify: number[] = [];
  // Witness: the prover's calculator (native when built) and circom's wasm one, same inputs.
  const wc = await loadWitnessCalculator(wasm);
  const nwc = await loadWitnessBackend(wasm);
  const witnessWasm: number[] = [];
  const witnessInProve: number[] = [];
  // Proofs one after another through the whole prove() path (its own witness included), then
  // each witness calculator on its own: run in between, the wasm calculator's 40 ms of
  // JavaScript evicted the prover's tables from the caches and inflated every proof.
  for (const x of readings.slice(3)) {
    const att = await prover.prove(x);
    prove.push(att.timings.proveMs);
    verify.push(att.timings.verifyMs);
    witnessInProve.push(att.timings.witnessMs);
  }
  // Both calculators warmed up first, as the prover is: a fresh server process page-faults its
  // circuit code (tens of MB) on its first witnesses, a one-off cost of its start.
  for (const x of readings.slice(0, 3)) {
    await nwc.wtns(circuitInput(x));
    await wc.wtns(circuitInput(x));
  }
  for (const x of readings.slice(3)) {
    const t = performance.now();
    await nwc.wtns(circuitInput(x));
    witness.push(performance.now() - t);
  }
  for (const x of readings.slice(3)) {
    const t = performance.now();
    await wc.wtns(circuitInput(x));
    witnessWasm.push(performance.now() - t);
  }
  nwc.close();
  log(
    `${name} prove median ${round(median(prove))} ms, verify ${round(median(verify), 2)} ms over ${prove.length} warm proofs (${prover.backend})`,
  );

  // The pure-JavaScript backend, for comparison (same readings, same run).
  let snarkjsMedian: number | undefined;
  let snarkjsVerifyMedian: number | undefined;
  if (prover.backend === 'native') {
    const js = await Prover.create(artifacts, { backend: 'snarkjs' });
    const t: number[] = [];
    const v: number[] = [];
    await js.prove(readings[0]!);
    for (const x of readings.slice(3, 3 + nSnarkjs)) {
      const att = await js.prove(x);
      t.push(att.timings.proveMs);
      v.push(att.timings.verifyMs);
    }
    snarkjsMedian = median(t);
    snarkjsVerifyMedian = median(v);
    js.close();
    log(
      `${name} snarkjs backend: prove median ${round(snarkjsMedian)} ms (${round(snarkjsMedian / median(prove), 1)}x)`,
    );
  }

  // 3. Throughput of the full prove() path (checks, inference, witness, proof, verification)
  //    at the default concurrency: DEFAULT_PROVER_CONCURRENCY jobs in flight on one Prover.
  const t0 = performance.now();
  const batch = readings.slice(3, 3 + 12);
  let next = 0;
  await Promise.all(
    Array.from({ length: DEFAULT_PROVER_CONCURRENCY }, async () => {
      while (next < batch.length) await prover.prove(batch[next++]!);
    }),
  );
  const proofsPerS = batch.length / ((performance.now() - t0) / 1000);
  const nativeRss = prover.nativePeakRssBytes() ?? 0;
  prover.close();
  return {
    witness_ms_median: round(median(witness), 2),
    witness_ms_median_wasm: round(median(witnessWasm), 2),
    witness_ms_median_in_prove: round(median(witnessInProve), 2),
    witness_backend: nwc.backend,
    prove_ms_median: round(median(prove)),
    verify_ms_median: round(median(verify), 2),
    proofs_per_s: round(proofsPerS, 2),
    native_peak_rss_mb: round(nativeRss / 2 ** 20),
    prover_backend: prover.backend,
    prover_load_ms: round(loadMs),
    ...(snarkjsMedian !== undefined
      ? {
          prove_ms_median_snarkjs: round(snarkjsMedian),
          prove_speedup_vs_snarkjs: round(snarkjsMedian / median(prove), 1),
          verify_ms_median_snarkjs: round(snarkjsVerifyMedian!, 2),
        }
      : {}),
  };
}

/** Hidden neurons of the large model: ~21 constraints each, on top of the attestation's ~5.8k. */
const LARGE_HIDDEN = 2048;
const LARGE_MODEL_ID = 900;

/**
 * The large model: the reference model's graph (Gemm → Relu → ·2^-8 → Floor → Clip(0, 127) →
 * Gemm) with LARGE_HIDDEN hidden neurons and deterministic small weights, its attestation
 * circuit (the generator's output with `main`) and development key. The generated files go to
 * circuits/.cache (git-ignored); the compiled circuit and key to the artifact cache.
 */
async function largeArtifacts(): Promise<{
  artifacts: ProverArtifacts;
  constraints: number;
  wasm: string;
}> {
  const n = 16;
  const h = LARGE_HIDDEN;
  const classes = 4;
  const name = `zkpin_bench_large_${h}`;
  const dir = abs('circuits/.cache');
  mkdirSync(dir, { recursive: true });
  const onnxPath = join(dir, `${name}.onnx`);
  const f = (nm: string, dims: number[], v: number[]) => floatTensor(nm, dims, v);
  writeFileSync(
    onnxPath,
    onnxBytes({
      name,
      input: { name: 'readings', dims: ['N', n] },
      output: { name: 'logits', dims: ['N', classes] },
      nodes: [
        { opType: 'Gemm', input: ['readings', 'W1', 'B1'], output: ['z1'] },
        { opType: 'Relu', input: ['z1'], output: ['r1'] },
        { opType: 'Mul', input: ['r1', 'SHIFT'], output: ['s1'] },
        { opType: 'Floor', input: ['s1'], output: ['f1'] },
        { opType: 'Clip', input: ['f1', 'CLIP_MIN', 'CLIP_MAX'], output: ['h1'] },
        { opType: 'Gemm', input: ['h1', 'W2', 'B2'], output: ['logits'] },
      ],
      initializers: [
        f('W1', [n, h], smallInts(11, n * h, 100)),
        f('B1', [h], smallInts(12, h, 3000)),
        f('SHIFT', [], [1 / 256]),
        f('CLIP_MIN', [], [0]),
        f('CLIP_MAX', [], [127]),
        f('W2', [h, classes], smallInts(13, h * classes, 20)),
        f('B2', [classes], smallInts(14, classes, 300)),
      ],
    }),
  );
  const rel = `circuits/.cache/${name}.onnx`;
  const { ir, source } = generateCircuitFile(onnxPath, rel, name);
  writeFileSync(join(dir, `${name}.circom`), source);
  const main = `circuits/.cache/${name}_main.circom`;
  writeFileSync(
    abs(main),
    `pragma circom 2.1.0;\n\ninclude "./${name}.circom";\n\ncomponent main = ${inferenceTemplateName(ir)}(${LARGE_MODEL_ID});\n`,
  );
  const c = await buildCircuit(main, { log: { info: log } });
  return {
    artifacts: {
      onnxPath,
      onnxSha256: createHash('sha256').update(readFileSync(onnxPath)).digest('hex'),
      wasmPath: c.wasm,
      zkeyPath: c.zkey,
      vk: c.vk,
      modelId: LARGE_MODEL_ID,
      window: ir.inputSize,
      classes: ir.outputSize,
    },
    constraints: c.constraints,
    wasm: c.wasm,
  };
}

/**
 * Seconds for a cold development setup of the reference circuit: `buildCircuit` with setup in
 * a fresh, empty cache (compile, powers of tau, phase 2, verifying key). Hook for the fast
 * development ceremony: this is the call it speeds up. Undefined when BENCH_CEREMONY=0.
 */
async function coldCeremonySeconds(): Promise<number | undefined> {
  if (process.env['BENCH_CEREMONY'] === '0') {
    log('cold ceremony skipped (BENCH_CEREMONY=0)');
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'zkpin-bench-ceremony-'));
  const previous = process.env['ZKPIN_CACHE_DIR'];
  process.env['ZKPIN_CACHE_DIR'] = dir; // cacheRoot() reads it on every call
  try {
    const t = performance.now();
    const c = await buildCircuit(REFERENCE_MODEL.main, { setup: true, log: { info: log } });
    const s = (performance.now() - t) / 1000;
    log(`cold ceremony: ${REFERENCE_MODEL.main}, 2^${c.ptauPower}, ${round(s)} s`);
    return s;
  } finally {
    if (previous === undefined) delete process.env['ZKPIN_CACHE_DIR'];
    else process.env['ZKPIN_CACHE_DIR'] = previous;
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const nProofs = Math.max(20, envInt('BENCH_PROOFS', 20));
  const nBitexact = Math.max(10_000, envInt('BENCH_BITEXACT', 10_000));
  let peakRss = 0;
  const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  const rssTimer = setInterval(sampleRss, 50);

  const models: Record<string, Record<string, number | string>> = {};
  let nativeRss = 0;
  for (const spec of MODELS) {
    const m = await benchModel(
      await buildModelArtifacts(spec, { log: { info: log } }),
      nProofs,
      nBitexact,
    );
    nativeRss = Math.max(nativeRss, Number(m['native_peak_rss_mb']) * 2 ** 20);
    models[spec.name] = m;
  }
  sampleRss();
  clearInterval(rssTimer); // peak RSS covers the models' checks and proofs, not fuzz or ceremony

  // The ~50k-constraint model (native prover sized for larger circuits).
  let large: Record<string, number | string> = {};
  if (process.env['BENCH_LARGE'] === '0') log('large model skipped (BENCH_LARGE=0)');
  else {
    const l = await largeArtifacts();
    log(`large model: 16 → ${LARGE_HIDDEN} → 4, ${l.constraints} constraints`);
    const m = await benchProofs(
      'large',
      l.artifacts,
      l.wasm,
      Math.max(5, envInt('BENCH_LARGE_PROOFS', 10)),
      3,
    );
    large = Object.fromEntries<number | string>([
      ['large_constraints', l.constraints],
      ['large_hidden_neurons', LARGE_HIDDEN],
      ...Object.entries(m).map(([k, v]): [string, number | string] => [`large_${k}`, v]),
    ]);
  }

  // The generator's differential fuzzer: random models, compiled and checked bit-exact.
  const tf = performance.now();
  const fuzz = await runFuzz(
    { seed: envInt('BENCH_FUZZ_SEED', 1), models: envInt('BENCH_FUZZ_MODELS', 20) },
    {
      windows: envInt('BENCH_FUZZ_WINDOWS', 500),
      timeLimitS: envInt('BENCH_FUZZ_TIME_LIMIT_S', 900),
      log: { info: (m) => log(`fuzz: ${m}`) },
    },
  );
  log(
    `fuzz: ${fuzz.checkedModels} models checked, ${fuzz.refused} refused (2^24), ${fuzz.errors} errors, ${fuzz.windows} windows, ${fuzz.mismatches} mismatches (${round((performance.now() - tf) / 1000)} s)`,
  );

  const ceremony = await coldCeremonySeconds();

  const ref = models[REFERENCE_MODEL.name]!;
  const metrics = {
    constraints: ref['constraints']!,
    witness_ms_median: ref['witness_ms_median']!,
    witness_ms_median_wasm: ref['witness_ms_median_wasm']!,
    witness_ms_median_in_prove: ref['witness_ms_median_in_prove']!,
    witness_backend: ref['witness_backend']!,
    prove_ms_median: ref['prove_ms_median']!,
    verify_ms_median: ref['verify_ms_median']!,
    proofs_per_s: ref['proofs_per_s']!,
    peak_rss_mb: round((peakRss + nativeRss) / 2 ** 20),
    bitexact_checked: ref['bitexact_checked']!,
    bitexact_mismatches: ref['bitexact_mismatches']!,
    prover_backend: ref['prover_backend']!,
    ...(ref['prove_ms_median_snarkjs'] !== undefined
      ? {
          prove_ms_median_snarkjs: ref['prove_ms_median_snarkjs'],
          prove_speedup_vs_snarkjs: ref['prove_speedup_vs_snarkjs']!,
          verify_ms_median_snarkjs: ref['verify_ms_median_snarkjs']!,
        }
      : {}),
    prover_load_ms: ref['prover_load_ms']!,
    ...large,
    constraints_per_hidden_neuron: ref['constraints_per_hidden_neuron']!,
    ...(ceremony !== undefined ? { ceremony_s: round(ceremony) } : { ceremony_skipped: true }),
    fuzz_models: fuzz.models,
    fuzz_models_checked: fuzz.checkedModels,
    fuzz_refused: fuzz.refused,
    fuzz_errors: fuzz.errors,
    fuzz_windows: fuzz.windows,
    fuzz_mismatches: fuzz.mismatches,
    fuzz_time_limited: fuzz.timeLimited,
    models,
  };
  const line = JSON.stringify({ bench: 'prover', metrics });
  const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'prover.json'),
    JSON.stringify(
      {
        bench: 'prover',
        metrics,
        proofs: nProofs,
        fuzz_seed: fuzz.seed,
        date: new Date().toISOString(),
      },
      null,
      2,
    ) + '\n',
  );
  console.log(line);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
