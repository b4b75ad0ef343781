/**
 * Poseidon hashes that the circuit, the Solana program (`sol_poseidon`, Bn254X5, big-endian)
 * and the oracle must agree on. Definitions: docs/contracts.md ("Public input P",
 * "Circuit-internal values").
 */
// One module per arity (its round constants): only the arities of the key hash (2), the
// reading message (9) and P (11) are loaded here, which keeps the other arities' constants out
// of browser bundles; the input commitment (arity 2..16) is in commitment.ts.
import { poseidon2 } from 'poseidon-lite/poseidon2';
import { poseidon9 } from 'poseidon-lite/poseidon9';
import { poseidon11 } from 'poseidon-lite/poseidon11';
import { BN254_R, bytesToBigIntBE, signedToField } from './field.ts';
import { READING_DOMAIN } from './messages.ts';

type PoseidonFn = (inputs: bigint[]) => bigint;
/** The arities of the contract's hashes: key hash (2), reading message (9), P (11). */
const BY_ARITY = new Map<number, PoseidonFn>([
  [2, poseidon2],
  [9, poseidon9],
  [11, poseidon11],
]);

/** circomlib Poseidon (BN254, x^5) over 2, 9 or 11 canonical field elements (see BY_ARITY). */
export function poseidon(inputs: readonly bigint[]): bigint {
  const f = BY_ARITY.get(inputs.length);
  if (!f)
    throw new RangeError(
      `zkpin's Poseidon hashes take 2, 9 or 11 inputs (docs/contracts.md), got ${inputs.length}`,
    );
  for (const x of inputs) {
    if (x < 0n || x >= BN254_R)
      throw new RangeError(`Poseidon input ${x} is not a canonical field element`);
  }
  return f([...inputs]);
}

/** `bjj_key_hash = Poseidon(Ax, Ay)` of a device's BabyJubJub public key. */
export function bjjKeyHash(ax: bigint, ay: bigint): bigint {
  return poseidon([ax, ay]);
}

/** Salt (32 bytes) → field element: big-endian unsigned integer mod r. */
export function saltToField(salt: Uint8Array): bigint {
  if (salt.length !== 32) throw new RangeError(`salt must be 32 bytes, got ${salt.length}`);
  return bytesToBigIntBE(salt) % BN254_R;
}

/**
 * A 32-byte key (network address, device ed25519 key) as two field elements:
 * `[uint128_be(k[0..16]), uint128_be(k[16..32])]`. Both halves are below 2^128, so distinct
 * keys always give distinct pairs (a single `uint256 mod r` would not be injective).
 */
export function keyToFields(k: Uint8Array): [bigint, bigint] {
  if (k.length !== 32) throw new RangeError(`a key must be 32 bytes, got ${k.length}`);
  return [bytesToBigIntBE(k.subarray(0, 16)), bytesToBigIntBE(k.subarray(16, 32))];
}

/** Domain tag of the BabyJubJub-signed message: the 16 ASCII bytes of READING_DOMAIN, big-endian. */
export const READING_TAG = bytesToBigIntBE(new TextEncoder().encode(READING_DOMAIN));

/**
 * The message the device's BabyJubJub key signs (EdDSA-Poseidon):
 * `Poseidon(tag, network_hi, network_lo, device_hi, device_lo, input_commitment, seq,
 * timestamp, model_id)`.
 */
export function readingMessageHash(fields: {
  network: Uint8Array;
  device: Uint8Array;
  inputCommitment: bigint;
  seq: bigint;
  timestamp: bigint;
  modelId: number;
}): bigint {
  return poseidon([
    READING_TAG,
    ...keyToFields(fields.network),
    ...keyToFields(fields.device),
    fields.inputCommitment,
    u64(fields.seq),
    signedToField(i64(fields.timestamp)),
    u32(fields.modelId),
  ]);
}

export interface PublicInputFields {
  /** Network account address (32 bytes). */
  network: Uint8Array;
  /** Device ed25519 public key (32 bytes). */
  device: Uint8Array;
  bjjKeyHash: bigint;
  modelId: number;
  seq: bigint;
  timestamp: bigint;
  inputCommitment: bigint;
  /** argmax class index (u8) */
  class: number;
  /** max logit (i64, may be negative) */
  score: bigint;
}

/**
 * The proof's single public input `P = Poseidon(network_hi, network_lo, device_hi, device_lo,
 * bjj_key_hash, model_id, seq, timestamp, input_commitment, class, score)`.
 */
export function publicInput(f: PublicInputFields): bigint {
  if (!Number.isInteger(f.class) || f.class < 0 || f.class > 255)
    throw new RangeError('class must be a u8');
  return poseidon([
    ...keyToFields(f.network),
    ...keyToFields(f.device),
    f.bjjKeyHash,
    BigInt(u32(f.modelId)),
    u64(f.seq),
    signedToField(i64(f.timestamp)),
    f.inputCommitment,
    BigInt(f.class),
    signedToField(i64(f.score)),
  ]);
}

function u32(v: number): bigint {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${v} is not a u32`);
  return BigInt(v);
}
function u64(v: bigint): bigint {
  if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`${v} is not a u64`);
  return v;
}
function i64(v: bigint): bigint {
  if (v < -(1n << 63n) || v >= 1n << 63n) throw new RangeError(`${v} is not an i64`);
  return v;
}
