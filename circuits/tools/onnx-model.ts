/**
 * ONNX → integer model IR, with the checks that make the circuit and onnxruntime agree bit for
 * bit: supported ops only, integer-valued constants, and every intermediate (including Gemm's
 * partial sums) provably below 2^24 in magnitude (float32 represents such integers exactly).
 * The bound is checked twice: on every ONNX node as onnxruntime runs it (before an `Add` is
 * folded into the preceding layer's bias), and on the folded layers the circuit computes.
 *
 * Supported graphs: one input `[N, n]` or `[n]` (float32 holding integers, default range int8),
 * one output, and a chain of
 *   Gemm (alpha = beta = 1, transA = 0, transB ∈ {0,1}, constant B and C) · MatMul (constant B)
 *   Add (constant) · Mul (constant integer, or 2^-k immediately followed by Floor) · Floor
 *   Relu · Clip (constant integer bounds).
 */
import { readOnnx, tensorValues, type ModelProto, type NodeProto } from './onnx-io.ts';

export const SUPPORTED_OPS = ['Gemm', 'MatMul', 'Add', 'Mul', 'Floor', 'Relu', 'Clip'] as const;
export const EXACT_LIMIT = 2 ** 24;

export type Layer =
  | { op: 'linear'; node: string; weights: number[][] /* [out][in] */; bias: number[] }
  | { op: 'relu'; node: string }
  | { op: 'floorShift'; node: string; k: number }
  | { op: 'clip'; node: string; lo: number | null; hi: number | null };

export interface Interval {
  lo: number;
  hi: number;
}

export interface ModelIR {
  name: string;
  inputName: string;
  outputName: string;
  inputSize: number;
  outputSize: number;
  inputRange: Interval;
  layers: Layer[];
  /** bounds[i] = element intervals of the value after layers[i] (bounds before layer 0 = input). */
  bounds: Interval[][];
}

export class ModelError extends Error {
  override name = 'ModelError';
}

function fail(msg: string): never {
  throw new ModelError(msg);
}

function attr(node: NodeProto, name: string): { i?: number; f?: number } | undefined {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  if (!a) return undefined;
  return { i: a.i !== undefined && a.i !== null ? Number(a.i) : undefined, f: a.f ?? undefined };
}

function integers(values: number[], what: string): number[] {
  for (const v of values) {
    if (!Number.isInteger(v))
      fail(`${what}: constant ${v} is not an integer (zkpin models compute on integers only)`);
    if (Math.abs(v) >= EXACT_LIMIT) fail(`${what}: constant ${v} is not below 2^24 in magnitude`);
  }
  return values;
}

/** Parse and validate an ONNX file (or decoded model) into the integer IR. */
export function loadModel(
  source: string | ModelProto,
  opts: { name?: string; inputRange?: Interval } = {},
): ModelIR {
  const model = typeof source === 'string' ? readOnnx(source) : source;
  const g = model.graph ?? fail('ONNX model has no graph');
  for (const o of model.opsetImport ?? []) {
    if (o.domain && o.domain !== 'ai.onnx')
      fail(`operator set domain "${o.domain}" is not supported`);
  }
  const inits = new Map((g.initializer ?? []).map((t) => [t.name ?? '', t]));
  const graphInputs = (g.input ?? []).filter((i) => !inits.has(i.name ?? ''));
  if (graphInputs.length !== 1)
    fail(`expected exactly one graph input, found ${graphInputs.length}`);
  if ((g.output ?? []).length !== 1)
    fail(`expected exactly one graph output, found ${(g.output ?? []).length}`);
  const input = graphInputs[0]!;
  const dims = input.type?.tensorType?.shape?.dim ?? [];
  const last = dims[dims.length - 1];
  const inputSize = last?.dimValue
    ? Number(last.dimValue)
    : fail('graph input must have a fixed last dimension');
  if (
    dims.length > 2 ||
    (dims.length === 2 && dims[0]?.dimValue && Number(dims[0].dimValue) !== 1)
  ) {
    fail(`graph input must be [n] or [N, n] (batch), found ${dims.length} dimensions`);
  }
  const inputRange = opts.inputRange ?? { lo: -128, hi: 127 };
  const constant = (name: string | undefined | null, what: string) => {
    const t =
      inits.get(name ?? '') ?? fail(`${what}: input "${name}" must be a constant initializer`);
    return tensorValues(t);
  };

  const layers: Layer[] = [];
  /**
   * One layer per ONNX node as onnxruntime evaluates it (an `Add` stays a layer of its own),
   * for the exactness bound only: a fold may cancel what the unfolded nodes overflow (Gemm
   * bias 16,700,001 then Add -16,700,000). Objects of their own: folding reassigns a bias.
   */
  const nodeLayers: Layer[] = [];
  let current = input.name ?? '';
  let size = inputSize;
  const nodes = g.node ?? [];
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n]!;
    const op = node.opType ?? '';
    const label = `node ${n} "${node.name || op}" (${op})`;
    const ins = node.input ?? [];
    if ((node.output ?? []).length !== 1) fail(`${label}: expected one output`);
    if (node.domain) fail(`${label}: custom domain "${node.domain}" is not supported`);
    if (!(SUPPORTED_OPS as readonly string[]).includes(op)) {
      fail(`${label}: unsupported op ${op}; supported ops are ${SUPPORTED_OPS.join(', ')}`);
    }
    if (ins[0] !== current) {
      fail(
        `${label}: the graph must be a chain; expected first input "${current}", found "${ins[0]}"`,
      );
    }
    switch (op) {
      case 'Gemm':
      case 'MatMul': {
        if (op === 'Gemm') {
          if ((attr(node, 'alpha')?.f ?? 1) !== 1 || (attr(node, 'beta')?.f ?? 1) !== 1)
            fail(`${label}: alpha and beta must be 1`);
          if ((attr(node, 'transA')?.i ?? 0) !== 0) fail(`${label}: transA must be 0`);
        }
        const transB = op === 'Gemm' ? (attr(node, 'transB')?.i ?? 0) : 0;
        const b = constant(ins[1], label);
        if (b.dims.length !== 2)
          fail(`${label}: weight must be a 2-D constant, found shape [${b.dims.join(', ')}]`);
        const [k, m] = transB ? [b.dims[1]!, b.dims[0]!] : [b.dims[0]!, b.dims[1]!];
        if (k !== size) fail(`${label}: weight expects ${k} inputs but the value has ${size}`);
        const w = integers(b.values, `${label} weight`);
        const weights = Array.from({ length: m }, (_, o) =>
          Array.from({ length: k }, (_, i) => (transB ? w[o * k + i]! : w[i * m + o]!)),
        );
        let bias = new Array<number>(m).fill(0);
        if (op === 'Gemm' && ins[2]) {
          const c = constant(ins[2], label);
          const cv = integers(c.values, `${label} bias`);
          if (cv.length === 1) bias = bias.map(() => cv[0]!);
          else if (cv.length === m && c.dims[c.dims.length - 1] === m) bias = cv;
          else fail(`${label}: bias shape [${c.dims.join(', ')}] does not broadcast to [${m}]`);
        }
        layers.push({ op: 'linear', node: label, weights, bias });
        nodeLayers.push({ op: 'linear', node: label, weights, bias });
        size = m;
        break;
      }
      case 'Add': {
        const c = constant(ins[1], label);
        const cv = integers(c.values, `${label} addend`);
        let bias: number[];
        if (cv.length === 1) bias = new Array<number>(size).fill(cv[0]!);
        else if (cv.length === size) bias = cv;
        else fail(`${label}: addend shape [${c.dims.join(', ')}] does not broadcast to [${size}]`);
        const own: Layer = { op: 'linear', node: label, weights: identity(size), bias };
        nodeLayers.push({ ...own });
        const prev = layers[layers.length - 1];
        if (prev?.op === 'linear') prev.bias = prev.bias.map((v, i) => v + bias[i]!);
        else layers.push(own);
        break;
      }
      case 'Mul': {
        const c = constant(ins[1], label);
        if (c.values.length !== 1)
          fail(`${label}: only multiplication by a scalar constant is supported`);
        const v = c.values[0]!;
        if (Number.isInteger(v)) {
          integers([v], label);
          const scale: Layer = {
            op: 'linear',
            node: label,
            weights: identity(size).map((r) => r.map((x) => x * v)),
            bias: new Array<number>(size).fill(0),
          };
          layers.push(scale);
          nodeLayers.push({ ...scale });
          break;
        }
        const k = -Math.log2(v);
        if (!(Number.isInteger(k) && k > 0 && k <= 24)) {
          fail(`${label}: scale ${v} is neither an integer nor 2^-k (1 ≤ k ≤ 24)`);
        }
        const next = nodes[n + 1];
        if (next?.opType !== 'Floor' || next.input?.[0] !== node.output![0]) {
          fail(
            `${label}: multiplication by 2^-${k} must be followed by Floor (results must stay integers)`,
          );
        }
        layers.push({ op: 'floorShift', node: label, k });
        nodeLayers.push({ op: 'floorShift', node: label, k });
        n++; // the Floor is consumed
        current = next.output![0]!;
        continue;
      }
      case 'Floor':
        break; // floor of an integer value is the value itself
      case 'Relu':
        layers.push({ op: 'relu', node: label });
        nodeLayers.push({ op: 'relu', node: label });
        break;
      case 'Clip': {
        let lo: number | null = null;
        let hi: number | null = null;
        if (ins[1]) lo = integers(constant(ins[1], label).values, `${label} min`)[0]!;
        if (ins[2]) hi = integers(constant(ins[2], label).values, `${label} max`)[0]!;
        const aMin = attr(node, 'min')?.f;
        const aMax = attr(node, 'max')?.f;
        if (aMin !== undefined) lo = integers([aMin], `${label} min`)[0]!;
        if (aMax !== undefined) hi = integers([aMax], `${label} max`)[0]!;
        if (lo !== null && hi !== null && lo > hi) fail(`${label}: min ${lo} > max ${hi}`);
        layers.push({ op: 'clip', node: label, lo, hi });
        nodeLayers.push({ op: 'clip', node: label, lo, hi });
        break;
      }
    }
    current = node.output![0]!;
  }
  const output = g.output![0]!;
  if (current !== output.name)
    fail(`graph output "${output.name}" is not the end of the op chain ("${current}")`);
  // Each original node's own values and partial sums first (what onnxruntime computes in
  // float32), then the folded layers (what the circuit computes, and the bounds it is sized by).
  propagate(nodeLayers, inputSize, inputRange);
  const bounds = propagate(layers, inputSize, inputRange);
  return {
    name: opts.name ?? (g.name || 'model'),
    inputName: input.name ?? '',
    outputName: output.name ?? '',
    inputSize,
    outputSize: size,
    inputRange,
    layers,
    bounds,
  };
}

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
}

/** Interval analysis: element bounds after each layer; fails when anything could reach 2^24. */
export function propagate(layers: Layer[], inputSize: number, inputRange: Interval): Interval[][] {
  let cur: Interval[] = Array.from({ length: inputSize }, () => ({ ...inputRange }));
  const out: Interval[][] = [];
  const check = (iv: Interval[], what: string) => {
    for (const { lo, hi } of iv) {
      if (Math.abs(lo) >= EXACT_LIMIT || Math.abs(hi) >= EXACT_LIMIT) {
        fail(`${what}: value range [${lo}, ${hi}] reaches 2^24, where float32 stops being exact`);
      }
    }
  };
  for (const l of layers) {
    switch (l.op) {
      case 'linear': {
        cur = l.weights.map((row, o) => {
          let lo = l.bias[o]!;
          let hi = l.bias[o]!;
          let abs = Math.abs(l.bias[o]!);
          row.forEach((w, i) => {
            const x = cur[i]!;
            lo += w >= 0 ? w * x.lo : w * x.hi;
            hi += w >= 0 ? w * x.hi : w * x.lo;
            abs += Math.abs(w) * Math.max(Math.abs(x.lo), Math.abs(x.hi));
          });
          if (abs >= EXACT_LIMIT)
            fail(
              `${l.node}: a partial sum could reach ${abs} ≥ 2^24, where float32 stops being exact`,
            );
          return { lo, hi };
        });
        break;
      }
      case 'relu':
        cur = cur.map(({ lo, hi }) => ({ lo: Math.max(0, lo), hi: Math.max(0, hi) }));
        break;
      case 'floorShift':
        cur = cur.map(({ lo, hi }) => ({
          lo: Math.floor(lo / 2 ** l.k),
          hi: Math.floor(hi / 2 ** l.k),
        }));
        break;
      case 'clip':
        cur = cur.map(({ lo, hi }) => ({
          lo: Math.min(Math.max(lo, l.lo ?? -Infinity), l.hi ?? Infinity),
          hi: Math.max(Math.min(hi, l.hi ?? Infinity), l.lo ?? -Infinity),
        }));
        break;
    }
    check(cur, l.node);
    out.push(cur);
  }
  return out;
}

/** TypeScript reference of the integer math (the same semantics the circuit proves). */
export function runReference(ir: ModelIR, x: readonly number[]): number[] {
  if (x.length !== ir.inputSize)
    throw new RangeError(`expected ${ir.inputSize} inputs, got ${x.length}`);
  for (const v of x) {
    if (!Number.isInteger(v) || v < ir.inputRange.lo || v > ir.inputRange.hi) {
      throw new RangeError(`input ${v} outside [${ir.inputRange.lo}, ${ir.inputRange.hi}]`);
    }
  }
  let cur = [...x];
  for (const l of ir.layers) {
    switch (l.op) {
      case 'linear':
        cur = l.weights.map((row, o) => row.reduce((s, w, i) => s + w * cur[i]!, l.bias[o]!));
        break;
      case 'relu':
        cur = cur.map((v) => (v > 0 ? v : 0));
        break;
      case 'floorShift':
        cur = cur.map((v) => Math.floor(v / 2 ** l.k));
        break;
      case 'clip':
        cur = cur.map((v) => Math.min(Math.max(v, l.lo ?? -Infinity), l.hi ?? Infinity));
        break;
    }
  }
  return cur;
}

/** (class, score) = (index of the first maximum, maximum) — numpy/ONNX ArgMax semantics. */
export function argmaxFirst(logits: readonly number[]): { class: number; score: number } {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return { class: best, score: logits[best]! };
}
