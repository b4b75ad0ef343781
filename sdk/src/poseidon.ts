/**
 * Poseidon hashes that the circuit, the Solana program (`sol_poseidon`, Bn254X5, big-endian)
 * and the oracle must agree on. Definitions: docs/contracts.md ("Public input P",
 * "Circuit-internal values").
 */
// One module per arity (its round constants): only the arities of the key hash (2), P (5) and
// the reading message (9) are loaded here, which keeps the other arities' constants out
// of browser bundles; the input commitment (arity 2..16) is in commitment.ts.
import { poseidon2 } from 'poseidon-lite/poseidon2';
import { poseidon5 } from 'poseidon-lite/poseidon5';
import { poseidon9 } from 'poseidon-lite/poseidon9';
import { BN254_R, bytesToBigIntBE, signedToField } from './field.ts';
import { READING_DOMAIN } from './messages.ts';

type PoseidonFn = (inputs: bigint[]) => bigint;
/** The arities of the contract's hashes: key hash (2), P (5), reading message (9). */
const BY_ARITY = new Map<number, PoseidonFn>([
  [2, poseidon2],
  [5, poseidon5],
  [9, poseidon9],
]);

/** circomlib Poseidon (BN254, x^5) over 2, 5 or 9 canonical field elements (see BY_ARITY). */
export function poseidon(inputs: readonly bigint[]): bigint {
  const f = BY_ARITY.get(inputs.length);
  if (!f)
    throw new RangeError(
      `zkpin's Poseidon hashes take 2, 5 or 9 inputs (docs/contracts.md), got ${inputs.length}`,
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

/** Bytes of the header `P` packs (docs/contracts.md, "Public input P"). */
export const PUBLIC_INPUT_HEADER_LEN = 93;
/** Bytes per chunk of the header: each chunk is a big-endian integer below 2^248 < r. */
export const PUBLIC_INPUT_CHUNK = 31;

/**
 * The header `P` packs: `network (32) || device (32) || model_id u32 BE || seq u64 BE ||
 * timestamp + 2^63 u64 BE || class u8 || score + 2^63 u64 BE` (93 bytes; signed values offset
 * by 2^63 so that each keeps its 8 bytes).
 */
export function publicInputHeader(f: PublicInputFields): Uint8Array {
  if (f.network.length !== 32 || f.device.length !== 32)
    throw new RangeError('network and device must be 32 bytes');
  if (!Number.isInteger(f.class) || f.class < 0 || f.class > 255)
    throw new RangeError('class must be a u8');
  const h = new Uint8Array(PUBLIC_INPUT_HEADER_LEN);
  const view = new DataView(h.buffer);
  h.set(f.network, 0);
  h.set(f.device, 32);
  view.setUint32(64, Number(u32(f.modelId)));
  view.setBigUint64(68, u64(f.seq));
  view.setBigUint64(76, i64(f.timestamp) + (1n << 63n));
  h[84] = f.class;
  view.setBigUint64(85, i64(f.score) + (1n << 63n));
  return h;
}

/**
 * The five Poseidon inputs of `P`: the header's three 31-byte chunks `k0, k1, k2` (big-endian),
 * `bjj_key_hash`, `input_commitment`.
 */
export function publicInputFieldInputs(f: PublicInputFields): bigint[] {
  const h = publicInputHeader(f);
  const chunks = [0, 1, 2].map((j) =>
    bytesToBigIntBE(h.subarray(PUBLIC_INPUT_CHUNK * j, PUBLIC_INPUT_CHUNK * (j + 1))),
  );
  return [...chunks, f.bjjKeyHash, f.inputCommitment];
}

/**
 * The proof's single public input `P = Poseidon(k0, k1, k2, bjj_key_hash, input_commitment)`,
 * `k0 || k1 || k2` = {@link publicInputHeader}: one network, one device, one reading.
 */
export function publicInput(f: PublicInputFields): bigint {
  return poseidon(publicInputFieldInputs(f));
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
