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
import { loadModel, ModelError, type Interval, type ModelIR } from './onnx-model.ts';
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

export function generateModelTemplate(ir: ModelIR): string {
  const L: string[] = [];
  L.push(`template ${modelTemplateName(ir)}() {`);
  L.push(`    signal input x[${ir.inputSize}];`);
  L.push(`    signal output logits[${ir.outputSize}];`);
  let cur = 'x';
  let curBounds: Interval[] = Array.from({ length: ir.inputSize }, () => ({ ...ir.inputRange }));
  ir.layers.forEach((l, n) => {
    const v = `v${n}`;
    const size = ir.bounds[n]!.length;
    L.push('');
    switch (l.op) {
      case 'linear': {
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
        break;
      }
      case 'relu': {
        const b = bitsFor(curBounds);
        L.push(`    // ${l.node}: relu, inputs in [-2^${b}, 2^${b})`);
        L.push(`    signal ${v}[${size}];`);
        L.push(`    component relu${n}[${size}];`);
        L.push(`    for (var i = 0; i < ${size}; i++) {`);
        L.push(`        relu${n}[i] = ReluSigned(${b});`);
        L.push(`        relu${n}[i].in <== ${cur}[i];`);
        L.push(`        ${v}[i] <== relu${n}[i].out;`);
        L.push('    }');
        break;
      }
      case 'floorShift': {
        const b = Math.max(bitsFor(curBounds), l.k);
        L.push(`    // ${l.node}: floor(x * 2^-${l.k}), inputs in [-2^${b}, 2^${b})`);
        L.push(`    signal ${v}[${size}];`);
        L.push(`    component fs${n}[${size}];`);
        L.push(`    for (var i = 0; i < ${size}; i++) {`);
        L.push(`        fs${n}[i] = FloorShift(${b}, ${l.k});`);
        L.push(`        fs${n}[i].in <== ${cur}[i];`);
        L.push(`        ${v}[i] <== fs${n}[i].out;`);
        L.push('    }');
        break;
      }
      case 'clip': {
        const minIn = Math.min(...curBounds.map((i) => i.lo));
        const maxIn = Math.max(...curBounds.map((i) => i.hi));
        const needLo = l.lo !== null && l.lo > minIn;
        const needHi = l.hi !== null && l.hi < maxIn;
        L.push(
          `    // ${l.node}: clip to [${l.lo ?? '-inf'}, ${l.hi ?? '+inf'}], inputs in [${minIn}, ${maxIn}]`,
        );
        L.push(`    signal ${v}[${size}];`);
        if (!needLo && !needHi) {
          L.push('    // both bounds are implied by the input range: identity');
          L.push(`    for (var i = 0; i < ${size}; i++) {`);
          L.push(`        ${v}[i] <== ${cur}[i];`);
          L.push('    }');
          break;
        }
        let src = cur;
        if (needLo) {
          const d = bitsFor([{ lo: minIn - l.lo!, hi: maxIn - l.lo! }]);
          L.push(`    signal ${v}lo[${size}];`);
          L.push(`    component clo${n}[${size}];`);
          L.push(`    for (var i = 0; i < ${size}; i++) {`);
          L.push(`        clo${n}[i] = MaxConst(${d}, ${l.lo});`);
          L.push(`        clo${n}[i].in <== ${src}[i];`);
          L.push(`        ${v}lo[i] <== clo${n}[i].out;`);
          L.push('    }');
          src = `${v}lo`;
        }
        if (needHi) {
          const lo2 = needLo ? Math.max(minIn, l.lo!) : minIn;
          const d = bitsFor([{ lo: l.hi! - maxIn, hi: l.hi! - lo2 }]);
          L.push(`    component chi${n}[${size}];`);
          L.push(`    for (var i = 0; i < ${size}; i++) {`);
          L.push(`        chi${n}[i] = MinConst(${d}, ${l.hi});`);
          L.push(`        chi${n}[i].in <== ${src}[i];`);
          L.push(`        ${v}[i] <== chi${n}[i].out;`);
          L.push('    }');
        } else {
          L.push(`    for (var i = 0; i < ${size}; i++) {`);
          L.push(`        ${v}[i] <== ${src}[i];`);
          L.push('    }');
        }
        break;
      }
    }
    cur = v;
    curBounds = ir.bounds[n]!;
  });
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
// BabyJubJub key and signature, seq, timestamp, model_id. Public: P = Poseidon(network_hi,
// network_lo, device_hi, device_lo, bjj_key_hash, model_id, seq, timestamp, input_commitment,
// class, score) — the proof's only public signal. MODEL_ID is fixed by the main component:
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
