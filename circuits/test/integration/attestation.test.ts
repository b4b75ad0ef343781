import * as snarkjs from 'snarkjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  signedToField,
  attestationFields,
  circuitInput,
  signReading,
  publicInput,
  type DeviceKeys,
  type SignedReading,
} from '@zkpin/sdk';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import {
  buildModelArtifacts,
  buildReferenceArtifacts,
  type ReferenceArtifacts,
} from '../../tools/build-circuits.ts';
import { VIBRATION_MODEL } from '../../tools/models.ts';
import { rng, VIBRATION_RECIPE } from '../../model/train.ts';
import { argmaxFirst, runReference } from '../../tools/onnx-model.ts';
import { loadWitnessCalculator, type WitnessCalculator } from '../../runtime/witness.ts';

let art: ReferenceArtifacts;
let wc: WitnessCalculator;
let keys: DeviceKeys;

beforeAll(async () => {
  art = await buildReferenceArtifacts();
  wc = await loadWitnessCalculator(art.circuit.wasm);
  keys = await generateDeviceKeys({
    ed25519: new Uint8Array(32).fill(1),
    babyJub: new Uint8Array(32).fill(2),
  });
}, 1_200_000);

function reading(readings: number[], seq = 7n): SignedReading {
  return signReading(keys, {
    network: new Uint8Array(32).fill(9),
    seq,
    timestamp: 1_767_225_600n,
    modelId: 1,
    readings,
    salt: new Uint8Array(32).fill(0xab),
  });
}

function expectedP(r: SignedReading): bigint {
  return publicInput(attestationFields(r, argmaxFirst(runReference(art.ir, r.readings))));
}

describe('attestation circuit (commitment, EdDSA-Poseidon, model, argmax, P) against TypeScript', () => {
  it('has exactly one public signal and fits the 2^13 development ceremony', () => {
    expect(art.circuit.nOutputs + art.circuit.nPubInputs).toBe(1);
    expect(art.circuit.constraints).toBeLessThan(8_192);
    expect(art.circuit.ptauPower).toBe(13);
  });

  it('computes P like the sdk for edge and random windows', async () => {
    const windows = [
      new Array<number>(16).fill(-128),
      new Array<number>(16).fill(127),
      new Array<number>(16).fill(0),
      Array.from({ length: 16 }, (_, i) => (i % 2 ? 127 : -128)),
      Array.from({ length: 16 }, () => Math.floor(Math.random() * 256) - 128),
      Array.from({ length: 16 }, () => Math.floor(Math.random() * 256) - 128),
    ];
    for (const w of windows) {
      const r = reading(w);
      const witness = await wc.witness(circuitInput(r));
      expect(witness[1], `window ${w.join(',')}`).toBe(expectedP(r));
    }
  });

  it('handles negative timestamps and large seq through the signed field mapping', async () => {
    const r = signReading(keys, {
      network: new Uint8Array(32),
      seq: 0xffff_ffff_ffff_fffen,
      timestamp: -5n,
      modelId: 1,
      readings: new Array<number>(16).fill(3),
      salt: new Uint8Array(32).fill(0xff), // ≥ r: reduced mod r
    });
    const witness = await wc.witness(circuitInput(r));
    expect(witness[1]).toBe(expectedP(r));
  });

  it('rejects a signature by another key, a changed reading, seq or timestamp', async () => {
    const r = reading(new Array<number>(16).fill(5));
    const other = await generateDeviceKeys({ babyJub: new Uint8Array(32).fill(3) });
    const forged = { ...r, bjjSignature: signReading(other, r).bjjSignature };
    await expect(wc.witness(circuitInput(forged))).rejects.toThrow();
    await expect(
      wc.witness(circuitInput({ ...r, readings: [6, ...r.readings.slice(1)] })),
    ).rejects.toThrow();
    await expect(wc.witness(circuitInput({ ...r, seq: r.seq + 1n }))).rejects.toThrow();
    await expect(wc.witness(circuitInput({ ...r, timestamp: r.timestamp + 1n }))).rejects.toThrow();
  });

  it('binds the network and the device: P differs, and a witness for another network or device fails', async () => {
    const r = reading(new Array<number>(16).fill(5));
    const b = signReading(keys, { ...r, network: new Uint8Array(32).fill(0x0b) });
    const [wa, wb] = [await wc.witness(circuitInput(r)), await wc.witness(circuitInput(b))];
    expect(wa[1]).toBe(expectedP(r));
    expect(wb[1]).toBe(expectedP(b));
    expect(wa[1]).not.toBe(wb[1]);
    // The reading signed for network A, presented as network B (or by another device key).
    const asB = { ...r, network: b.network };
    await expect(wc.witness(circuitInput(asB))).rejects.toThrow();
    const otherDevice = await generateDeviceKeys({ ed25519: new Uint8Array(32).fill(4) });
    await expect(
      wc.witness(circuitInput({ ...r, device: otherDevice.ed25519.publicKey })),
    ).rejects.toThrow();
    // The same 256-bit network value split other than at 128 bits (hi - 1, lo + 2^128) fails.
    const input = circuitInput(r);
    const hi = BigInt(input['network_hi'] as string);
    const lo = BigInt(input['network_lo'] as string);
    await expect(
      wc.witness({
        ...input,
        network_hi: (hi - 1n).toString(),
        network_lo: (lo + (1n << 128n)).toString(),
      }),
    ).rejects.toThrow();
  });

  it('fixes the model id: a reading validly signed for another model has no witness (F2)', async () => {
    for (const modelId of [0, 2, 999, 0xffffffff]) {
      const r = signReading(keys, {
        network: new Uint8Array(32).fill(9),
        seq: 7n,
        timestamp: 1_767_225_600n,
        modelId,
        readings: new Array<number>(16).fill(4),
        salt: new Uint8Array(32).fill(0xab),
      });
      // The signature is good (it covers model_id): only the circuit's fixed MODEL_ID refuses it.
      await expect(wc.witness(circuitInput(r)), `model ${modelId}`).rejects.toThrow(
        /Assert Failed/,
      );
    }
    await expect(
      wc.witness(circuitInput(reading(new Array<number>(16).fill(4)))),
    ).resolves.toBeDefined();
  });

  it('rejects an off-curve BabyJubJub key (BabyCheck)', async () => {
    const r = reading(new Array<number>(16).fill(1));
    const off = { ...r, bjjPublicKey: { ...r.bjjPublicKey, ay: r.bjjPublicKey.ay + 1n } };
    await expect(wc.witness(circuitInput(off))).rejects.toThrow(/BabyCheck/);
  });

  it('rejects readings outside int8 even when validly signed over the field values', async () => {
    const r = reading(new Array<number>(16).fill(0));
    const input = circuitInput(r);
    (input.readings as string[])[0] = signedToField(128).toString();
    await expect(wc.witness(input)).rejects.toThrow();
  });

  it('proves and verifies with the dev key; the proof fails for a different P', async () => {
    const r = reading(
      Array.from({ length: 16 }, (_, i) => i * 8 - 64),
      11n,
    );
    const wtns = await wc.wtns(circuitInput(r));
    const { proof, publicSignals } = await snarkjs.groth16.prove(art.circuit.zkey, wtns);
    expect(publicSignals).toEqual([expectedP(r).toString()]);
    expect(await snarkjs.groth16.verify(art.circuit.vk, publicSignals, proof)).toBe(true);
    expect(
      await snarkjs.groth16.verify(art.circuit.vk, [(expectedP(r) + 1n).toString()], proof),
    ).toBe(false);
  });
});

describe('the second shipped model: 48 readings (two packed chunks), 3 classes, model id 2', () => {
  let vib: ReferenceArtifacts;
  let vwc: WitnessCalculator;
  beforeAll(async () => {
    vib = await buildModelArtifacts(VIBRATION_MODEL);
    vwc = await loadWitnessCalculator(vib.circuit.wasm);
  }, 1_200_000);

  const vibReading = (readings: number[], modelId = 2) =>
    signReading(keys, {
      network: new Uint8Array(32).fill(9),
      seq: 3n,
      timestamp: 1_767_225_600n,
      modelId,
      readings,
      salt: new Uint8Array(32).fill(0xcd),
    });

  it('computes P like the sdk over 48 readings and proves with its own dev key', async () => {
    expect(vib.ir.inputSize).toBe(48);
    expect(vib.ir.outputSize).toBe(3);
    expect(vib.circuit.constraints).toBeLessThan(8_192);
    const rand = rng(5);
    const windows = [
      new Array<number>(48).fill(-128),
      new Array<number>(48).fill(127),
      ...[0, 1, 2].map((c) => VIBRATION_RECIPE.sample(rand, c)),
    ];
    for (const w of windows) {
      const r = vibReading(w);
      const expected = publicInput(
        attestationFields(r, argmaxFirst(runReference(vib.ir, r.readings))),
      );
      expect((await vwc.witness(circuitInput(r)))[1]).toBe(expected);
    }
    const r = vibReading(windows[3]!);
    const { proof, publicSignals } = await snarkjs.groth16.prove(
      vib.circuit.zkey,
      await vwc.wtns(circuitInput(r)),
    );
    expect(await snarkjs.groth16.verify(vib.circuit.vk, publicSignals, proof)).toBe(true);
    // Model 1's key does not verify model 2's proof.
    expect(await snarkjs.groth16.verify(art.circuit.vk, publicSignals, proof)).toBe(false);
  });

  it("refuses model 1's id, a window of another length, and a reading changed in its second chunk", async () => {
    const w = VIBRATION_RECIPE.sample(rng(6), 1);
    await expect(vwc.witness(circuitInput(vibReading(w, 1)))).rejects.toThrow(/Assert Failed/);
    await expect(vwc.witness(circuitInput(vibReading(w.slice(0, 16))))).rejects.toThrow();
    const r = vibReading(w);
    const changed = [...r.readings];
    changed[40] = changed[40] === 0 ? 1 : 0;
    await expect(vwc.witness(circuitInput({ ...r, readings: changed }))).rejects.toThrow();
  });
});

describe('committed vectors match the current circuit', () => {
  it('tests/vectors/attestation.json and the dev-vk file carry the current dev verifying key', async () => {
    const { readFileSync } = await import('node:fs');
    const { abs } = await import('../../tools/models.ts');
    const { toHex } = await import('@zkpin/sdk');
    const vector = JSON.parse(readFileSync(abs('tests/vectors/attestation.json'), 'utf8')) as {
      vk_bytes_hex: string;
    };
    const devVk = JSON.parse(readFileSync(abs(art.spec.vkFile), 'utf8')) as {
      vk_bytes_hex: string;
    };
    const current = toHex(art.circuit.vkBytes);
    expect(devVk.vk_bytes_hex, 'run npm run build:circuits').toBe(current);
    expect(vector.vk_bytes_hex, 'run npx tsx scripts/gen-vectors.ts --force').toBe(current);
  });
});
