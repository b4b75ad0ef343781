/**
 * `npm run bench:prover` — prover benchmark for the reference model's attestation circuit.
 *
 * Prints progress to stderr and, as the last stdout line,
 *   {"bench":"prover","metrics":{constraints, witness_ms_median, prove_ms_median,
 *    verify_ms_median, proofs_per_s, peak_rss_mb, bitexact_checked, bitexact_mismatches}}
 * and saves it to bench/results/prover.json.
 *
 * Env: BENCH_PROOFS (warm proofs, default 20), BENCH_BITEXACT (windows, default 10000).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { circuitInput, signReading, type SignedReading } from '@zkpin/sdk';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import { buildReferenceArtifacts } from '@zkpin/circuits/build-circuits';
import { checkBitExact, edgeWindows, randomWindows } from '@zkpin/circuits/bitexact';
import { abs } from '@zkpin/circuits/models';
import { loadWitnessCalculator } from '@zkpin/circuits/runtime';
import { dataset } from '../circuits/model/train.ts';
import { DEFAULT_PROVER_CONCURRENCY } from '@zkpin/oracle/defaults';
import { devProverArtifacts, Prover } from '@zkpin/oracle/prover';

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const log = (m: string) => console.error(`[bench:prover] ${m}`);

async function main(): Promise<void> {
  const nProofs = Math.max(20, Number(process.env['BENCH_PROOFS'] ?? 20));
  const nBitexact = Math.max(10_000, Number(process.env['BENCH_BITEXACT'] ?? 10_000));
  let peakRss = 0;
  const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  const rssTimer = setInterval(sampleRss, 50);

  const art = await buildReferenceArtifacts({ log: { info: log } });
  log(`${art.spec.main}: ${art.circuit.constraints} constraints`);

  // 1. Bit-exactness over ≥ 10,000 windows: edge cases, uniform random, and class-shaped data.
  const session = await ort.InferenceSession.create(abs(art.spec.onnx));
  const modelWc = await loadWitnessCalculator(art.modelOnly.wasm);
  const perClass = Math.ceil((nBitexact * 0.3) / 4);
  const windows = [...edgeWindows(), ...dataset(4242, perClass).x];
  windows.push(...randomWindows(777, nBitexact - windows.length));
  const tb = performance.now();
  const bit = await checkBitExact(session, art.ir, modelWc, windows);
  log(
    `bit-exactness: ${bit.checked} windows, ${bit.mismatches} mismatches (${round((performance.now() - tb) / 1000)} s)`,
  );
  if (bit.firstMismatch) log(`first mismatch: ${JSON.stringify(bit.firstMismatch)}`);

  // 2. Proofs: witness / prove / verify timings on warm artifacts.
  const artifacts = await devProverArtifacts(1);
  const prover = await Prover.create(artifacts, { backend: 'auto' });
  log(`backend: ${prover.backend}`);
  const keys = await generateDeviceKeys();
  const r = randomWindows(31337, nProofs + 3);
  const readings: SignedReading[] = r.map((w, i) =>
    signReading(keys, {
      network: new Uint8Array(32).fill(1),
      seq: BigInt(i + 1),
      timestamp: 1_767_225_600n + BigInt(i),
      modelId: 1,
      readings: w,
      salt: new Uint8Array(32).fill(i & 0xff),
    }),
  );
  for (const x of readings.slice(0, 3)) await prover.prove(x); // warm-up (curve workers, JIT)
  const witness: number[] = [];
  const prove: number[] = [];
  const verify: number[] = [];
  const wc = await loadWitnessCalculator(art.circuit.wasm);
  for (const x of readings.slice(3)) {
    const a = await prover.prove(x);
    prove.push(a.timings.proveMs);
    verify.push(a.timings.verifyMs);
    const t = performance.now();
    await wc.wtns(circuitInput(x));
    witness.push(performance.now() - t);
  }
  log(
    `prove median ${round(median(prove))} ms over ${prove.length} warm proofs (${prover.backend})`,
  );

  // The pure-JavaScript backend, for comparison (same witnesses).
  let snarkjsMedian: number | undefined;
  if (prover.backend === 'native') {
    const js = await Prover.create(artifacts, { backend: 'snarkjs' });
    const t: number[] = [];
    for (const x of readings.slice(0, 3)) await js.prove(x);
    for (const x of readings.slice(3)) t.push((await js.prove(x)).timings.proveMs);
    snarkjsMedian = median(t);
    log(`snarkjs backend: prove median ${round(snarkjsMedian)} ms`);
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
  sampleRss();
  clearInterval(rssTimer);
  const nativeRss = prover.nativePeakRssBytes() ?? 0; // the child process, counted on top
  prover.close();

  const metrics = {
    constraints: art.circuit.constraints,
    witness_ms_median: round(median(witness), 2),
    prove_ms_median: round(median(prove)),
    verify_ms_median: round(median(verify)),
    proofs_per_s: round(proofsPerS, 2),
    peak_rss_mb: round((peakRss + nativeRss) / 2 ** 20),
    bitexact_checked: bit.checked,
    bitexact_mismatches: bit.mismatches,
    prover_backend: prover.backend,
    ...(snarkjsMedian !== undefined ? { prove_ms_median_snarkjs: round(snarkjsMedian) } : {}),
  };
  const line = JSON.stringify({ bench: 'prover', metrics });
  const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'prover.json'),
    JSON.stringify(
      { bench: 'prover', metrics, proofs: prove.length, date: new Date().toISOString() },
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
