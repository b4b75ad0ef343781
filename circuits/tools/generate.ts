/**
 * Circuit generator: integer model IR (from an ONNX file) → circom templates with the weights
 * as constants, plus the attestation wrapper (input commitment, device signature, argmax, P).
 *
 * Emits templates only; mains live in circuits/generated/<name>_main.circom (generated) and
 * circuits/test/ (test mains).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { loadModel, ModelError, type Interval, type Layer, type ModelIR } from './onnx-model.ts';
import { MAX_WINDOW } from '@zkpin/sdk';

/** Smallest B with every value of the intervals in [-2^B, 2^B). */
export function bitsFor(iv: Interval[]): number {
  let m = 0;
  for (const { lo, hi } of iv) m = Math.max(m, -lo, hi + 1);
  let b = 0;
  while (2 ** b < m) b++;
  return Math.max(b, 1);
}

const ident = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');
const arr = (v: number[]) => `[${v.join(', ')}]`;

export function modelTemplateName(ir: ModelIR): string {
  return `Model_${ident(ir.name)}`;
}
export function inferenceTemplateName(ir: ModelIR): string {
  return `ZkpinInference_${ident(ir.name)}`;
}

/** Bits bounding |a - b| + 1 over the output logits (for the argmax comparisons). */
export function argmaxBits(ir: ModelIR): number {
  const out = ir.bounds[ir.bounds.length - 1] ?? [];
  const maxHi = Math.max(...out.map((i) => i.hi));
  const minLo = Math.min(...out.map((i) => i.lo));
  return bitsFor([{ lo: -(maxHi - minLo + 1), hi: maxHi - minLo + 1 }]);
}

/** A run of consecutive non-linear layers, reduced to clip(floor(x / 2^k), lo, hi). */
export interface FusedRun {
  /** Index of the run's first and last layer in `ir.layers`. */
  first: number;
  last: number;
  k: number;
  /** -Infinity / +Infinity: no bound. */
  lo: number;
  hi: number;
}

const isNonLinear = (l: Layer) => l.op !== 'linear';

/**
 * Reduce the non-linear layers `layers[first..last]` to one clip(floor(x / 2^k), lo, hi):
 * floor is monotone, so floor(clip(q, a, b) / 2^j) = clip(floor(q / 2^j), floor(a / 2^j),
 * floor(b / 2^j)) and floor(floor(x / 2^k) / 2^j) = floor(x / 2^(k + j)); relu is clip(·, 0, +∞);
 * clip(clip(q, lo, hi), a, b) = clip(q, clip(lo, a, b), clip(hi, a, b)). The result equals
 * running the layers one by one (runReference) for every integer x.
 */
export function fuseRun(layers: readonly Layer[], first: number, last: number): FusedRun {
  let k = 0;
  let lo = -Infinity;
  let hi = Infinity;
  const clamp = (v: number, a: number, b: number) => Math.min(Math.max(v, a), b);
  for (let n = first; n <= last; n++) {
    const l = layers[n]!;
    switch (l.op) {
      case 'relu':
        [lo, hi] = [clamp(lo, 0, Infinity), clamp(hi, 0, Infinity)];
        break;
      case 'floorShift':
        k += l.k;
        [lo, hi] = [Math.floor(lo / 2 ** l.k), Math.floor(hi / 2 ** l.k)];
        break;
      case 'clip': {
        const a = l.lo ?? -Infinity;
        const b = l.hi ?? Infinity;
        [lo, hi] = [clamp(lo, a, b), clamp(hi, a, b)];
        break;
      }
      case 'linear':
        throw new ModelError(`${l.node}: a linear layer inside a non-linear run`);
    }
  }
  return { first, last, k, lo, hi };
}

/** The maximal runs of consecutive non-linear layers of `ir`, each reduced by fuseRun. */
export function nonLinearRuns(ir: ModelIR): FusedRun[] {
  const runs: FusedRun[] = [];
  for (let n = 0; n < ir.layers.length; n++) {
    if (!isNonLinear(ir.layers[n]!)) continue;
    let last = n;
    while (last + 1 < ir.layers.length && isNonLinear(ir.layers[last + 1]!)) last++;
    runs.push(fuseRun(ir.layers, n, last));
    n = last;
  }
  return runs;
}

/**
 * Hidden neurons of `ir`: the values that pass through a non-linear run (ReLU / floor shift /
 * clip); 16 for the reference model. The denominator of constraints per hidden neuron.
 */
export function hiddenNeurons(ir: ModelIR): number {
  return nonLinearRuns(ir).reduce((s, r) => s + ir.bounds[r.last]!.length, 0);
}

/** Smallest B >= k with every integer of [lo, hi] in [-2^B, 2^B) (exact for any size). */
function bitsForBig(lo: bigint, hi: bigint, k: number): number {
  let b = Math.max(k, 1);
  while (-lo > 1n << BigInt(b) || hi >= 1n << BigInt(b)) b++;
  return b;
}

/** Largest template width the generator emits; Num2Bits(B + 1) is unique far below 254 bits. */
export const MAX_FUSED_BITS = 128;

/**
 * The circom lines of one fused run: one template instance per value, taking the run's input
 * `src` (whose element bounds are `inBounds`) to `dst`. One bit decomposition per value:
 *   FloorShift(B, K)          floor only
 *   FloorClipLo(B, K, lo)     max(floor(x / 2^K), lo): ReLU, ReLU → floor, floor → clip(lo, ·)
 *   FloorClipHi(B, K, hi)     min(floor(x / 2^K), hi)
 *   FloorClip(B, K, lo, hi)   both bounds: ReLU → floor → clip and the other orders
 * A bound is used only where the interval analysis says some value can cross it; B is each
 * value's own width (its interval, shifted by the bound the template subtracts).
 */
function emitRun(ir: ModelIR, run: FusedRun, src: string, dst: string, inBounds: Interval[]) {
  const L: string[] = [];
  const size = inBounds.length;
  const { k } = run;
  const nodes = ir.layers
    .slice(run.first, run.last + 1)
    .map((l) => l.node)
    .join(', ');
  const minIn = Math.min(...inBounds.map((i) => i.lo));
  const maxIn = Math.max(...inBounds.map((i) => i.hi));
  const needLo = run.lo > Math.floor(minIn / 2 ** k);
  const needHi = run.hi < Math.floor(maxIn / 2 ** k);
  const fmt = (v: number) => (Number.isFinite(v) ? String(v) : v < 0 ? '-inf' : '+inf');
  L.push(
    `    // ${nodes}: clip(floor(x / 2^${k}), ${fmt(run.lo)}, ${fmt(run.hi)}), inputs in [${minIn}, ${maxIn}]`,
  );
  L.push(`    signal ${dst}[${size}];`);
  if (run.lo === run.hi) {
    L.push(`    // a single value: the constant ${run.lo}`);
    L.push(`    for (var i = 0; i < ${size}; i++) {`);
    L.push(`        ${dst}[i] <== ${run.lo};`);
    L.push('    }');
    return L;
  }
  if (!needLo && !needHi && k === 0) {
    L.push('    // every bound is implied by the input range: identity');
    L.push(`    for (var i = 0; i < ${size}; i++) {`);
    L.push(`        ${dst}[i] <== ${src}[i];`);
    L.push('    }');
    return L;
  }
  const pow = 1n << BigInt(k);
  // The value each template decomposes, as an interval per neuron.
  const shifted = ({ lo, hi }: Interval): [bigint, bigint] => {
    const [a, b] = [BigInt(lo), BigInt(hi)];
    if (needLo) return [a - BigInt(run.lo) * pow, b - BigInt(run.lo) * pow];
    if (needHi) {
      const top = (BigInt(run.hi) + 1n) * pow - 1n;
      return [top - b, top - a];
    }
    return [a, b];
  };
  const widths = inBounds.map((iv) => bitsForBig(...shifted(iv), k));
  const widest = Math.max(...widths);
  if (widest > MAX_FUSED_BITS) {
    throw new ModelError(
      `${nodes}: the fused non-linear run needs ${widest}-bit values (at most ${MAX_FUSED_BITS})`,
    );
  }
  /** x - c·2^k as text, e.g. `x`, `x + 128`, `x - 3·2^8`. */
  const minus = (c: number) => {
    const t = k === 0 ? String(Math.abs(c)) : `${Math.abs(c)}·2^${k}`;
    return c === 0 ? 'x' : `x ${c < 0 ? '+' : '-'} ${t}`;
  };
  let template: (b: string) => string;
  let what: string;
  if (needLo && needHi) {
    template = (b) => `FloorClip(${b}, ${k}, ${run.lo}, ${run.hi})`;
    what = minus(run.lo);
  } else if (needLo) {
    template = (b) => `FloorClipLo(${b}, ${k}, ${run.lo})`;
    what = minus(run.lo);
  } else if (needHi) {
    template = (b) => `FloorClipHi(${b}, ${k}, ${run.hi})`;
    what = k === 0 ? `${run.hi} - x` : `${run.hi + 1}·2^${k} - 1 - x`;
  } else {
    template = (b) => `FloorShift(${b}, ${k})`;
    what = 'x';
  }
  const same = widths.every((w) => w === widest);
  L.push(
    same
      ? `    // one decomposition per value: ${what} in [-2^${widest}, 2^${widest})`
      : `    // one decomposition per value: ${what} in [-2^B${run.last}[i], 2^B${run.last}[i]) for value i`,
  );
  if (!same) L.push(`    var B${run.last}[${size}] = ${arr(widths)};`);
  const c = `nl${run.last}`;
  L.push(`    component ${c}[${size}];`);
  L.push(`    for (var i = 0; i < ${size}; i++) {`);
  L.push(`        ${c}[i] = ${template(same ? String(widest) : `B${run.last}[i]`)};`);
  L.push(`        ${c}[i].in <== ${src}[i];`);
  L.push(`        ${dst}[i] <== ${c}[i].out;`);
  L.push('    }');
  return L;
}

export function generateModelTemplate(ir: ModelIR): string {
  const L: string[] = [];
  L.push(`template ${modelTemplateName(ir)}() {`);
  L.push(`    signal input x[${ir.inputSize}];`);
  L.push(`    signal output logits[${ir.outputSize}];`);
  let cur = 'x';
  let curBounds: Interval[] = Array.from({ length: ir.inputSize }, () => ({ ...ir.inputRange }));
  const runs = new Map(nonLinearRuns(ir).map((r) => [r.first, r]));
  for (let n = 0; n < ir.layers.length; n++) {
    const l = ir.layers[n]!;
    const size = ir.bounds[n]!.length;
    L.push('');
    const run = runs.get(n);
    if (run) {
      const v = `v${run.last}`;
      L.push(...emitRun(ir, run, cur, v, curBounds));
      cur = v;
      curBounds = ir.bounds[run.last]!;
      n = run.last;
      continue;
    }
    if (l.op !== 'linear') throw new ModelError(`${l.node}: not part of a non-linear run`);
    const v = `v${n}`;
    const inSize = l.weights[0]?.length ?? 0;
    L.push(`    // ${l.node}: linear ${inSize} -> ${size} (no constraints after --O2)`);
    L.push(`    var W${n}[${size}][${inSize}] = [`);
    l.weights.forEach((row, o) => L.push(`        ${arr(row)}${o + 1 < size ? ',' : ''}`));
    L.push('    ];');
    L.push(`    var C${n}[${size}] = ${arr(l.bias)};`);
    L.push(`    signal ${v}[${size}];`);
    L.push(`    for (var o = 0; o < ${size}; o++) {`);
    L.push(`        var acc = C${n}[o];`);
    L.push(`        for (var i = 0; i < ${inSize}; i++) {`);
    L.push(`            acc += W${n}[o][i] * ${cur}[i];`);
    L.push('        }');
    L.push(`        ${v}[o] <== acc;`);
    L.push('    }');
    cur = v;
    curBounds = ir.bounds[n]!;
  }
  L.push('');
  L.push(`    for (var i = 0; i < ${ir.outputSize}; i++) {`);
  L.push(`        logits[i] <== ${cur}[i];`);
  L.push('    }');
  L.push('}');
  return L.join('\n');
}

export function generateInferenceTemplate(ir: ModelIR): string {
  const n = ir.inputSize;
  if (ir.inputRange.lo !== -128 || ir.inputRange.hi !== 127) {
    throw new ModelError(
      'the attestation circuit commits to int8 readings: model input range must be [-128, 127]',
    );
  }
  if (n > MAX_WINDOW)
    throw new ModelError(
      `a window holds at most ${MAX_WINDOW} readings (15 packed field elements and the salt fill one Poseidon of 16), model takes ${n}`,
    );
  return `// Private: network and device keys (128-bit halves), readings, salt (field), device
// BabyJubJub key and signature, seq, timestamp, model_id. Public: P = Poseidon(k0, k1, k2,
// bjj_key_hash, input_commitment), k0 || k1 || k2 = network || device || model_id || seq ||
// timestamp || class || score packed in 93 bytes (PublicInput) — the proof's only public
// signal. MODEL_ID is fixed by the main component:
// a reading signed for another model has no witness in this circuit.
template ${inferenceTemplateName(ir)}(MODEL_ID) {
    signal input network_hi;
    signal input network_lo;
    signal input device_hi;
    signal input device_lo;
    signal input readings[${n}];
    signal input salt;
    signal input seq;
    signal input timestamp;
    signal input model_id;
    signal input ax;
    signal input ay;
    signal input sig_s;
    signal input sig_r8x;
    signal input sig_r8y;
    signal output p;

    model_id === MODEL_ID;

    component commit = ReadingsCommitment(${n});
    commit.readings <== readings;
    commit.salt <== salt;

    component sig = DeviceSignature();
    sig.network_hi <== network_hi;
    sig.network_lo <== network_lo;
    sig.device_hi <== device_hi;
    sig.device_lo <== device_lo;
    sig.input_commitment <== commit.commitment;
    sig.seq <== seq;
    sig.timestamp <== timestamp;
    sig.model_id <== model_id;
    sig.ax <== ax;
    sig.ay <== ay;
    sig.sig_s <== sig_s;
    sig.sig_r8x <== sig_r8x;
    sig.sig_r8y <== sig_r8y;

    component model = ${modelTemplateName(ir)}();
    model.x <== readings;

    component am = ArgMaxFirst(${ir.outputSize}, ${argmaxBits(ir)});
    am.in <== model.logits;

    component pi = PublicInput();
    pi.network_hi <== network_hi;
    pi.network_lo <== network_lo;
    pi.device_hi <== device_hi;
    pi.device_lo <== device_lo;
    pi.bjj_key_hash <== sig.bjj_key_hash;
    pi.model_id <== model_id;
    pi.seq <== seq;
    pi.timestamp <== timestamp;
    pi.input_commitment <== commit.commitment;
    pi.class <== am.index;
    pi.score <== am.max;
    p <== pi.out;
}`;
}

/** The whole generated templates file for one ONNX model. */
export function generateCircuitFile(
  onnxPath: string,
  repoRelOnnx: string,
  name?: string,
): { ir: ModelIR; source: string; onnxSha256: string } {
  const onnxSha256 = createHash('sha256').update(readFileSync(onnxPath)).digest('hex');
  const ir = loadModel(onnxPath, { name: name ?? basename(onnxPath, '.onnx') });
  const source = `// Generated by circuits/tools/generate.ts from ${repoRelOnnx} — DO NOT EDIT.
// onnx sha256: ${onnxSha256}
pragma circom 2.1.0;

include "../src/int_ops.circom";
include "../src/attestation.circom";

${generateModelTemplate(ir)}

${generateInferenceTemplate(ir)}
`;
  return { ir, source, onnxSha256 };
}
