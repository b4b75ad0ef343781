/**
 * Groth16 (BN254) verification of zkpin's byte layouts (proof-encoding.ts) in plain
 * JavaScript on `@noble/curves`' bn254: no WebAssembly, no workers, so a browser checks an
 * attestation with what it already loads for ed25519, and gets the same answer as the
 * programs' alt_bn128 check and snarkjs (tests hold all three to the golden vectors).
 *
 * The check: e(−A, B) · e(α, β) · e(vk_x, γ) · e(C, δ) = 1 with vk_x = IC0 + P·IC1, one
 * batched pairing. Every point must be on its curve and, for G2, in the prime-order subgroup;
 * coordinates at or above the base field modulus and P at or above the scalar field modulus
 * are refused, as the programs refuse them.
 */
import { bn254 } from '@noble/curves/bn254';
import { BN254_Q, BN254_R, bytesToBigIntBE } from './field.ts';
import { PROOF_BYTES, VERIFYING_KEY_BYTES } from './proof-encoding.ts';

type G1 = ReturnType<typeof bn254.G1.ProjectivePoint.fromAffine>;
type G2 = ReturnType<typeof bn254.G2.ProjectivePoint.fromAffine>;

/** Why a proof or key could not be checked (as opposed to a proof that does not verify). */
export class Groth16EncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Groth16EncodingError';
  }
}

function fq(bytes: Uint8Array, offset: number, what: string): bigint {
  const v = bytesToBigIntBE(bytes.subarray(offset, offset + 32));
  if (v >= BN254_Q)
    throw new Groth16EncodingError(`${what}: coordinate is not below the field modulus`);
  return v;
}

function g1At(bytes: Uint8Array, offset: number, what: string): G1 {
  const x = fq(bytes, offset, `${what}.x`);
  const y = fq(bytes, offset + 32, `${what}.y`);
  if (x === 0n && y === 0n) return bn254.G1.ProjectivePoint.ZERO;
  try {
    const p = bn254.G1.ProjectivePoint.fromAffine({ x, y });
    p.assertValidity();
    return p;
  } catch {
    throw new Groth16EncodingError(`${what} is not a point of G1`);
  }
}

/** A G2 point in EIP-197 order (x.c1, x.c0, y.c1, y.c0). */
function g2At(bytes: Uint8Array, offset: number, what: string): G2 {
  const x = { c1: fq(bytes, offset, `${what}.x.c1`), c0: fq(bytes, offset + 32, `${what}.x.c0`) };
  const y = {
    c1: fq(bytes, offset + 64, `${what}.y.c1`),
    c0: fq(bytes, offset + 96, `${what}.y.c0`),
  };
  if (x.c0 === 0n && x.c1 === 0n && y.c0 === 0n && y.c1 === 0n)
    return bn254.G2.ProjectivePoint.ZERO;
  try {
    const p = bn254.G2.ProjectivePoint.fromAffine({ x, y });
    p.assertValidity();
    if (!p.isTorsionFree()) throw new Error('not in the subgroup');
    return p;
  } catch {
    throw new Groth16EncodingError(`${what} is not a point of the G2 subgroup`);
  }
}

/** A verifying key (576 bytes, proof-encoding.ts) read into curve points once. */
export interface PreparedVerifyingKey {
  alpha: G1;
  beta: G2;
  gamma: G2;
  delta: G2;
  ic0: G1;
  ic1: G1;
}

export function prepareVerifyingKey(vk: Uint8Array): PreparedVerifyingKey {
  if (vk.length !== VERIFYING_KEY_BYTES)
    throw new Groth16EncodingError(
      `verifying key must be ${VERIFYING_KEY_BYTES} bytes, got ${vk.length}`,
    );
  return {
    alpha: g1At(vk, 0, 'vk.alpha'),
    beta: g2At(vk, 64, 'vk.beta'),
    gamma: g2At(vk, 192, 'vk.gamma'),
    delta: g2At(vk, 320, 'vk.delta'),
    ic0: g1At(vk, 448, 'vk.IC0'),
    ic1: g1At(vk, 512, 'vk.IC1'),
  };
}

/**
 * Whether `proof` (256 bytes, A not negated) proves public input `p` under `vk`. Throws a
 * `Groth16EncodingError` for bytes that are not points, or `p` outside the scalar field.
 */
export function verifyGroth16(
  vk: Uint8Array | PreparedVerifyingKey,
  proof: Uint8Array,
  p: bigint,
): boolean {
  const key = vk instanceof Uint8Array ? prepareVerifyingKey(vk) : vk;
  if (proof.length !== PROOF_BYTES)
    throw new Groth16EncodingError(`proof must be ${PROOF_BYTES} bytes, got ${proof.length}`);
  if (p < 0n || p >= BN254_R)
    throw new Groth16EncodingError('public input is not below the scalar field modulus');
  const a = g1At(proof, 0, 'proof.A');
  const b = g2At(proof, 64, 'proof.B');
  const c = g1At(proof, 192, 'proof.C');
  const vkX = p === 0n ? key.ic0 : key.ic0.add(key.ic1.multiply(p));
  const gt = bn254.pairingBatch([
    { g1: a.negate(), g2: b },
    { g1: key.alpha, g2: key.beta },
    { g1: vkX, g2: key.gamma },
    { g1: c, g2: key.delta },
  ]);
  return bn254.fields.Fp12.eql(gt, bn254.fields.Fp12.ONE);
}
