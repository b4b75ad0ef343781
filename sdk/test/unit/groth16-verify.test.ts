/**
 * The plain-JavaScript Groth16 check (groth16-verify.ts) on the committed golden vectors that
 * snarkjs produced and the programs' alt_bn128 verifier accepts: valid proofs verify; another
 * public input, another proof, or another key does not; bytes that are not canonical curve
 * points are refused as encoding errors, not answered false.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BN254_Q, BN254_R, bigIntToBytesBE, fromHex } from '../../src/field.ts';
import {
  Groth16EncodingError,
  prepareVerifyingKey,
  verifyGroth16,
} from '../../src/groth16-verify.ts';

const read = (name: string) =>
  JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../../tests/vectors/${name}`, import.meta.url)), 'utf8'),
  ) as Record<string, unknown>;
const g = read('groth16.json') as {
  vk_bytes_hex: string;
  proof_bytes_hex: string;
  public_signals: string[];
};
const a = read('attestation.json') as {
  vk_bytes_hex: string;
  proof_bytes_hex: string;
  public_input_hex: string;
  next: { proof_bytes_hex: string; public_input_hex: string };
};

const vk = fromHex(g.vk_bytes_hex);
const proof = fromHex(g.proof_bytes_hex);
const p = BigInt(g.public_signals[0]!);
const attVk = prepareVerifyingKey(fromHex(a.vk_bytes_hex));
const attP = BigInt(`0x${a.public_input_hex}`);
const nextP = BigInt(`0x${a.next.public_input_hex}`);

describe('verifyGroth16', () => {
  it('accepts the golden proofs', () => {
    expect(verifyGroth16(vk, proof, p)).toBe(true);
    expect(verifyGroth16(attVk, fromHex(a.proof_bytes_hex), attP)).toBe(true);
    expect(verifyGroth16(attVk, fromHex(a.next.proof_bytes_hex), nextP)).toBe(true);
  });

  it('refuses another public input, another proof, another key', () => {
    expect(verifyGroth16(vk, proof, p + 1n)).toBe(false);
    expect(verifyGroth16(vk, proof, 0n)).toBe(false);
    expect(verifyGroth16(attVk, fromHex(a.next.proof_bytes_hex), attP)).toBe(false);
    expect(verifyGroth16(attVk, proof, p)).toBe(false);
    // A and C swapped: both are curve points, the equation fails.
    const swapped = Uint8Array.from(proof);
    swapped.set(proof.subarray(192, 256), 0);
    swapped.set(proof.subarray(0, 64), 192);
    expect(verifyGroth16(vk, swapped, p)).toBe(false);
    // A negated (the programs' convention inside, never on the wire).
    const negated = Uint8Array.from(proof);
    const y = BigInt(`0x${g.proof_bytes_hex.slice(64, 128)}`);
    negated.set(bigIntToBytesBE(BN254_Q - y, 32), 32);
    expect(verifyGroth16(vk, negated, p)).toBe(false);
  });

  it('refuses bytes that are not canonical points, and P outside the field', () => {
    const bad = (mutate: (b: Uint8Array) => void, key = vk) => {
      const b = Uint8Array.from(proof);
      mutate(b);
      return () => verifyGroth16(key, b, p);
    };
    // x + q: the same point, not canonical.
    expect(
      bad((b) =>
        b.set(bigIntToBytesBE(BigInt(`0x${g.proof_bytes_hex.slice(0, 64)}`) + BN254_Q, 32), 0),
      ),
    ).toThrow(/proof\.A\.x: coordinate is not below the field modulus/);
    expect(bad((b) => (b[63]! ^= 1))).toThrow(Groth16EncodingError);
    expect(bad((b) => (b[64 + 127]! ^= 1))).toThrow(/proof\.B is not a point of the G2 subgroup/);
    expect(() => verifyGroth16(vk, proof, BN254_R)).toThrow(/not below the scalar field/);
    expect(() => verifyGroth16(vk, proof.subarray(1), p)).toThrow(/256 bytes/);
    const badVk = Uint8Array.from(vk);
    badVk[10]! ^= 1;
    expect(() => verifyGroth16(badVk, proof, p)).toThrow(/vk\.alpha is not a point of G1/);
  });
});
