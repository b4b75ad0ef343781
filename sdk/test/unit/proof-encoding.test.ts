import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as snarkjs from 'snarkjs';
import { describe, expect, it } from 'vitest';
import { BN254_Q, bytesToBigIntBE, fromHex, toHex } from '../../src/field.ts';
import { publicInput } from '../../src/poseidon.ts';
import {
  decodeProof,
  decodeVerifyingKey,
  encodeProof,
  encodePublicSignal,
  encodeVerifyingKey,
  verifyingKeyHash,
  type SnarkjsProof,
  type SnarkjsVerifyingKey,
} from '../../src/proof-encoding.ts';

interface Vector {
  vk: SnarkjsVerifyingKey;
  vk_bytes_hex: string;
  vk_sha256: string;
  proof: SnarkjsProof;
  proof_bytes_hex: string;
  proof_a_negated_hex: string;
  public_signals: string[];
  public_inputs_hex: string[];
  public_input_fields: {
    network_hex: string;
    device_hex: string;
    bjj_key_hash: string;
    model_id: number;
    seq: string;
    timestamp: string;
    input_commitment: string;
    class: number;
    score: string;
  };
}

const vector = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../../tests/vectors/groth16.json', import.meta.url)),
    'utf8',
  ),
) as Vector;

describe('proof encoding (tests/vectors/groth16.json)', () => {
  it('encodes the golden proof and verifying key byte for byte', () => {
    expect(toHex(encodeProof(vector.proof))).toBe(vector.proof_bytes_hex);
    expect(toHex(encodeVerifyingKey(vector.vk))).toBe(vector.vk_bytes_hex);
    expect(verifyingKeyHash(fromHex(vector.vk_bytes_hex))).toBe(vector.vk_sha256);
    expect(vector.public_signals.map((s) => toHex(encodePublicSignal(s)))).toEqual(
      vector.public_inputs_hex,
    );
  });

  it('puts G2 coordinates in EIP-197 order (c1 before c0) and leaves A un-negated', () => {
    const bytes = encodeProof(vector.proof);
    expect(bytesToBigIntBE(bytes.subarray(0, 32)).toString()).toBe(vector.proof.pi_a[0]);
    expect(bytesToBigIntBE(bytes.subarray(32, 64)).toString()).toBe(vector.proof.pi_a[1]);
    expect(bytesToBigIntBE(bytes.subarray(64, 96)).toString()).toBe(vector.proof.pi_b[0]![1]);
    expect(bytesToBigIntBE(bytes.subarray(96, 128)).toString()).toBe(vector.proof.pi_b[0]![0]);
    const negY = bytesToBigIntBE(fromHex(vector.proof_a_negated_hex).subarray(32, 64));
    expect((negY + BigInt(vector.proof.pi_a[1]!)) % BN254_Q).toBe(0n);
  });

  it('round-trips bytes → JSON → bytes and the decoded JSON still verifies', async () => {
    const proof = decodeProof(fromHex(vector.proof_bytes_hex));
    const vk = decodeVerifyingKey(fromHex(vector.vk_bytes_hex));
    expect(toHex(encodeProof(proof))).toBe(vector.proof_bytes_hex);
    expect(toHex(encodeVerifyingKey(vk))).toBe(vector.vk_bytes_hex);
    expect(await snarkjs.groth16.verify(vk, vector.public_signals, proof)).toBe(true);
    const wrong = [(BigInt(vector.public_signals[0]!) + 1n).toString()];
    expect(await snarkjs.groth16.verify(vk, wrong, proof)).toBe(false);
  });

  it('recomputes the public input P from the plain fields', () => {
    const f = vector.public_input_fields;
    const p = publicInput({
      network: fromHex(f.network_hex),
      device: fromHex(f.device_hex),
      bjjKeyHash: BigInt(f.bjj_key_hash),
      modelId: f.model_id,
      seq: BigInt(f.seq),
      timestamp: BigInt(f.timestamp),
      inputCommitment: BigInt(f.input_commitment),
      class: f.class,
      score: BigInt(f.score),
    });
    expect(p.toString()).toBe(vector.public_signals[0]);
  });

  it('rejects malformed input', () => {
    expect(() =>
      encodeProof({ ...vector.proof, pi_a: [vector.proof.pi_a[0]!, vector.proof.pi_a[1]!, '0'] }),
    ).toThrow(/affine/);
    expect(() => encodeProof({ ...vector.proof, pi_c: [BN254_Q.toString(), '1', '1'] })).toThrow(
      /base field/,
    );
    expect(() =>
      encodeVerifyingKey({ ...vector.vk, nPublic: 2, IC: [...vector.vk.IC, vector.vk.IC[0]!] }),
    ).toThrow(/exactly one public input/);
    expect(() => decodeProof(new Uint8Array(255))).toThrow(/256 bytes/);
  });
});
