import { PublicKey } from '@solana/web3.js';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import {
  DEVICE_REGISTRY_PROGRAM_ADDRESS,
  INFERENCE_ATTESTATION_PROGRAM_ADDRESS,
} from '../../idls/constants.ts';

/**
 * Program ids (localnet), generated from the IDLs' `address` (idls/constants.ts); the
 * interface crates' agreement tests prove each equals its program's `ID`.
 */
export const DEVICE_REGISTRY_PROGRAM_ID = new PublicKey(DEVICE_REGISTRY_PROGRAM_ADDRESS);
export const INFERENCE_ATTESTATION_PROGRAM_ID = new PublicKey(
  INFERENCE_ATTESTATION_PROGRAM_ADDRESS,
);
/** Test-only programs (not in idls/): ids as in Anchor.toml. */
export const TOOLCHAIN_PROBE_PROGRAM_ID = new PublicKey(
  'CwHrPzN8tFVxju53FeccidBnUSer58qbzBfTv9pn8k6T',
);
export const PROBE_CALLEE_PROGRAM_ID = new PublicKey(
  'FvJDxQExXH4AvNiVuQm3oChWonvoiWWGQJBHM1x4vq9C',
);
export const ED25519_PROGRAM_ID = new PublicKey('Ed25519SigVerify111111111111111111111111111');

/** Repository root (sdk/src/../..). */
export const REPO_ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** Path of a built program: `npm run build:programs` writes target/deploy/<name>.so. */
export function programPath(name: string): string {
  return join(REPO_ROOT, 'target', 'deploy', `${name}.so`);
}
