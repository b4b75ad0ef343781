/**
 * snarkjs Groth16 JSON ⇄ the byte layouts the Solana programs read (docs/contracts.md).
 *
 * - Proof (256 bytes): `A (64) || B (128) || C (64)`, big-endian coordinates, G2 in EIP-197
 *   order `x.c1, x.c0, y.c1, y.c0`.
 * - Verifying key for one public input (576 bytes):
 *   `alpha G1 || beta G2 || gamma G2 || delta G2 || IC0 G1 || IC1 G1`.
 *
 * **A is NOT negated here.** The on-chain verifier (`crates/zkpin-groth16`) negates A before
 * the pairing check; this is the only place in zkpin where that decision lives. Clients send
 * the proof exactly as snarkjs produced it.
 */
import { sha256 } from '@noble/hashes/sha2';
import { BN254_Q, BN254_R, bigIntToBytesBE, bytesToBigIntBE, toHex } from './field.ts';

export const PROOF_BYTES = 256;
export const VERIFYING_KEY_BYTES = 576;

/** snarkjs `proof.json` (projective coordinates, z = 1). */
export interface SnarkjsProof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol?: string;
  curve?: string;
}

/** snarkjs `verification_key.json` for Groth16 over BN254. */
export interface SnarkjsVerifyingKey {
  protocol: string;
  curve: string;
  nPublic: number;
  vk_alpha_1: string[];
  vk_beta_2: string[][];
  vk_gamma_2: string[][];
  vk_delta_2: string[][];
  vk_alphabeta_12?: unknown;
  IC: string[][];
}

function coord(s: string | undefined, what: string): bigint {
  if (s === undefined || !/^[0-9]+$/.test(s))
    throw new TypeError(`${what}: expected a decimal string`);
  const v = BigInt(s);
  if (v >= BN254_Q) throw new RangeError(`${what}: coordinate is not below the base field modulus`);
  return v;
}

function g1(p: string[] | undefined, what: string): Uint8Array {
  if (!p || (p.length !== 3 && p.length !== 2)) throw new TypeError(`${what}: expected [x, y, z]`);
  if (p.length === 3 && p[2] !== '1')
    throw new RangeError(`${what}: expected affine point (z = 1)`);
  const out = new Uint8Array(64);
  out.set(bigIntToBytesBE(coord(p[0], `${what}.x`), 32), 0);
  out.set(bigIntToBytesBE(coord(p[1], `${what}.y`), 32), 32);
  return out;
}

function g2(p: string[][] | undefined, what: string): Uint8Array {
  if (!p || (p.length !== 3 && p.length !== 2))
    throw new TypeError(`${what}: expected [[x0,x1],[y0,y1],[z0,z1]]`);
  if (p.length === 3 && (p[2]?.[0] !== '1' || p[2]?.[1] !== '0')) {
    throw new RangeError(`${what}: expected affine point (z = 1)`);
  }
  const [x, y] = p;
  const out = new Uint8Array(128);
  // snarkjs stores Fp2 as [c0, c1]; EIP-197 wants c1 first.
  out.set(bigIntToBytesBE(coord(x?.[1], `${what}.x.c1`), 32), 0);
  out.set(bigIntToBytesBE(coord(x?.[0], `${what}.x.c0`), 32), 32);
  out.set(bigIntToBytesBE(coord(y?.[1], `${what}.y.c1`), 32), 64);
  out.set(bigIntToBytesBE(coord(y?.[0], `${what}.y.c0`), 32), 96);
  return out;
}

/** snarkjs proof JSON → 256 program bytes (A as produced, not negated). */
export function encodeProof(proof: SnarkjsProof): Uint8Array {
  const out = new Uint8Array(PROOF_BYTES);
  out.set(g1(proof.pi_a, 'pi_a'), 0);
  out.set(g2(proof.pi_b, 'pi_b'), 64);
  out.set(g1(proof.pi_c, 'pi_c'), 192);
  return out;
}

const dec = (b: Uint8Array, o: number) => bytesToBigIntBE(b.subarray(o, o + 32)).toString();
const decG1 = (b: Uint8Array, o: number) => [dec(b, o), dec(b, o + 32), '1'];
const decG2 = (b: Uint8Array, o: number) => [
  [dec(b, o + 32), dec(b, o)],
  [dec(b, o + 96), dec(b, o + 64)],
  ['1', '0'],
];

/** 256 program bytes → snarkjs proof JSON (inverse of encodeProof). */
export function decodeProof(bytes: Uint8Array): SnarkjsProof {
  if (bytes.length !== PROOF_BYTES)
    throw new RangeError(`proof must be ${PROOF_BYTES} bytes, got ${bytes.length}`);
  return {
    pi_a: decG1(bytes, 0),
    pi_b: decG2(bytes, 64),
    pi_c: decG1(bytes, 192),
    protocol: 'groth16',
    curve: 'bn128',
  };
}

/** snarkjs verification key (exactly one public input) → 576 bytes for `register_model`. */
export function encodeVerifyingKey(vk: SnarkjsVerifyingKey): Uint8Array {
  if (vk.protocol !== 'groth16') throw new RangeError(`expected a groth16 key, got ${vk.protocol}`);
  if (vk.curve !== 'bn128') throw new RangeError(`expected curve bn128, got ${vk.curve}`);
  if (vk.nPublic !== 1 || vk.IC.length !== 2) {
    throw new RangeError(`zkpin keys have exactly one public input; this key has ${vk.nPublic}`);
  }
  const out = new Uint8Array(VERIFYING_KEY_BYTES);
  out.set(g1(vk.vk_alpha_1, 'vk_alpha_1'), 0);
  out.set(g2(vk.vk_beta_2, 'vk_beta_2'), 64);
  out.set(g2(vk.vk_gamma_2, 'vk_gamma_2'), 192);
  out.set(g2(vk.vk_delta_2, 'vk_delta_2'), 320);
  out.set(g1(vk.IC[0], 'IC[0]'), 448);
  out.set(g1(vk.IC[1], 'IC[1]'), 512);
  return out;
}

/** 576 bytes → snarkjs verification key JSON (without vk_alphabeta_12, which snarkjs does not need). */
export function decodeVerifyingKey(bytes: Uint8Array): SnarkjsVerifyingKey {
  if (bytes.length !== VERIFYING_KEY_BYTES) {
    throw new RangeError(`verifying key must be ${VERIFYING_KEY_BYTES} bytes, got ${bytes.length}`);
  }
  return {
    protocol: 'groth16',
    curve: 'bn128',
    nPublic: 1,
    vk_alpha_1: decG1(bytes, 0),
    vk_beta_2: decG2(bytes, 64),
    vk_gamma_2: decG2(bytes, 192),
    vk_delta_2: decG2(bytes, 320),
    IC: [decG1(bytes, 448), decG1(bytes, 512)],
  };
}

/** A public signal (decimal string from snarkjs) → 32 bytes big-endian. */
export function encodePublicSignal(signal: string): Uint8Array {
  if (!/^[0-9]+$/.test(signal)) throw new TypeError('public signal must be a decimal string');
  const v = BigInt(signal);
  if (v >= BN254_R) throw new RangeError('public signal is not below the scalar field modulus');
  return bigIntToBytesBE(v, 32);
}

/** sha256 of the 576 verifying-key bytes, hex: the value a ceremony publishes and operators compare. */
export function verifyingKeyHash(vkBytes: Uint8Array): string {
  if (vkBytes.length !== VERIFYING_KEY_BYTES)
    throw new RangeError('expected 576 verifying-key bytes');
  return toHex(sha256(vkBytes));
}
