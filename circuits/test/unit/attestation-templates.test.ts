/**
 * The hand-written attestation templates (circuits/src/attestation.circom,
 * public_input.circom) through their test mains, against the sdk's TypeScript definitions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BN254_R,
  signedToField,
  signReading,
  bjjKeyHash,
  inputCommitment,
  keyToFields,
  packReadingChunks,
  poseidon,
  publicInput,
  saltToField,
  type SignedReading,
  type PublicInputFields,
} from '@zkpin/sdk';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import { buildCircuit } from '../../tools/build.ts';
import {
  loadWitnessCalculator,
  wtnsSignal,
  type WitnessCalculator,
} from '../../runtime/witness.ts';

let sig: WitnessCalculator;
let pi: WitnessCalculator;
let reading: SignedReading;

beforeAll(async () => {
  const [s, p] = await Promise.all([
    buildCircuit('circuits/test/device_signature_test.circom', { setup: false }),
    buildCircuit('circuits/test/public_input_test.circom', { setup: false }),
  ]);
  sig = await loadWitnessCalculator(s.wasm);
  pi = await loadWitnessCalculator(p.wasm);
  const keys = await generateDeviceKeys({
    ed25519: new Uint8Array(32).fill(0x31),
    babyJub: new Uint8Array(32).fill(0x32),
  });
  reading = signReading(keys, {
    network: Uint8Array.from({ length: 32 }, (_, i) => 0xff - i),
    seq: 77n,
    timestamp: -3n,
    modelId: 9,
    readings: Array.from({ length: 16 }, (_, i) => i * 16 - 128),
    salt: new Uint8Array(32).fill(0x5a),
  });
}, 600_000);

/** DeviceSignature's inputs for a signed reading (the fields as the main circuit wires them). */
function signatureInput(r: SignedReading): Record<string, string> {
  const [networkHi, networkLo] = keyToFields(r.network);
  const [deviceHi, deviceLo] = keyToFields(r.device);
  return {
    network_hi: networkHi.toString(),
    network_lo: networkLo.toString(),
    device_hi: deviceHi.toString(),
    device_lo: deviceLo.toString(),
    input_commitment: inputCommitment(r.readings, r.salt).toString(),
    seq: r.seq.toString(),
    timestamp: signedToField(r.timestamp).toString(),
    model_id: String(r.modelId),
    ax: r.bjjPublicKey.ax.toString(),
    ay: r.bjjPublicKey.ay.toString(),
    sig_s: r.bjjSignature.s.toString(),
    sig_r8x: r.bjjSignature.r8x.toString(),
    sig_r8y: r.bjjSignature.r8y.toString(),
  };
}

describe('DeviceSignature (msg of 9 inputs, BabyCheck on A and R8, EdDSA-Poseidon)', () => {
  it('accepts the sdk signature and outputs Poseidon(Ax, Ay)', async () => {
    const w = await sig.witness(signatureInput(reading));
    expect(w[1]).toBe(bjjKeyHash(reading.bjjPublicKey.ax, reading.bjjPublicKey.ay));
  });

  it('refuses the signature for another network, device, seq, timestamp or model', async () => {
    const good = signatureInput(reading);
    const changes: Record<string, string>[] = [
      { network_hi: (BigInt(good['network_hi']!) ^ 1n).toString() },
      { network_lo: (BigInt(good['network_lo']!) ^ 1n).toString() },
      { device_hi: (BigInt(good['device_hi']!) ^ 1n).toString() },
      { device_lo: (BigInt(good['device_lo']!) ^ 1n).toString() },
      // the two keys swapped
      {
        network_hi: good['device_hi']!,
        network_lo: good['device_lo']!,
        device_hi: good['network_hi']!,
        device_lo: good['network_lo']!,
      },
      { seq: '78' },
      { timestamp: signedToField(3).toString() },
      { model_id: '8' },
    ];
    for (const c of changes)
      await expect(sig.witness({ ...good, ...c }), JSON.stringify(c)).rejects.toThrow();
  });

  it('BabyCheck refuses a public key A or a point R8 that is not on BabyJubJub', async () => {
    const good = signatureInput(reading);
    for (const c of [
      { ax: ((BigInt(good['ax']!) + 1n) % BN254_R).toString() },
      { ay: '1', ax: '5' },
      { sig_r8x: ((BigInt(good['sig_r8x']!) + 1n) % BN254_R).toString() },
    ]) {
      await expect(sig.witness({ ...good, ...c }), JSON.stringify(c)).rejects.toThrow(/BabyCheck/);
    }
  });
});

describe('ReadingsCommitment(N): ceil(N / 31) packed chunks, 1 <= N <= 465 at compile time', () => {
  it('compiles N = 16 to 368 constraints (one chunk: the v2 formula) and the sdk commitment', async () => {
    const c = await buildCircuit('circuits/test/readings_commitment_test.circom', {
      setup: false,
    });
    // 16 × Num2Bits(8) + Poseidon(2).
    expect(c.constraints).toBe(16 * 8 + 240);
    const wc = await loadWitnessCalculator(c.wasm);
    const input = {
      readings: reading.readings.map((v) => signedToField(v).toString()),
      salt: saltToField(reading.salt).toString(),
    };
    const w = await wc.witness(input);
    expect(w[1]).toBe(inputCommitment(reading.readings, reading.salt));
    // One chunk is Poseidon(packed, salt), as the fixed 16-reading commitment was.
    expect(w[1]).toBe(
      poseidon([packReadingChunks(reading.readings)[0]!, saltToField(reading.salt)]),
    );
    // The same signal read from the .wtns bytes a prover hands to Groth16 (wtnsSignal).
    const wtns = await wc.wtns(input);
    expect(wtnsSignal(wtns, 1)).toBe(w[1]);
    expect(wtnsSignal(wtns, 0)).toBe(1n);
    expect(() => wtnsSignal(wtns, w.length)).toThrow(RangeError);
    expect(() => wtnsSignal(wtns.subarray(4), 1)).toThrow(/not a wtns file/);
  });

  it.each([1, 32, 48, 465])(
    'N = %i gives the sdk commitment over its chunks, and any changed reading changes it',
    async (n) => {
      const c = await buildCircuit(`circuits/test/readings_commitment_n${n}_test.circom`, {
        setup: false,
      });
      const chunks = Math.ceil(n / 31);
      expect(packReadingChunks(new Array<number>(n).fill(0))).toHaveLength(chunks);
      const wc = await loadWitnessCalculator(c.wasm);
      const salt = new Uint8Array(32).fill(0x5b);
      // The rails and every byte value, in an order that crosses the chunk boundaries.
      const readings = Array.from({ length: n }, (_, i) => ((i * 53 + 7) % 256) - 128);
      const input = (r: number[]) => ({
        readings: r.map((v) => signedToField(v).toString()),
        salt: saltToField(salt).toString(),
      });
      const w = await wc.witness(input(readings));
      expect(w[1]).toBe(inputCommitment(readings, salt));
      // The last reading (last chunk) and, across a boundary, the first of the second chunk.
      for (const at of [n - 1, Math.min(31, n - 1)]) {
        const changed = [...readings];
        changed[at] = changed[at] === 127 ? 126 : changed[at]! + 1;
        const w2 = await wc.witness(input(changed));
        expect(w2[1]).toBe(inputCommitment(changed, salt));
        expect(w2[1]).not.toBe(w[1]);
      }
      // A value outside int8 has no witness.
      const bad = input(readings);
      bad.readings[0] = '128';
      await expect(wc.witness(bad)).rejects.toThrow();
    },
    600_000,
  );

  it('refuses N = 466 at compile time (16 chunks and the salt exceed the 16 inputs of Poseidon)', async () => {
    await expect(
      buildCircuit('circuits/test/readings_commitment_n466_test.circom', { setup: false }),
    ).rejects.toThrow(/False assert reached[\s\S]*assert\(N >= 1 && N <= 465\)/);
  });
});

describe('PublicInput (P of the packed header: 5 inputs)', () => {
  it('computes the sdk P for edge values, and another P for another network or device', async () => {
    const base: PublicInputFields = {
      network: Uint8Array.from({ length: 32 }, (_, i) => 0xf0 - i),
      device: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
      bjjKeyHash: BN254_R - 1n,
      modelId: 0xffffffff,
      seq: 2n ** 64n - 1n,
      timestamp: -(2n ** 63n),
      inputCommitment: 12345n,
      class: 255,
      score: -1n,
    };
    const input = (f: PublicInputFields) => {
      const [nh, nl] = keyToFields(f.network);
      const [dh, dl] = keyToFields(f.device);
      return {
        network_hi: nh.toString(),
        network_lo: nl.toString(),
        device_hi: dh.toString(),
        device_lo: dl.toString(),
        bjj_key_hash: f.bjjKeyHash.toString(),
        model_id: String(f.modelId),
        seq: f.seq.toString(),
        timestamp: signedToField(f.timestamp).toString(),
        input_commitment: f.inputCommitment.toString(),
        class: String(f.class),
        score: signedToField(f.score).toString(),
      };
    };
    const p = (await pi.witness(input(base)))[1];
    expect(p).toBe(publicInput(base));
    const other = { ...base, network: new Uint8Array(32).fill(0xff) };
    const q = (await pi.witness(input(other)))[1];
    expect(q).toBe(publicInput(other));
    expect(q).not.toBe(p);
    const zero: PublicInputFields = {
      ...base,
      network: new Uint8Array(32),
      device: new Uint8Array(32),
      modelId: 0,
      seq: 0n,
      timestamp: 2n ** 63n - 1n,
      class: 0,
      score: 0n,
    };
    expect((await pi.witness(input(zero)))[1]).toBe(publicInput(zero));
  });

  it('refuses values outside their bytes (each would spill into a neighbour)', async () => {
    const ok = {
      network_hi: '1',
      network_lo: '2',
      device_hi: '3',
      device_lo: '4',
      bjj_key_hash: '5',
      model_id: '1',
      seq: '7',
      timestamp: '8',
      input_commitment: '9',
      class: '1',
      score: '11',
    };
    await expect(pi.witness(ok)).resolves.toBeDefined();
    const big = (bits: number) => (2n ** BigInt(bits)).toString();
    const cases: [keyof typeof ok, string][] = [
      ['network_hi', big(128)],
      ['network_lo', big(128)],
      ['device_hi', big(128)],
      ['device_lo', big(128)],
      ['model_id', big(32)],
      ['seq', big(64)],
      ['timestamp', big(63)],
      ['timestamp', signedToField(-(2n ** 63n) - 1n).toString()],
      ['class', '256'],
      ['score', big(63)],
      ['score', signedToField(-(2n ** 63n) - 1n).toString()],
    ];
    for (const [name, value] of cases)
      await expect(pi.witness({ ...ok, [name]: value }), `${name} = ${value}`).rejects.toThrow();
  });
});
