/**
 * The INSECURE Rust dev setup (`zkpin-dev-setup`) writes zkeys that snarkjs and the native
 * prover both prove with, whose proofs snarkjs verifies, and which are byte-for-byte
 * deterministic. Runs in a scratch ZKPIN_CACHE_DIR, so every key here is made cold.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { circuitInput, signReading, type SnarkjsProof, type SnarkjsVerifyingKey } from '@zkpin/sdk';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import { buildCircuit, type BuiltCircuit } from '../../tools/build.ts';
import { DEV_SETUP_CRATE, devSetup, devSetupSeconds } from '../../tools/ceremony.ts';

const NATIVE_PROVER = join(DEV_SETUP_CRATE, 'target', 'release', 'zkpin-native-prover');
const SMALL = 'circuits/test/public_input_test.circom';
const REFERENCE = 'circuits/generated/zkpin_anomaly_v1_main.circom';

let scratch: string;
const savedCache = process.env['ZKPIN_CACHE_DIR'];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'zkpin-dev-setup-test-'));
  process.env['ZKPIN_CACHE_DIR'] = join(scratch, 'cache');
  await promisify(execFile)('cargo', [
    'build',
    '--release',
    '--quiet',
    '--manifest-path',
    join(DEV_SETUP_CRATE, 'Cargo.toml'),
  ]);
}, 1_200_000);

afterAll(() => {
  if (savedCache === undefined) delete process.env['ZKPIN_CACHE_DIR'];
  else process.env['ZKPIN_CACHE_DIR'] = savedCache;
  rmSync(scratch, { recursive: true, force: true });
});

/** Witness file (snarkjs `.wtns`) of `input` for circuit `c`. */
async function witness(c: BuiltCircuit, input: Record<string, unknown>): Promise<string> {
  const wtns = join(scratch, `${c.name}-${Math.random().toString(16).slice(2)}.wtns`);
  await snarkjs.wtns.calculate(input, c.wasm, wtns);
  return wtns;
}

/** One proof from oracle/native-prover's stdin protocol (`len u32 LE || wtns`, JSON line out). */
function nativeProve(
  zkey: string,
  wtns: string,
): Promise<{ proof: SnarkjsProof; publicSignals: string[] }> {
  return new Promise((ok, fail) => {
    const p = spawn(NATIVE_PROVER, [zkey], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', fail);
    p.on('close', () => {
      const lines = out.trim().split('\n');
      const answer = JSON.parse(lines[1] ?? 'null') as {
        proof?: SnarkjsProof;
        publicSignals?: string[];
        error?: string;
      } | null;
      if (!answer?.proof || !answer.publicSignals) {
        fail(new Error(`native prover: ${answer?.error ?? err}`));
        return;
      }
      ok({ proof: answer.proof, publicSignals: answer.publicSignals });
    });
    const body = readFileSync(wtns);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(body.length);
    p.stdin.end(Buffer.concat([len, body, Buffer.alloc(4)]));
  });
}

/** Both provers' proofs verify against the key's own vk; a changed public signal does not. */
async function checkProofs(c: BuiltCircuit, wtns: string): Promise<void> {
  const vk = (await snarkjs.zKey.exportVerificationKey(c.zkey)) as SnarkjsVerifyingKey;
  expect(vk).toEqual(c.vk);
  const js = await snarkjs.groth16.prove(c.zkey, wtns);
  const native = await nativeProve(c.zkey, wtns);
  expect(native.publicSignals).toEqual(js.publicSignals);
  for (const { proof, publicSignals } of [js, native]) {
    expect(await snarkjs.groth16.verify(vk, publicSignals, proof)).toBe(true);
    const tampered = publicSignals.map((s, i) => (i === 0 ? (BigInt(s) + 1n).toString() : s));
    expect(await snarkjs.groth16.verify(vk, tampered, proof)).toBe(false);
  }
  // Two valid proofs of the same statement, mixed, are not a proof.
  expect(
    await snarkjs.groth16.verify(vk, js.publicSignals, { ...js.proof, pi_c: native.proof.pi_c }),
  ).toBe(false);
}

/** The zkey's sections by id (iden3 binary container). */
function sections(zkey: Uint8Array): Map<number, Buffer> {
  const b = Buffer.from(zkey);
  const out = new Map<number, Buffer>();
  let pos = 12;
  for (let i = 0; i < b.readUInt32LE(8); i++) {
    const size = Number(b.readBigUInt64LE(pos + 4));
    out.set(b.readUInt32LE(pos), b.subarray(pos + 12, pos + 12 + size));
    pos += 12 + size;
  }
  return out;
}

describe('INSECURE Rust dev setup (snarkjs .zkey format)', () => {
  let small: BuiltCircuit;

  beforeAll(async () => {
    small = await buildCircuit(SMALL);
  }, 600_000);

  it('builds a small circuit cold, marked insecure, with the time recorded', () => {
    expect(small.cached).toBe(false);
    expect(small.hasZkey).toBe(true);
    expect(small.insecureDevCeremony).toBe(true);
    expect(small.ceremonyMs).toBeGreaterThan(0);
    const s = sections(readFileSync(small.zkey));
    expect(s.get(1)?.readUInt32LE(0)).toBe(1); // Groth16
    expect(s.get(1000)?.toString('utf8')).toMatch(/^zkpin INSECURE development Groth16 key/);
    expect(s.get(10)?.readUInt32LE(64)).toBe(0); // no (fake) contributions
  });

  it('gives proofs from snarkjs and the native prover that verify, and rejects tampering', async () => {
    const input = {
      network_hi: 1,
      network_lo: 2,
      device_hi: 3,
      device_lo: 4,
      bjj_key_hash: 5,
      model_id: 6,
      seq: 7,
      timestamp: 8,
      input_commitment: 9,
      class: 1,
      score: 11,
    };
    await checkProofs(small, await witness(small, input));
  });

  it('has the layout of snarkjs zkey new: same header, coefficients and zero points', async () => {
    // A throwaway snarkjs key from a small local powers of tau (2^11: P's 1,065 constraints);
    // the beacon moves τ off 1, where a fresh accumulator's points would all be degenerate.
    const curve = await snarkjs.curves.getCurveFromName('bn128');
    const ptau0 = join(scratch, 'pow11_0.ptau');
    const ptau1 = join(scratch, 'pow11_1.ptau');
    const ptau = join(scratch, 'pow11.ptau');
    const snarkKey = join(scratch, 'snarkjs.zkey');
    await snarkjs.powersOfTau.newAccumulator(curve, 11, ptau0);
    await snarkjs.powersOfTau.beacon(ptau0, ptau1, 'test', '0123456789abcdef', 10);
    await snarkjs.powersOfTau.preparePhase2(ptau1, ptau);
    await snarkjs.zKey.newZKey(small.r1cs, ptau, snarkKey);
    const theirs = sections(readFileSync(snarkKey));
    const ours = sections(readFileSync(small.zkey));
    // prime sizes, primes, nVars, nPublic, domain size
    expect(ours.get(2)?.subarray(0, 84)).toEqual(theirs.get(2)?.subarray(0, 84));
    expect(ours.get(4)).toEqual(theirs.get(4)); // A/B coefficients do not depend on the secrets
    for (const [id, size] of [
      [3, 64],
      [5, 64],
      [6, 64],
      [7, 128],
      [8, 64],
      [9, 64],
    ] as const) {
      const zeros = (b: Buffer | undefined) =>
        Array.from({ length: (b?.length ?? 0) / size }, (_, i) =>
          b!.subarray(i * size, (i + 1) * size).every((x) => x === 0),
        );
      expect(ours.get(id)?.length, `section ${id}`).toBe(theirs.get(id)?.length);
      expect(zeros(ours.get(id)), `section ${id}`).toEqual(zeros(theirs.get(id)));
    }
  }, 300_000);

  it('is deterministic: the same r1cs gives the same bytes', async () => {
    const again = join(scratch, 'again.zkey');
    await devSetup(small.r1cs, again);
    expect(readFileSync(again).equals(readFileSync(small.zkey))).toBe(true);
  });

  it('refuses a file that is not an r1cs', async () => {
    await expect(devSetup(small.wasm, join(scratch, 'bad.zkey'))).rejects.toThrow(/not a r1cs/);
  });

  it('sets up the reference circuit (2^13) cold in seconds and proves a signed reading', async () => {
    const ref = await buildCircuit(REFERENCE);
    expect(ref.cached).toBe(false);
    expect(ref.ptauPower).toBe(13);
    // A timing target belongs to bench:prover (ceremony_s); this only catches a fall back to
    // minutes (the JavaScript ceremony took about 258 s here).
    expect(ref.ceremonyMs).toBeLessThan(60_000);
    expect(await devSetupSeconds(ref.r1cs)).toBeLessThan(60);

    const keys = await generateDeviceKeys({
      ed25519: new Uint8Array(32).fill(1),
      babyJub: new Uint8Array(32).fill(2),
    });
    const r = signReading(keys, {
      network: new Uint8Array(32).fill(9),
      seq: 7n,
      timestamp: 1_767_225_600n,
      modelId: 1,
      readings: Array.from({ length: 16 }, (_, i) => i * 13 - 100),
      salt: new Uint8Array(32).fill(0xab),
    });
    await checkProofs(ref, await witness(ref, circuitInput(r)));

    const again = join(scratch, 'ref-again.zkey');
    await devSetup(ref.r1cs, again);
    expect(readFileSync(again).equals(readFileSync(ref.zkey))).toBe(true);
  }, 900_000);
});
