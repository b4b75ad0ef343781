/**
 * ONNX → integer model IR, with the checks that make the circuit and onnxruntime agree bit for
 * bit: supported ops only, integer-valued constants, and every intermediate (including Gemm's
 * partial sums) provably below 2^24 in magnitude (float32 represents such integers exactly).
 * The bound is checked twice: on every ONNX node as onnxruntime runs it (before an `Add` is
 * folded into the preceding layer's bias), and on the folded layers the circuit computes.
 *
 * Supported graphs: one input `[N, n]`, `[1, n]` or `[n]` (float32 holding integers, default
 * range int8), one output, and a chain of
 *   Gemm (alpha = beta = 1, transA = 0, transB ∈ {0,1}, constant B and C) · MatMul (constant B)
 *   Add / Sub (a constant, either side) · Mul (constant integer, or 2^-k immediately followed by
 *   Floor) · Div (by a constant 2^k, followed by Floor when k > 0) · Floor · Relu
 *   Clip (constant integer bounds) · Flatten (only where it keeps each window's values as they
 *   are) · ArgMax (last node only: the class output, first maximum) · DequantizeLinear of a
 *   constant (integer results) · QuantizeLinear (scale 1) then DequantizeLinear (integer scale).
 * The table with each op's conditions and mapping is in docs/zkml.md.
 */
import {
  floatTensor,
  onnx,
  readOnnx,
  tensorValues,
  type ModelProto,
  type NodeProto,
} from './onnx-io.ts';

export const SUPPORTED_OPS = [
  'Gemm',
  'MatMul',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Floor',
  'Relu',
  'Clip',
  'Flatten',
  'ArgMax',
  'QuantizeLinear',
  'DequantizeLinear',
] as const;
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

/**
 * The graph input's leading dimension: none (`[n]`), a symbolic batch (`[N, n]`, onnxruntime
 * takes any number of windows at once) or a fixed batch of one (`[1, n]`, one window a run).
 */
export type InputBatch = 'none' | 'dynamic' | 1;

export interface ModelIR {
  name: string;
  inputName: string;
  outputName: string;
  inputBatch: InputBatch;
  inputSize: number;
  /** Number of logits (the last layer's values; the circuit's `logits` output). */
  outputSize: number;
  /**
   * What the ONNX graph output holds: the logits, or (a trailing `ArgMax`) the index of the
   * first maximum logit, which the attestation circuit computes with `ArgMaxFirst`.
   */
  output: 'logits' | 'class';
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
  const dimText = (d: (typeof dims)[number]) =>
    d.dimValue !== undefined && d.dimValue !== null ? String(d.dimValue) : d.dimParam || '?';
  const shapeText = `[${dims.map(dimText).join(', ')}]`;
  if (dims.length < 1 || dims.length > 2)
    fail(`graph input must be [n], [N, n] or [1, n], found shape ${shapeText}`);
  const last = dims[dims.length - 1]!;
  const inputSize = last.dimValue
    ? Number(last.dimValue)
    : fail(`graph input must have a fixed last dimension (the window size), found ${shapeText}`);
  let inputBatch: InputBatch = 'none';
  if (dims.length === 2) {
    const lead = dims[0]!.dimValue ? Number(dims[0]!.dimValue) : undefined;
    if (lead === undefined) inputBatch = 'dynamic';
    else if (lead === 1) inputBatch = 1;
    else
      fail(
        `graph input has a fixed batch of ${lead} (shape ${shapeText}); the circuit proves one window, so the batch must be 1 or symbolic (e.g. [N, ${inputSize}])`,
      );
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
  /** Rank of the current value (1: `[n]`, 2: `[batch, n]`) and whether its batch is symbolic. */
  let rank = dims.length;
  const batched = inputBatch === 'dynamic';
  let output: ModelIR['output'] = 'logits';
  const nodes = g.node ?? [];
  /**
   * DequantizeLinear of a constant (int8 weights as exporters store them) is folded into a
   * float constant, (q - zero point) · scale, which must hold integers like any other weight.
   */
  const dequantized = new Set<number>();
  nodes.forEach((node, n) => {
    const [q, s, z] = node.input ?? [];
    if (node.opType !== 'DequantizeLinear' || !inits.has(q ?? '')) return;
    const label = `node ${n} "${node.name || 'DequantizeLinear'}" (DequantizeLinear)`;
    const scale = constant(s, label).values;
    const zero = z ? constant(z, label).values : [0];
    if (scale.length !== 1 || zero.length !== 1)
      fail(`${label}: per-axis scales or zero points are not supported (one scalar each)`);
    const t = tensorValues(inits.get(q!)!);
    const values = t.values.map((v) => (v - zero[0]!) * scale[0]!);
    if (!values.every(Number.isInteger)) {
      fail(
        `${label}: dequantizing constant "${q}" with scale ${scale[0]} gives non-integer values; only an integer scale gives the integer weights the circuit computes with`,
      );
    }
    inits.set(node.output![0]!, floatTensor(node.output![0]!, t.dims, values));
    dequantized.add(n);
  });
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n]!;
    const op = node.opType ?? '';
    const label = `node ${n} "${node.name || op}" (${op})`;
    const ins = node.input ?? [];
    if ((node.output ?? []).length !== 1) fail(`${label}: expected one output`);
    if (node.domain) fail(`${label}: custom domain "${node.domain}" is not supported`);
    if (dequantized.has(n)) continue; // a constant, folded above
    if (!(SUPPORTED_OPS as readonly string[]).includes(op)) {
      fail(`${label}: unsupported op ${op}; supported ops are ${SUPPORTED_OPS.join(', ')}`);
    }
    const chainError: () => never = () =>
      fail(
        `${label}: the graph must be a chain; expected an input "${current}", found ${ins.map((i) => `"${i}"`).join(', ')}`,
      );
    /**
     * The constant operand of a binary elementwise op (either side), with its values broadcast
     * over the `size` features; the value's rank grows to the constant's like onnxruntime's.
     */
    const binary = (what: string) => {
      if (ins.length !== 2) fail(`${label}: expected two inputs`);
      let constFirst: boolean;
      if (ins[0] === current && ins[1] !== current) constFirst = false;
      else if (ins[1] === current && ins[0] !== current) constFirst = true;
      else if (ins[0] === current)
        fail(`${label}: both operands are the value; one must be a constant`);
      else chainError();
      const c = constant(ins[constFirst ? 0 : 1], label);
      const values = integers(c.values, `${label} ${what}`);
      const lastDim = c.dims[c.dims.length - 1] ?? 1;
      const leading = c.dims.slice(0, -1);
      if (c.dims.length > 2 || leading.some((d) => d !== 1) || (lastDim !== 1 && lastDim !== size))
        fail(`${label}: ${what} shape [${c.dims.join(', ')}] does not broadcast to [${size}]`);
      rank = Math.max(rank, c.dims.length);
      const bias = values.length === 1 ? new Array<number>(size).fill(values[0]!) : values;
      return { constFirst, bias, scalar: values.length === 1 ? values[0]! : undefined };
    };
    /** y = sign·x + bias elementwise: its own layer, folded into a preceding linear layer. */
    const affine = (sign: 1 | -1, bias: number[]) => {
      const own: Layer = {
        op: 'linear',
        node: label,
        weights: identity(size).map((r) => r.map((w) => sign * w || 0)),
        bias,
      };
      nodeLayers.push({ ...own });
      const prev = layers[layers.length - 1];
      if (prev?.op === 'linear') {
        if (sign < 0) prev.weights = prev.weights.map((r) => r.map((w) => -w || 0));
        prev.bias = prev.bias.map((v, i) => (sign * v || 0) + bias[i]!);
      } else layers.push(own);
    };
    /** Mul by 2^-k or Div by 2^k: floor(x / 2^k), only with the Floor that must follow. */
    const floorShift = (k: number, how: string) => {
      const next = nodes[n + 1];
      if (next?.opType !== 'Floor' || next.input?.[0] !== node.output![0]) {
        if (next?.opType === 'Cast' && next.input?.[0] === node.output![0]) {
          fail(
            `${label}: ${how} is followed by Cast, which truncates towards zero; the circuit rounds down (FloorShift): use Floor`,
          );
        }
        fail(`${label}: ${how} must be followed by Floor (results must stay integers)`);
      }
      layers.push({ op: 'floorShift', node: label, k });
      nodeLayers.push({ op: 'floorShift', node: label, k });
      n++; // the Floor is consumed
      current = next.output![0]!;
    };
    if (op === 'QuantizeLinear') {
      if (ins[0] !== current)
        fail(`${label}: the graph must be a chain; expected an input "${current}"`);
      const scale = constant(ins[1], label).values;
      if (scale.length !== 1 || scale[0] !== 1) {
        fail(
          `${label}: QuantizeLinear with scale ${scale.join(', ')}: only scale 1 is exact (x / 1 is x); any other scale rounds x / scale half to even, which has no exact integer form here; export float32 tensors holding integers with power-of-two requantization (Mul by 2^-k or Div by 2^k, then Floor)`,
        );
      }
      const zp = ins[2] ? inits.get(ins[2]) : undefined;
      const zpv = ins[2] ? integers(constant(ins[2], label).values, `${label} zero point`) : [0];
      if (zpv.length !== 1) fail(`${label}: only a scalar zero point is supported`);
      const signed = zp?.dataType === onnx.TensorProto.DataType.INT8;
      if (zp && !signed && zp.dataType !== onnx.TensorProto.DataType.UINT8)
        fail(`${label}: only int8 and uint8 quantization is supported`);
      const next = nodes[n + 1];
      if (next?.opType !== 'DequantizeLinear' || next.input?.[0] !== node.output![0]) {
        fail(
          `${label}: QuantizeLinear must be followed by DequantizeLinear of its output (the chain computes on float32 values)`,
        );
      }
      const dqLabel = `node ${n + 1} "${next.name || next.opType}" (DequantizeLinear)`;
      const s2 = integers(constant(next.input?.[1], dqLabel).values, `${dqLabel} scale`);
      const z2 = next.input?.[2]
        ? integers(constant(next.input[2], dqLabel).values, `${dqLabel} zero point`)
        : [0];
      if (s2.length !== 1 || z2.length !== 1)
        fail(`${dqLabel}: only a scalar scale and zero point are supported`);
      // q = clip(x + zp, qmin, qmax); y = (q - zp2) · s2
      if (zpv[0] !== 0) affine(1, new Array<number>(size).fill(zpv[0]!));
      const clip: Layer = {
        op: 'clip',
        node: label,
        lo: signed ? -128 : 0,
        hi: signed ? 127 : 255,
      };
      layers.push(clip);
      nodeLayers.push({ ...clip });
      const dq: Layer = {
        op: 'linear',
        node: dqLabel,
        weights: identity(size).map((r) => r.map((w) => w * s2[0]!)),
        bias: new Array<number>(size).fill(-z2[0]! * s2[0]! || 0),
      };
      layers.push(dq);
      nodeLayers.push({ ...dq });
      n++; // the DequantizeLinear is consumed
      current = next.output![0]!;
      continue;
    }
    if (op === 'DequantizeLinear')
      fail(
        `${label}: DequantizeLinear must dequantize a constant or follow QuantizeLinear of the value`,
      );
    if (['Add', 'Sub', 'Mul'].includes(op) ? !ins.includes(current) : ins[0] !== current) {
      if (op === 'Div' && ins[1] === current) {
        fail(
          `${label}: a constant divided by the value is not an integer operation; only x / 2^k is supported`,
        );
      }
      chainError();
    }
    switch (op) {
      case 'Gemm':
      case 'MatMul': {
        if (op === 'Gemm') {
          if ((attr(node, 'alpha')?.f ?? 1) !== 1 || (attr(node, 'beta')?.f ?? 1) !== 1)
            fail(`${label}: alpha and beta must be 1`);
          if ((attr(node, 'transA')?.i ?? 0) !== 0) fail(`${label}: transA must be 0`);
          if (rank !== 2) fail(`${label}: Gemm needs a 2-D input [batch, ${size}]`);
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
        affine(1, binary('addend').bias);
        break;
      }
      case 'Sub': {
        // x - c adds -c; c - x negates x, then adds c.
        const { constFirst, bias } = binary('subtrahend');
        if (constFirst) affine(-1, bias);
        else
          affine(
            1,
            bias.map((v) => -v || 0),
          );
        break;
      }
      case 'Mul': {
        const c = constant(ins[ins[0] === current ? 1 : 0], label);
        if (c.values.length !== 1)
          fail(`${label}: only multiplication by a scalar constant is supported`);
        const v = c.values[0]!;
        if (Number.isInteger(v)) {
          binary('factor');
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
        rank = Math.max(rank, c.dims.length);
        floorShift(k, `multiplication by 2^-${k}`);
        continue;
      }
      case 'Div': {
        const c = constant(ins[1], label);
        const v = c.values.length === 1 ? c.values[0]! : NaN;
        const k = Math.log2(v);
        if (!(Number.isInteger(k) && k >= 0 && k <= 24)) {
          fail(
            `${label}: division by ${c.values.length === 1 ? v : `a constant of shape [${c.dims.join(', ')}]`} is not supported: the circuit divides only by a scalar 2^k (0 ≤ k ≤ 24), as the bit shift floor(x / 2^k); another divisor would need a quotient-and-remainder template the generator does not have`,
          );
        }
        if (c.dims.length > 2) fail(`${label}: divisor of rank ${c.dims.length} adds dimensions`);
        rank = Math.max(rank, c.dims.length);
        if (k === 0) break; // x / 1 = x
        floorShift(k, `division by 2^${k}`);
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
      case 'Flatten': {
        // Output [d0·…·d(axis-1), d(axis)·…]: the same values in the same order; a no-op for the
        // circuit when it keeps one window per row.
        const raw = attr(node, 'axis')?.i ?? 1;
        const axis = raw < 0 ? raw + rank : raw;
        const keeps = rank === 1 ? axis === 0 : axis === 1 || (axis === 0 && !batched);
        if (!keeps) {
          const b = batched ? 'N' : '1';
          const [from, to] =
            rank === 1
              ? [`[${size}]`, `[${size}, 1]`]
              : [`[${b}, ${size}]`, axis === 0 ? `[1, ${b}·${size}]` : `[${b}·${size}, 1]`];
          fail(
            `${label}: Flatten with axis ${raw} turns ${from} into ${to}, which does not keep one window per row; supported: axis 1 on [N, n] or [1, n], axis 0 on [n] or [1, n]`,
          );
        }
        rank = 2;
        break;
      }
      case 'ArgMax': {
        if (n !== nodes.length - 1)
          fail(`${label}: ArgMax must be the last node (the class output)`);
        const raw = attr(node, 'axis')?.i ?? 0;
        if ((raw < 0 ? raw + rank : raw) !== rank - 1) {
          fail(
            `${label}: ArgMax over axis ${raw} of a rank-${rank} value; it must run over the last axis (the logits of one window)`,
          );
        }
        if ((attr(node, 'select_last_index')?.i ?? 0) !== 0) {
          fail(
            `${label}: select_last_index = 1 picks the last of equal maxima; the circuit's ArgMaxFirst picks the first`,
          );
        }
        output = 'class';
        break;
      }
    }
    current = node.output![0]!;
  }
  const graphOutput = g.output![0]!;
  if (current !== graphOutput.name)
    fail(`graph output "${graphOutput.name}" is not the end of the op chain ("${current}")`);
  // Each original node's own values and partial sums first (what onnxruntime computes in
  // float32), then the folded layers (what the circuit computes, and the bounds it is sized by).
  propagate(nodeLayers, inputSize, inputRange);
  const bounds = propagate(layers, inputSize, inputRange);
  return {
    name: opts.name ?? (g.name || 'model'),
    inputName: input.name ?? '',
    outputName: graphOutput.name ?? '',
    inputBatch,
    inputSize,
    outputSize: size,
    output,
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
