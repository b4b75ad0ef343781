/**
 * The fused templates (FloorClipLo, FloorClipHi, FloorClip in circuits/src/int_ops.circom)
 * against the TypeScript reference over every input of their declared range, and against
 * tampered witnesses: snarkjs's R1CS check (`snarkjs wtns check`) must refuse any changed
 * output and any changed internal wire, apart from circomlib's by-design `IsZero.inv` when its
 * input is 0 (a wire no output depends on).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fieldToSigned, signedToField } from '@zkpin/sdk';
import { buildCircuit, type BuiltCircuit } from '../../tools/build.ts';
import { loadWitnessCalculator, type WitnessCalculator } from '../../runtime/witness.ts';

const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const floor = (v: number, k: number) => Math.floor(v / 2 ** k);
const clip = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** What each output of circuits/test/floor_clip_test.circom computes, in order. */
const REFERENCE: ((a: number) => number)[] = [
  (a) => Math.max(a, 0),
  (a) => floor(Math.max(a, 0), 3),
  (a) => Math.max(floor(a, 3), -5),
  (a) => Math.min(floor(a, 3), 20),
  (a) => Math.min(a, 100),
  (a) => clip(floor(Math.max(a, 0), 3), 0, 31),
  (a) => clip(floor(Math.max(a, 0), 3), 0, 63),
  (a) => clip(floor(a, 2), -7, 50),
  (a) => clip(floor(Math.max(a, 0), 3), 0, 200),
  (a) => clip(a, -128, 127),
  (a) => clip(floor(Math.max(a, 0), 3), 0, 15),
];
const OUTPUTS = REFERENCE.length;

/** Inputs at every edge of the templates above: 0, ±1, 2^k boundaries, saturation, range ends. */
const EDGES = [
  -1024, -1023, -129, -128, -127, -41, -40, -29, -28, -9, -8, -1, 0, 1, 7, 8, 100, 101, 127, 128,
  167, 168, 203, 204, 255, 256, 511, 512, 1022, 1023,
];

let circuit: BuiltCircuit;
let wc: WitnessCalculator;
/** Wire index → signal name (from the .sym file; wires that --O2 kept). */
let wireNames: Map<number, string>;
beforeAll(async () => {
  circuit = await buildCircuit('circuits/test/floor_clip_test.circom', { setup: false });
  wc = await loadWitnessCalculator(circuit.wasm);
  wireNames = new Map();
  for (const line of readFileSync(join(circuit.dir, 'floor_clip_test.sym'), 'utf8').split('\n')) {
    const [, wire, , name] = line.split(',');
    if (name && Number(wire) >= 0) wireNames.set(Number(wire), name);
  }
});

const input = (a: number) => ({ a: signedToField(a).toString() });

/** A copy of `wtns` with witness value `index` replaced (values: n8 bytes little-endian). */
function withWire(wtns: Uint8Array, index: number, value: bigint): Uint8Array {
  const out = new Uint8Array(wtns);
  const view = new DataView(out.buffer);
  let pos = 12;
  let n8 = 0;
  for (let s = view.getUint32(8, true); s > 0; s--) {
    const type = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    pos += 12;
    if (type === 1) n8 = view.getUint32(pos, true);
    if (type === 2) {
      let v = ((value % P) + P) % P;
      for (let i = 0; i < n8; i++, v >>= 8n) out[pos + index * n8 + i] = Number(v & 0xffn);
      return out;
    }
    pos += size;
  }
  throw new Error('wtns without a values section');
}

const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined };
const satisfies = (wtns: Uint8Array): Promise<boolean> =>
  snarkjs.wtns.check(circuit.r1cs, { type: 'mem', data: wtns }, quiet);

describe('fused floor/clip templates (circuits/src/int_ops.circom)', () => {
  it('uses one decomposition per value: the constraint count of each branch', () => {
    // FloorClipLo/Hi: B + 1 bits + 1; FloorClip: B + 1 bits + saturation (one bit: 0, the OR
    // of two: 1, a zero test: 2, a comparison: B - K + 1) + 2
    const expected = [12, 12, 13, 13, 13, 11 + 1 + 2, 11 + 0 + 2, 12 + 10 + 2, 12, 12 + 2 + 2];
    expected.push(11 + 2 + 2);
    expect(circuit.constraints).toBe(expected.reduce((s, c) => s + c, 0));
  });

  it('matches the reference on every input in [-2^10, 2^10)', async () => {
    for (let a = -1024; a < 1024; a++) {
      const w = await wc.witness(input(a));
      const got = w.slice(1, 1 + OUTPUTS).map((x) => Number(fieldToSigned(x)));
      expect(got, `a = ${a}`).toEqual(REFERENCE.map((f) => f(a)));
    }
  });

  it('rejects inputs outside the declared bit width', async () => {
    await expect(wc.witness(input(1024))).rejects.toThrow();
    await expect(wc.witness(input(-1025))).rejects.toThrow();
  });

  it('no wrong output satisfies the constraints (tampered witnesses fail snarkjs wtns check)', async () => {
    for (const a of EDGES) {
      const wtns = await wc.wtns(input(a));
      expect(await satisfies(wtns), `a = ${a}`).toBe(true);
      for (let o = 1; o <= OUTPUTS; o++) {
        const right = BigInt(REFERENCE[o - 1]!(a));
        for (const wrong of [right + 1n, right - 1n, 0n, 127n, -1n]) {
          if (wrong === right) continue;
          expect(await satisfies(withWire(wtns, o, wrong)), `a = ${a}, out[${o - 1}]`).toBe(false);
        }
      }
    }
  });

  it('every internal wire is determined by the input, except IsZero.inv at input 0', async () => {
    const free = new Set<string>();
    for (const a of [-1024, -1, 0, 255, 256, 512, 1023]) {
      const wtns = await wc.wtns(input(a));
      for (const [wire, name] of wireNames) {
        if (wire <= OUTPUTS + 1) continue; // the constant 1, the outputs (above), the input a
        if (await satisfies(withWire(wtns, wire, 5n))) {
          free.add(name.replace(/^main\./, ''));
          expect(name, `a = ${a}`).toMatch(/\.none\.inv$/);
        }
      }
    }
    // A zero test's inverse is free exactly when the bits it tests are all zero (c9: -128 <= a
    // <= 127; c10: 0 <= a < 128): it only multiplies that zero, as circomlib documents.
    expect([...free].sort()).toEqual(['c10.none.inv', 'c9.none.inv']);
  });
});
