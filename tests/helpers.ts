/** Shared setup for the end-to-end tests: a chain with both programs and a network. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Keypair } from '@solana/web3.js';
import {
  DEVICE_REGISTRY_PROGRAM_ID,
  INFERENCE_ATTESTATION_PROGRAM_ID,
  LocalChain,
  REPO_ROOT,
  deviceRegistryProgram,
  programPath,
} from '@zkpin/sdk';
import { existsSync } from 'node:fs';

/** Verifying key of the snarkjs fixture in tests/vectors/groth16.json (576 bytes). */
export function fixtureVerifyingKey(): Uint8Array {
  const v = JSON.parse(readFileSync(join(REPO_ROOT, 'tests/vectors/groth16.json'), 'utf8')) as {
    vk_bytes_hex: string;
  };
  return Buffer.from(v.vk_bytes_hex, 'hex');
}

export function newChain() {
  const chain = new LocalChain();
  chain.deploy(DEVICE_REGISTRY_PROGRAM_ID, programPath('device_registry'));
  if (existsSync(programPath('inference_attestation'))) {
    chain.deploy(INFERENCE_ATTESTATION_PROGRAM_ID, programPath('inference_attestation'));
  }
  const authority = Keypair.fromSeed(new Uint8Array(32).fill(7));
  chain.airdrop(authority.publicKey, 1000);
  const provider = chain.provider(authority);
  const registry = deviceRegistryProgram(provider);
  return { chain, authority, provider, registry };
}

/** Awaits `p` and returns the error it rejects with (fails the test if it resolves). */
export async function rejection(
  p: Promise<unknown>,
): Promise<Error & { code?: number; logs?: string[] }> {
  const result = await p.then(
    () => undefined,
    (e: unknown) => e as Error & { code?: number },
  );
  if (!result) throw new Error('expected the transaction to fail, it succeeded');
  return result;
}
