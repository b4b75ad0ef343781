/**
 * circom's own witness calculator (the `<name>_js/witness_calculator.js` next to the wasm),
 * instantiated once and reused: much faster than snarkjs.wtns.calculate per call.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

interface RawCalculator {
  calculateWitness(input: Record<string, unknown>, sanityCheck: boolean): Promise<bigint[]>;
  calculateWTNSBin(input: Record<string, unknown>, sanityCheck: boolean): Promise<Uint8Array>;
}

export interface WitnessCalculator {
  /** Full witness (index 0 is the constant 1, then outputs/public signals). */
  witness(input: Record<string, unknown>): Promise<bigint[]>;
  /** Witness in snarkjs `.wtns` form, ready for groth16.prove. */
  wtns(input: Record<string, unknown>): Promise<Uint8Array>;
}

export async function loadWitnessCalculator(wasmPath: string): Promise<WitnessCalculator> {
  const require = createRequire(import.meta.url);
  const builder = require(join(dirname(wasmPath), 'witness_calculator.js')) as (
    code: Buffer,
    options?: unknown,
  ) => Promise<RawCalculator>;
  const wc = await builder(readFileSync(wasmPath));
  return {
    witness: (input) => wc.calculateWitness(input, true),
    wtns: (input) => wc.calculateWTNSBin(input, true),
  };
}

/**
 * Signal `index` of a witness in snarkjs `.wtns` form (index 0 is the constant 1, then the
 * outputs and public inputs): lets a prover read the public signals before it proves.
 * Format: "wtns", version, section count; sections (u32 type, u64 size): 1 = field size n8,
 * prime, witness count; 2 = the values, n8 bytes little-endian each.
 */
export function wtnsSignal(wtns: Uint8Array, index: number): bigint {
  const view = new DataView(wtns.buffer, wtns.byteOffset, wtns.byteLength);
  if (wtns.length < 12 || String.fromCharCode(...wtns.subarray(0, 4)) !== 'wtns')
    throw new Error('not a wtns file');
  let pos = 12;
  let n8 = 0;
  let count = 0;
  let values = -1;
  for (let s = view.getUint32(8, true); s > 0 && pos + 12 <= wtns.length; s--) {
    const type = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    pos += 12;
    if (type === 1) {
      n8 = view.getUint32(pos, true);
      count = view.getUint32(pos + 4 + n8, true);
    } else if (type === 2) values = pos;
    pos += size;
  }
  if (n8 === 0 || values < 0 || values + count * n8 > wtns.length)
    throw new Error('wtns file without a complete header and values section');
  if (!Number.isInteger(index) || index < 0 || index >= count)
    throw new RangeError(`witness index ${index} outside [0, ${count})`);
  let v = 0n;
  const at = values + index * n8;
  for (let i = n8 - 1; i >= 0; i--) v = (v << 8n) | BigInt(wtns[at + i]!);
  return v;
}
