/**
 * Trains the shipped models: integer MLPs window → hidden (ReLU) → classes over int8 sensor
 * readings, exported as ONNX graphs that compute exactly in float32.
 *
 * `zkpin_anomaly_v1` (model 1): 16 readings → 16 → 4, normal / drift / spike / fault. Data
 * (generated here, seeded, documented in docs/zkml.md): every window is a baseline plus a
 * class-specific pattern, rounded and clipped to [-128, 127]:
 *   normal — baseline b ~ U[-40, 40] plus Gaussian noise σ ~ U[1, 6];
 *   drift  — normal plus a linear ramp of slope ±U[3, 8] per sample;
 *   spike  — normal plus 1–2 impulses of amplitude ±U[40, 110] at random positions;
 *   fault  — a dead or saturated sensor: a constant window (any value, including 0 and the
 *            rails -128 / 127), or a window stuck at alternating rails.
 *
 * `zkpin_vibration_v1` (model 2): 48 accelerometer samples → 24 → 3, healthy / imbalance /
 * bearing (sampleVibration below).
 *
 * Training: float MLP, Adam, softmax cross-entropy, then post-training quantization to int8
 * weights with power-of-two rescaling, so that every op of the exported graph computes exactly
 * in float32 (integers below 2^24):
 *   z = Gemm(x, W1, b1); h = Clip(Floor(Relu(z) · 2^-k), 0, 127); logits = Gemm(h, W2, b2).
 *
 *   npx tsx circuits/model/train.ts [name]   (rewrites circuits/model/<name>.{onnx,json}; all without a name)
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { floatTensor, onnx, writeOnnx } from '../tools/onnx-io.ts';

/** What a shipped model is trained from. */
export interface ModelRecipe {
  name: string;
  classes: readonly string[];
  /** Readings per window (the model's input width). */
  window: number;
  hidden: number;
  seed: number;
  /** One labelled window of class `cls`. */
  sample(rand: () => number, cls: number): number[];
  /** One line for the ONNX docString. */
  description: string;
}

export const CLASSES = ['normal', 'drift', 'spike', 'fault'] as const;
const IN = 16;

/** mulberry32: small deterministic PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const clip8 = (v: number) => Math.max(-128, Math.min(127, Math.round(v)));

/** One labelled window of class `cls`. */
export function sampleWindow(rand: () => number, cls: number): number[] {
  const u = (a: number, b: number) => a + (b - a) * rand();
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const b = u(-40, 40);
  const sigma = u(1, 6);
  const base = Array.from({ length: IN }, () => b + sigma * gauss());
  switch (cls) {
    case 0:
      return base.map(clip8);
    case 1: {
      const slope = (rand() < 0.5 ? -1 : 1) * u(3, 8);
      const start = b - slope * u(0, IN);
      return base.map((v, i) => clip8(v - b + start + slope * i));
    }
    case 2: {
      const out = [...base];
      const n = rand() < 0.6 ? 1 : 2;
      for (let j = 0; j < n; j++) {
        const at = Math.floor(rand() * IN);
        out[at] = out[at]! + (rand() < 0.5 ? -1 : 1) * u(40, 110);
      }
      return out.map(clip8);
    }
    default: {
      const r = rand();
      if (r < 0.6) {
        const choices = [0, -128, 127, clip8(u(-128, 127))];
        const v = choices[Math.floor(rand() * choices.length)]!;
        return Array.from({ length: IN }, () => v);
      }
      if (r < 0.8) return Array.from({ length: IN }, (_, i) => (i % 2 === 0 ? -128 : 127));
      const v = clip8(u(-128, 127));
      return Array.from({ length: IN }, (_, i) => (i < IN / 2 ? clip8(b) : v));
    }
  }
}

export const VIBRATION_CLASSES = ['healthy', 'imbalance', 'bearing'] as const;
const VIB_N = 48;

/**
 * One labelled window of 48 accelerometer samples (int8, one axis, after the device removes
 * gravity) of a rotating machine:
 *   healthy   — a small shaft-rate sinusoid (amplitude U[2, 12], period U[8, 24] samples,
 *               random phase) plus Gaussian noise σ ~ U[1, 6] around an offset U[-10, 10];
 *   imbalance — the same with a large shaft-rate sinusoid (amplitude U[30, 90]);
 *   bearing   — healthy plus periodic impacts (every U[5, 12] samples, amplitude U[35, 100],
 *               sign random per window) that ring down over the next 2 samples.
 */
export function sampleVibration(rand: () => number, cls: number): number[] {
  const u = (a: number, b: number) => a + (b - a) * rand();
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const offset = u(-10, 10);
  const sigma = u(1, 6);
  const period = u(8, 24);
  const phase = u(0, 2 * Math.PI);
  const amp = cls === 1 ? u(30, 90) : u(2, 12);
  const out = Array.from(
    { length: VIB_N },
    (_, i) => offset + amp * Math.sin(phase + (2 * Math.PI * i) / period) + sigma * gauss(),
  );
  if (cls === 2) {
    const every = Math.floor(u(5, 13));
    const start = Math.floor(u(0, every));
    const a = (rand() < 0.5 ? -1 : 1) * u(35, 100);
    for (let at = start; at < VIB_N; at += every) {
      out[at] = out[at]! + a;
      if (at + 1 < VIB_N) out[at + 1] = out[at + 1]! - 0.5 * a;
      if (at + 2 < VIB_N) out[at + 2] = out[at + 2]! + 0.25 * a;
    }
  }
  return out.map(clip8);
}

/** Model 1, the reference model. */
export const ANOMALY_RECIPE: ModelRecipe = {
  name: 'zkpin_anomaly_v1',
  classes: CLASSES,
  window: IN,
  hidden: 16,
  seed: 20251122,
  sample: sampleWindow,
  description: `zkpin reference model: int8 window [N,16] -> logits [N,4] (${CLASSES.join(', ')}). Integer-exact in float32.`,
};

/** Model 2: a longer window (two packed chunks) and another class count. */
export const VIBRATION_RECIPE: ModelRecipe = {
  name: 'zkpin_vibration_v1',
  classes: VIBRATION_CLASSES,
  window: VIB_N,
  hidden: 24,
  seed: 20261203,
  sample: sampleVibration,
  description: `zkpin vibration model: int8 window [N,48] -> logits [N,3] (${VIBRATION_CLASSES.join(', ')}). Integer-exact in float32.`,
};

export const RECIPES: readonly ModelRecipe[] = [ANOMALY_RECIPE, VIBRATION_RECIPE];

/** The recipe of the shipped model `name`. */
export function recipeByName(name: string): ModelRecipe {
  const r = RECIPES.find((x) => x.name === name);
  if (!r)
    throw new Error(`no model recipe named ${name} (${RECIPES.map((x) => x.name).join(', ')})`);
  return r;
}

export function dataset(
  seed: number,
  perClass: number,
  recipe: ModelRecipe = ANOMALY_RECIPE,
): { x: number[][]; y: number[] } {
  const rand = rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < perClass; i++) {
    for (let c = 0; c < recipe.classes.length; c++) {
      x.push(recipe.sample(rand, c));
      y.push(c);
    }
  }
  return { x, y };
}

interface IntModel {
  w1: number[][]; // [IN][HID]
  b1: number[];
  k: number;
  w2: number[][]; // [HID][OUT]
  b2: number[];
}

/** The integer forward pass exactly as the ONNX graph computes it. */
export function intForward(m: IntModel, x: number[]): number[] {
  const IN = m.w1.length;
  const HID = m.b1.length;
  const OUT = m.b2.length;
  const h = new Array<number>(HID).fill(0);
  for (let j = 0; j < HID; j++) {
    let z = m.b1[j]!;
    for (let i = 0; i < IN; i++) z += x[i]! * m.w1[i]![j]!;
    h[j] = Math.min(127, Math.max(0, Math.floor(Math.max(0, z) / 2 ** m.k)));
  }
  const out = new Array<number>(OUT).fill(0);
  for (let c = 0; c < OUT; c++) {
    let s = m.b2[c]!;
    for (let j = 0; j < HID; j++) s += h[j]! * m.w2[j]![c]!;
    out[c] = s;
  }
  return out;
}

const argmax = (v: number[]) => v.reduce((best, x, i) => (x > v[best]! ? i : best), 0);

function train(recipe: ModelRecipe): {
  model: IntModel;
  floatAcc: number;
  intAcc: number;
  intAccTrain: number;
} {
  const IN = recipe.window;
  const HID = recipe.hidden;
  const OUT = recipe.classes.length;
  const SEED = recipe.seed;
  const tr = dataset(SEED, 2000, recipe);
  const te = dataset(SEED + 1, 500, recipe);
  const rand = rng(SEED + 2);
  const init = (fanIn: number) => (rand() * 2 - 1) * Math.sqrt(6 / fanIn);
  const S = 1 / 64; // input scaling for conditioning; folded into W1 afterwards
  let W1 = Array.from({ length: IN }, () => Array.from({ length: HID }, () => init(IN)));
  let B1 = new Array<number>(HID).fill(0.01);
  let W2 = Array.from({ length: HID }, () => Array.from({ length: OUT }, () => init(HID)));
  let B2 = new Array<number>(OUT).fill(0);
  const params = () => [W1.flat(), B1, W2.flat(), B2];
  const m = params().map((p) => p.map(() => 0));
  const v = params().map((p) => p.map(() => 0));
  let step = 0;
  const lr = 0.01;
  const batch = 128;
  const idx = tr.x.map((_, i) => i);
  const forward = (x: number[]) => {
    const z = Array.from(
      { length: HID },
      (_, j) => B1[j]! + x.reduce((s, xi, i) => s + xi * S * W1[i]![j]!, 0),
    );
    const h = z.map((t) => Math.max(0, t));
    const o = Array.from(
      { length: OUT },
      (_, c) => B2[c]! + h.reduce((s, hj, j) => s + hj * W2[j]![c]!, 0),
    );
    return { z, h, o };
  };
  for (let epoch = 0; epoch < 60; epoch++) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    for (let s0 = 0; s0 < idx.length; s0 += batch) {
      const gW1 = W1.map((r) => r.map(() => 0));
      const gB1 = B1.map(() => 0);
      const gW2 = W2.map((r) => r.map(() => 0));
      const gB2 = B2.map(() => 0);
      const items = idx.slice(s0, s0 + batch);
      for (const n of items) {
        const x = tr.x[n]!;
        const { z, h, o } = forward(x);
        const mx = Math.max(...o);
        const e = o.map((t) => Math.exp(t - mx));
        const sum = e.reduce((a, b) => a + b, 0);
        const dO = e.map((t, c) => t / sum - (c === tr.y[n] ? 1 : 0));
        const dH = new Array<number>(HID).fill(0);
        for (let c = 0; c < OUT; c++) {
          gB2[c]! += dO[c]!;
          for (let j = 0; j < HID; j++) {
            gW2[j]![c]! += h[j]! * dO[c]!;
            dH[j]! += W2[j]![c]! * dO[c]!;
          }
        }
        for (let j = 0; j < HID; j++) {
          const dz = z[j]! > 0 ? dH[j]! : 0;
          gB1[j]! += dz;
          for (let i = 0; i < IN; i++) gW1[i]![j]! += x[i]! * S * dz;
        }
      }
      step++;
      const grads = [gW1.flat(), gB1, gW2.flat(), gB2].map((g) => g.map((t) => t / items.length));
      const ps = params();
      for (let p = 0; p < ps.length; p++) {
        for (let q = 0; q < ps[p]!.length; q++) {
          const g = grads[p]![q]!;
          m[p]![q] = 0.9 * m[p]![q]! + 0.1 * g;
          v[p]![q] = 0.999 * v[p]![q]! + 0.001 * g * g;
          const mh = m[p]![q]! / (1 - 0.9 ** step);
          const vh = v[p]![q]! / (1 - 0.999 ** step);
          ps[p]![q] = ps[p]![q]! - (lr * mh) / (Math.sqrt(vh) + 1e-8);
        }
      }
      W1 = Array.from({ length: IN }, (_, i) => ps[0]!.slice(i * HID, (i + 1) * HID));
      B1 = ps[1]!;
      W2 = Array.from({ length: HID }, (_, j) => ps[2]!.slice(j * OUT, (j + 1) * OUT));
      B2 = ps[3]!;
    }
  }
  const floatAcc = te.x.filter((x, n) => argmax(forward(x).o) === te.y[n]).length / te.x.length;

  // Quantize: W1 on raw int8 inputs (fold S), then a power-of-two shift into [0, 127].
  const w1f = W1.map((r) => r.map((t) => t * S));
  const s1 = 127 / Math.max(...w1f.flat().map(Math.abs));
  const w1 = w1f.map((r) => r.map((t) => Math.round(t * s1)));
  const b1 = B1.map((t) => Math.round(t * s1));
  let maxZ = 0;
  for (const x of tr.x) {
    for (let j = 0; j < HID; j++) {
      let z = b1[j]!;
      for (let i = 0; i < IN; i++) z += x[i]! * w1[i]![j]!;
      maxZ = Math.max(maxZ, z);
    }
  }
  // Power-of-two requantization: try shifts around max(z)/127 and keep the most accurate
  // on the training set (Clip absorbs the rare larger activations).
  const s2 = 127 / Math.max(...W2.flat().map(Math.abs));
  const w2 = W2.map((r) => r.map((t) => Math.round(t * s2)));
  const kTop = Math.max(0, Math.ceil(Math.log2(maxZ / 127)));
  const candidate = (k: number): IntModel => ({
    w1,
    b1,
    k,
    w2,
    b2: B2.map((t) => Math.round(t * s2 * (s1 / 2 ** k))),
  });
  const acc = (model: IntModel, d: { x: number[][]; y: number[] }) =>
    d.x.filter((x, n) => argmax(intForward(model, x)) === d.y[n]).length / d.x.length;
  let model = candidate(kTop);
  for (let k = Math.max(0, kTop - 4); k <= kTop; k++) {
    const c = candidate(k);
    if (acc(c, tr) > acc(model, tr)) model = c;
  }
  return { model, floatAcc, intAcc: acc(model, te), intAccTrain: acc(model, tr) };
}

function build(recipe: ModelRecipe): void {
  const { model, floatAcc, intAcc, intAccTrain } = train(recipe);
  const IN = recipe.window;
  const HID = recipe.hidden;
  const OUT = recipe.classes.length;
  const here = dirname(fileURLToPath(import.meta.url));
  const out = join(here, `${recipe.name}.onnx`);
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const vinfo = (name: string, dims: (number | string)[]) => ({
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  });
  writeOnnx(out, {
    irVersion: 8,
    producerName: 'zkpin circuits/model/train.ts',
    producerVersion: '1',
    modelVersion: 1,
    docString: recipe.description,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: recipe.name,
      input: [vinfo('readings', ['N', IN])],
      output: [vinfo('logits', ['N', OUT])],
      initializer: [
        floatTensor('W1', [IN, HID], model.w1.flat()),
        floatTensor('B1', [HID], model.b1),
        floatTensor('SHIFT', [], [2 ** -model.k]),
        floatTensor('CLIP_MIN', [], [0]),
        floatTensor('CLIP_MAX', [], [127]),
        floatTensor('W2', [HID, OUT], model.w2.flat()),
        floatTensor('B2', [OUT], model.b2),
      ],
      node: [
        { opType: 'Gemm', input: ['readings', 'W1', 'B1'], output: ['z1'], name: 'fc1' },
        { opType: 'Relu', input: ['z1'], output: ['r1'], name: 'relu1' },
        { opType: 'Mul', input: ['r1', 'SHIFT'], output: ['s1'], name: 'requant_shift' },
        { opType: 'Floor', input: ['s1'], output: ['f1'], name: 'requant_floor' },
        {
          opType: 'Clip',
          input: ['f1', 'CLIP_MIN', 'CLIP_MAX'],
          output: ['h1'],
          name: 'requant_clip',
        },
        { opType: 'Gemm', input: ['h1', 'W2', 'B2'], output: ['logits'], name: 'fc2' },
      ],
    },
  });
  const sampler = recipe === ANOMALY_RECIPE ? 'sampleWindow()' : 'sampleVibration()';
  const meta = {
    model: recipe.name,
    classes: recipe.classes,
    seed: recipe.seed,
    shift_k: model.k,
    accuracy: { float_test: floatAcc, int_test: intAcc, int_train: intAccTrain },
    data: `circuits/model/train.ts ${sampler}: 2000 train / 500 test windows per class`,
  };
  writeFileSync(join(here, `${recipe.name}.json`), JSON.stringify(meta, null, 2) + '\n');
  console.log(JSON.stringify(meta));
}

function main(): void {
  const name = process.argv[2];
  for (const r of name ? [recipeByName(name)] : RECIPES) build(r);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
