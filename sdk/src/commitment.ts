/**
 * The input commitment: a hiding commitment to a window of n int8 readings (docs/contracts.md,
 * "Circuit-internal values"), the same as the circuit's `ReadingsCommitment(n)`:
 *
 *   chunk_j = the two's-complement bytes of readings[31j .. min(31j + 31, n)) as a big-endian
 *             integer (at most 248 bits, below the field), j < k = ceil(n / 31);
 *   input_commitment = Poseidon(chunk_0, ..., chunk_{k-1}, salt_field).
 *
 * A window of up to 31 readings is one chunk: Poseidon(packed, salt). The model fixes n, and the
 * circuit fixes the model, so windows of different lengths are never compared.
 */
import * as poseidonLite from 'poseidon-lite';
import { BN254_R } from './field.ts';
import { assertReadings, READINGS_PER_CHUNK, type ReadingFields } from './messages.ts';
import { readingMessageHash, saltToField } from './poseidon.ts';

/** The readings as ceil(n / 31) field elements (see the module comment). */
export function packReadingChunks(readings: readonly number[]): bigint[] {
  assertReadings(readings);
  const chunks: bigint[] = [];
  for (let at = 0; at < readings.length; at += READINGS_PER_CHUNK) {
    let v = 0n;
    for (const r of readings.slice(at, at + READINGS_PER_CHUNK)) v = (v << 8n) | BigInt(r & 0xff);
    chunks.push(v);
  }
  return chunks;
}

/** circomlib Poseidon over 2..16 canonical field elements. */
function poseidonN(inputs: bigint[]): bigint {
  const f = (poseidonLite as Record<string, unknown>)[`poseidon${inputs.length}`];
  if (typeof f !== 'function' || inputs.length < 2 || inputs.length > 16)
    throw new RangeError(`the input commitment hashes 2..16 values, got ${inputs.length}`);
  for (const x of inputs)
    if (x < 0n || x >= BN254_R)
      throw new RangeError(`Poseidon input ${x} is not a canonical field element`);
  return (f as (i: bigint[]) => bigint)(inputs);
}

/** `input_commitment = Poseidon(chunk_0, ..., chunk_{k-1}, salt_field)`. */
export function inputCommitment(readings: readonly number[], salt: Uint8Array): bigint {
  return poseidonN([...packReadingChunks(readings), saltToField(salt)]);
}

/** readingMessageHash of a reading, its input commitment computed from readings and salt. */
export function readingMessageHashOf(r: ReadingFields): bigint {
  return readingMessageHash({ ...r, inputCommitment: inputCommitment(r.readings, r.salt) });
}
