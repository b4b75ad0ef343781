import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BABYJUB_L,
  BN254_R,
  decodeProof,
  deadLetterReason,
  decodeVerifyingKey,
  encodeReadingMessage,
  encodeVerifyingKey,
  publicInput,
  signReading,
  toHex,
  type DeviceKeys,
  type SnarkjsProof,
  type ReadingMessage,
  type SignedReading,
} from '@zkpin/sdk';
import { babyJub, generateDeviceKeys } from '@zkpin/sdk/node';
import { readArtifactsFile, writeArtifactsFile } from '@zkpin/circuits/runtime';
import { floatTensor, onnx, readOnnx, tensorValues } from '@zkpin/circuits/onnx-io';
import {
  devProverArtifacts,
  ensureNativeProver,
  isProverError,
  ModelProvers,
  NativeGroth16,
  Prover,
  ProverError,
  type ProverErrorCode,
} from '../../src/prover/index.ts';

let prover: Prover;
let keys: DeviceKeys;

beforeAll(async () => {
  prover = await Prover.create(await devProverArtifacts(1), { backend: 'snarkjs' });
  keys = await generateDeviceKeys();
}, 1_200_000);

function reading(overrides: Partial<Parameters<typeof signReading>[1]> = {}): SignedReading {
  return signReading(keys, {
    network: new Uint8Array(32).fill(4),
    seq: 1n,
    timestamp: 1_767_225_600n,
    modelId: 1,
    readings: [3, 5, 2, 4, 6, 3, 5, 4, 3, 2, 4, 5, 3, 4, 70, 3],
    salt: new Uint8Array(32).fill(0x11),
    ...overrides,
  });
}

/**
 * A reading whose ed25519 signature is good over `m` (a device whose BabyJubJub part is
 * broken or malicious): only the BabyJubJub checks can catch it.
 */
function ed25519SignedAs(m: ReadingMessage): SignedReading {
  return { ...m, ed25519Signature: keys.ed25519.sign(encodeReadingMessage(m)) };
}

async function expectCode(p: Promise<unknown>, code: ProverErrorCode) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isProverError(e, code), `expected ${code}, got ${String(e)}`).toBe(true);
  // The message starts with the code: the dead-letter reason the prover worker files it under.
  expect(deadLetterReason((e as ProverError).message)).toBe(code);
}

describe('oracle prover (onnxruntime + snarkjs, dev ceremony)', () => {
  it('proves a signed reading; the 256 bytes decode to a proof that verifies for P', async () => {
    const r = reading();
    const a = await prover.prove(r);
    expect(a.proofBytes).toHaveLength(256);
    expect(a.fields.class).toBe(2); // one large impulse: "spike"
    expect(a.fields.network).toEqual(r.network);
    expect(a.fields.device).toEqual(keys.ed25519.publicKey);
    expect(BigInt(a.publicSignal)).toBe(publicInput(a.fields));
    expect(BigInt(a.publicSignal)).toBeGreaterThan(0n);
    expect(toHex(a.publicInput)).toBe(BigInt(a.publicSignal).toString(16).padStart(64, '0'));
    const vk = decodeVerifyingKey(encodeVerifyingKey(prover.artifacts.vk));
    expect(await snarkjs.groth16.verify(vk, [a.publicSignal], decodeProof(a.proofBytes))).toBe(
      true,
    );
  });

  it('keeps working across proofs (artifacts stay loaded) and serializes concurrent calls', async () => {
    const rs = [reading({ seq: 2n }), reading({ seq: 3n, readings: new Array(16).fill(127) })];
    const out = await Promise.all(rs.map((r) => prover.prove(r)));
    expect(out.map((a) => a.fields.seq)).toEqual([2n, 3n]);
    expect(out[1]!.fields.class).toBe(3); // stuck at the rail: "fault"
  });

  it('rejects a bad ed25519 signature', async () => {
    const r = reading();
    const sig = new Uint8Array(r.ed25519Signature);
    sig[0]! ^= 1;
    await expectCode(prover.prove({ ...r, ed25519Signature: sig }), 'INVALID_ED25519_SIGNATURE');
    // re-signed fields that the ed25519 signature does not cover
    await expectCode(prover.prove({ ...r, seq: 99n }), 'INVALID_ED25519_SIGNATURE');
  });

  it('rejects a bad BabyJubJub signature', async () => {
    const r = reading();
    const badS = { ...r.bjjSignature, s: r.bjjSignature.s + 1n };
    // the ed25519 signature covers the BabyJubJub signature: tampering breaks it first
    await expectCode(prover.prove({ ...r, bjjSignature: badS }), 'INVALID_ED25519_SIGNATURE');
    // a device that signs a bad BabyJubJub signature with a good ed25519 one: dead letter
    await expectCode(
      prover.prove(ed25519SignedAs({ ...r, bjjSignature: badS })),
      'INVALID_BJJ_SIGNATURE',
    );
    // A off the curve
    await expectCode(
      prover.prove(
        ed25519SignedAs({ ...r, bjjPublicKey: { ...r.bjjPublicKey, ax: r.bjjPublicKey.ax + 1n } }),
      ),
      'INVALID_BJJ_SIGNATURE',
    );
    // a non-canonical s (≥ l) is refused before any signature check
    await expectCode(
      prover.prove({ ...r, bjjSignature: { ...r.bjjSignature, s: r.bjjSignature.s + BABYJUB_L } }),
      'MALFORMED_READING',
    );
  });

  it('refuses a reading whose BabyJubJub signature was made for another network', async () => {
    const onA = reading({ network: new Uint8Array(32).fill(0x0a) });
    // the same BabyJubJub signature in a message for network B, ed25519-signed by the device
    await expectCode(
      prover.prove(ed25519SignedAs({ ...onA, network: new Uint8Array(32).fill(0x0b) })),
      'INVALID_BJJ_SIGNATURE',
    );
    const onB = reading({ network: new Uint8Array(32).fill(0x0b) });
    const [a, b] = [await prover.prove(onA), await prover.prove(onB)];
    expect(a.publicSignal).not.toBe(b.publicSignal);
  });

  it('rejects out-of-range readings and other models', async () => {
    const r = reading();
    await expectCode(
      prover.prove({ ...r, readings: [128, ...r.readings.slice(1)] }),
      'MALFORMED_READING',
    );
    await expectCode(prover.prove({ ...r, readings: r.readings.slice(1) }), 'WINDOW_MISMATCH');
    // Validly signed windows of another length: refused before any witness.
    for (const n of [15, 17, 48])
      await expectCode(
        prover.prove(reading({ readings: new Array<number>(n).fill(1) })),
        'WINDOW_MISMATCH',
      );
    await expectCode(prover.prove(reading({ modelId: 2 })), 'MODEL_MISMATCH');
  });

  it('refuses artifacts whose declared window or class count the ONNX model does not have', async () => {
    const art = await devProverArtifacts(1);
    await expect(Prover.create({ ...art, window: 48 })).rejects.toThrow(
      /does not take a window of 48 readings/,
    );
    await expect(Prover.create({ ...art, classes: 3 })).rejects.toThrow(
      /outputs 4 logits; its artifacts declare 3 classes/,
    );
  });

  it('refuses an ONNX file that is not the one the circuit was built from', async () => {
    const art = await devProverArtifacts(1);
    await expect(Prover.create({ ...art, onnxSha256: '00'.repeat(32) })).rejects.toThrow(
      /MODEL_MISMATCH/,
    );
  });
});

describe('one oracle, every shipped model (ModelProvers)', () => {
  it('routes each reading to its model: 16 readings to model 1, 48 to model 2; refuses a model it does not serve', async () => {
    const both = await ModelProvers.create(
      [await devProverArtifacts(1), await devProverArtifacts(2)],
      { backend: 'snarkjs' },
    );
    try {
      expect(both.modelIds).toEqual([1, 2]);
      const a1 = await both.prove(reading());
      expect(a1.fields.modelId).toBe(1);
      const w48 = Array.from({ length: 48 }, (_, i) => Math.round(60 * Math.sin(i / 2)));
      const a2 = await both.prove(reading({ modelId: 2, seq: 2n, readings: w48 }));
      expect(a2.fields.modelId).toBe(2);
      expect(a2.logits).toHaveLength(3);
      expect(a2.fields.class).toBeLessThan(3);
      await expectCode(both.prove(reading({ modelId: 2, seq: 3n })), 'WINDOW_MISMATCH');
      await expectCode(both.prove(reading({ modelId: 7 })), 'MODEL_MISMATCH');
    } finally {
      both.close();
    }
    await expect(
      ModelProvers.create([await devProverArtifacts(1), await devProverArtifacts(1)]),
    ).rejects.toThrow(/two proving artifacts for model 1/);
    await expect(devProverArtifacts(9)).rejects.toThrow(/no shipped model has id 9/);
  });
});

describe('P from the witness, before proving', () => {
  it('refuses with MODEL_MISMATCH when the ONNX model and the circuit disagree, without proving', async () => {
    const art = await devProverArtifacts(1);
    const dir = mkdtempSync(join(tmpdir(), 'zkpin-tampered-'));
    try {
      // The reference model with every output bias off by one: onnxruntime now answers another
      // score than the circuit computes. The artifacts claim it anyway (its own sha256).
      const model = readOnnx(art.onnxPath);
      const last = model.graph!.node![model.graph!.node!.length - 1]!;
      const inits = model.graph!.initializer!;
      const at = inits.findIndex((t) => t.name === last.input![2]);
      const bias = tensorValues(inits[at]!);
      inits[at] = floatTensor(
        inits[at]!.name!,
        bias.dims,
        bias.values.map((v) => v + 1),
      );
      const bytes = onnx.ModelProto.encode(model).finish();
      const onnxPath = join(dir, 'tampered.onnx');
      writeFileSync(onnxPath, bytes);
      // An empty zkey: had the prover run, snarkjs would fail with its own error, not a
      // ProverError, so MODEL_MISMATCH here shows that no proof was attempted.
      const zkeyPath = join(dir, 'empty.zkey');
      writeFileSync(zkeyPath, new Uint8Array(0));
      const tampered = await Prover.create(
        {
          ...art,
          onnxPath,
          onnxSha256: createHash('sha256').update(bytes).digest('hex'),
          zkeyPath,
        },
        { backend: 'snarkjs' },
      );
      const r = reading({ seq: 40n });
      const refusal = async () => {
        const t0 = performance.now();
        const err = await tampered.prove(r).then(
          () => undefined,
          (x: unknown) => x,
        );
        return { err, ms: performance.now() - t0 };
      };
      const first = await refusal(); // the first call also warms onnxruntime and the witness wasm
      const { err: e, ms: failFastMs } = await refusal();
      expect(isProverError(first.err, 'MODEL_MISMATCH'), String(first.err)).toBe(true);
      expect(isProverError(e, 'MODEL_MISMATCH'), String(e)).toBe(true);
      expect((e as ProverError).message).toMatch(/different P .* refused before proving/);
      const ctx = (e as ProverError).context as { expectedP: string; witnessP: string };
      expect(ctx.witnessP).not.toBe(ctx.expectedP);
      // The circuit's P is the honest one: what the untampered prover proves for this reading.
      const t1 = performance.now();
      const honest = await prover.prove(r);
      const fullMs = performance.now() - t1;
      expect(ctx.witnessP).toBe(honest.publicSignal);
      console.info(
        `[prover] P mismatch refused before proving in ${failFastMs.toFixed(0)} ms (first call ${first.ms.toFixed(0)} ms); a full prove (snarkjs backend) took ${fullMs.toFixed(0)} ms (prove ${honest.timings.proveMs.toFixed(0)} ms)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('witness backends (circuits/native-witness against the wasm reference)', () => {
  it('uses the native witness server when the circuit build made it; wasm gives the same attestation', async () => {
    const wasm = await Prover.create(await devProverArtifacts(1), {
      backend: 'snarkjs',
      witness: 'wasm',
    });
    try {
      expect(prover.witnessBackend).toBe('native');
      expect(wasm.witnessBackend).toBe('wasm');
      const r = reading({
        seq: 9n,
        readings: [-128, 127, 0, 1, -1, 64, -64, 3, 5, 2, 4, 6, 3, 5, 4, 3],
      });
      const [a, b] = [await prover.prove(r), await wasm.prove(r)];
      expect(a.publicSignal).toBe(b.publicSignal);
      expect(a.fields).toEqual(b.fields);
      expect(await snarkjs.groth16.verify(prover.artifacts.vk, [b.publicSignal], a.proof)).toBe(
        true,
      );
    } finally {
      wasm.close();
    }
  });

  it('both calculators refuse a bad BabyJubJub signature as INVALID_BJJ_SIGNATURE (the witness is the check)', async () => {
    const wasm = await Prover.create(await devProverArtifacts(1), {
      backend: 'snarkjs',
      witness: 'wasm',
    });
    try {
      const r = reading({ seq: 10n });
      const badS = ed25519SignedAs({ ...r, bjjSignature: { ...r.bjjSignature, s: 12345n } });
      const offCurve = ed25519SignedAs({
        ...r,
        bjjSignature: { ...r.bjjSignature, r8y: r.bjjSignature.r8y + 1n },
      });
      // another device's BabyJubJub signature over the same message
      const other = signReading(await generateDeviceKeys(), { ...r });
      const foreign = ed25519SignedAs({ ...r, bjjSignature: other.bjjSignature });
      // a key of small order, (0, -1): R8 = S·B8 verifies over any message in circomlibjs
      // alone; the circuit refuses the key, and the prover names it
      const eddsa = await babyJub();
      const r8 = eddsa.babyJub.mulPointEscalar(eddsa.babyJub.Base8, 99n);
      const weak = ed25519SignedAs({
        ...r,
        bjjPublicKey: { ax: 0n, ay: BN254_R - 1n },
        bjjSignature: {
          r8x: eddsa.babyJub.F.toObject(r8[0]),
          r8y: eddsa.babyJub.F.toObject(r8[1]),
          s: 99n,
        },
      });
      const all = [badS, offCurve, foreign, weak];
      for (const p of [prover, wasm])
        for (const bad of all) await expectCode(p.prove(bad), 'INVALID_BJJ_SIGNATURE');
      // the same readings through check(): refused without a witness
      for (const bad of all) await expectCode(prover.check(bad), 'INVALID_BJJ_SIGNATURE');
      // and a good one still proves on both
      expect((await wasm.prove(r)).publicSignal).toBe((await prover.prove(r)).publicSignal);
    } finally {
      wasm.close();
    }
  });
});

describe('native Groth16 backend (oracle/native-prover, arkworks)', () => {
  let native: Prover;
  beforeAll(async () => {
    await ensureNativeProver();
    native = await Prover.create(await devProverArtifacts(1), { backend: 'native' });
  }, 1_200_000);
  afterAll(() => native.close());

  it('produces proofs that snarkjs verifies, with the same P as the snarkjs backend', async () => {
    expect(native.backend).toBe('native');
    const r = reading({
      seq: 5n,
      readings: Array.from({ length: 16 }, (_, i) => ((i * 37) % 256) - 128),
    });
    const [a, b] = [await native.prove(r), await prover.prove(r)];
    expect(a.publicSignal).toBe(b.publicSignal);
    expect(a.proofBytes).toHaveLength(256);
    expect(toHex(a.proofBytes)).not.toBe(toHex(b.proofBytes)); // fresh randomness per proof
    const vk = prover.artifacts.vk;
    expect(await snarkjs.groth16.verify(vk, [a.publicSignal], decodeProof(a.proofBytes))).toBe(
      true,
    );
    expect(await snarkjs.groth16.verify(vk, [b.publicSignal], a.proof)).toBe(true);
  });

  it('reports malformed witnesses as errors and keeps serving', async () => {
    const art = await devProverArtifacts(1);
    const n = await NativeGroth16.start(art.zkeyPath, art.vk);
    await expect(n.prove(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))).rejects.toThrow(
      /not a wtns file/,
    );
    n.close();
    const r = await native.prove(reading({ seq: 6n }));
    expect(r.fields.seq).toBe(6n);
  });
});

describe('native Groth16 verification (arkworks, in the prover process)', () => {
  let art: Awaited<ReturnType<typeof devProverArtifacts>>;
  let n: NativeGroth16;
  beforeAll(async () => {
    await ensureNativeProver();
    art = await devProverArtifacts(1);
    n = await NativeGroth16.start(art.zkeyPath, art.vk);
  }, 1_200_000);
  afterAll(() => n.close());

  it('accepts valid proofs from either backend, as snarkjs does (cross-check)', async () => {
    const r = reading({ seq: 20n });
    const js = await prover.prove(r); // snarkjs backend
    const nat = await Prover.create(art, { backend: 'native' });
    try {
      const a = await nat.prove(r);
      // a native proof verifies natively and with snarkjs; a snarkjs proof verifies natively
      expect((await n.verify(a.proof, [a.publicSignal])).verified).toBe(true);
      expect(await snarkjs.groth16.verify(art.vk, [a.publicSignal], a.proof)).toBe(true);
      const v = await n.verify(js.proof, [js.publicSignal]);
      expect(v.verified).toBe(true);
      expect(v.verifyMs).toBeGreaterThan(0);
      // the proof's own check, reported with the proof
      expect(a.timings.verifyMs).toBeGreaterThan(0);
    } finally {
      nat.close();
    }
  });

  it('refuses a tampered proof, a wrong public signal and a non-canonical one, as snarkjs does', async () => {
    const a = await prover.prove(reading({ seq: 21n }));
    const p = a.proof;
    const wrongP = (BigInt(a.publicSignal) + 1n).toString();
    const cases: [SnarkjsProof, string[]][] = [
      [{ ...p, pi_a: p.pi_c }, [a.publicSignal]], // points on the curve, in the wrong places
      [{ ...p, pi_c: p.pi_a }, [a.publicSignal]],
      [p, [wrongP]],
    ];
    for (const [proof, signals] of cases) {
      expect((await n.verify(proof, signals)).verified).toBe(false);
      expect(await snarkjs.groth16.verify(art.vk, signals, proof)).toBe(false);
    }
    // malformed input is an error, not a verdict; the process keeps serving
    const r = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
    await expect(n.verify(p, [(BigInt(a.publicSignal) + r).toString()])).rejects.toThrow(
      /not below the field modulus/,
    );
    const offCurve = { ...p, pi_a: [p.pi_a[0]!, (BigInt(p.pi_a[1]!) + 1n).toString(), '1'] };
    await expect(n.verify(offCurve, [a.publicSignal])).rejects.toThrow(/not a point of G1/);
    await expect(n.verify(p, [a.publicSignal, '1'])).rejects.toThrow(/expects 1/);
    expect((await n.verify(p, [a.publicSignal])).verified).toBe(true);
  });

  it("refuses proofs against a verifying key that is not the zkey's: PROOF_INVALID, no attestation", async () => {
    // Another key: delta replaced by gamma (both valid G2 points)
    const wrongVk = { ...art.vk, vk_delta_2: art.vk.vk_gamma_2 };
    const other = await Prover.create({ ...art, vk: wrongVk }, { backend: 'native' });
    try {
      expect(other.backend).toBe('native');
      await expectCode(other.prove(reading({ seq: 22n })), 'PROOF_INVALID');
    } finally {
      other.close();
    }
    const m = await NativeGroth16.start(art.zkeyPath, wrongVk);
    try {
      const a = await prover.prove(reading({ seq: 23n }));
      expect((await m.verify(a.proof, [a.publicSignal])).verified).toBe(false);
      expect((await n.verify(a.proof, [a.publicSignal])).verified).toBe(true);
    } finally {
      m.close();
    }
  });
});

describe('proving artifacts from an artifacts file', () => {
  it('loads the same artifacts as the development ceremony gives, and proves with them', async () => {
    const art = await devProverArtifacts(1);
    // The reference model's shape, from the generator's IR (16 inputs, 4 logits).
    expect({ window: art.window, classes: art.classes }).toEqual({ window: 16, classes: 4 });
    const dir = mkdtempSync(join(tmpdir(), 'zkpin-artifacts-'));
    try {
      const file = join(dir, 'model-1.json');
      writeArtifactsFile(file, {
        ...art,
        vkPath: join(dirname(art.zkeyPath), 'verification_key.json'),
      });
      const loaded = readArtifactsFile(file);
      expect(loaded).toEqual(art);
      const p = await Prover.create(loaded, { backend: 'snarkjs' });
      const a = await p.prove(reading({ seq: 9n }));
      expect(await snarkjs.groth16.verify(art.vk, [a.publicSignal], a.proof)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
