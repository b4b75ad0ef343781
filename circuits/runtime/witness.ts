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
