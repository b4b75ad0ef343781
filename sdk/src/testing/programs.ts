/**
 * Where the built programs are, and the ids of the test-only programs (Node only: reads the
 * file system layout of this repository).
 */
import { PublicKey } from '@solana/web3.js';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Test-only programs (not in idls/): ids as in Anchor.toml. */
export const TOOLCHAIN_PROBE_PROGRAM_ID = new PublicKey(
  'CwHrPzN8tFVxju53FeccidBnUSer58qbzBfTv9pn8k6T',
);
export const PROBE_CALLEE_PROGRAM_ID = new PublicKey(
  'FvJDxQExXH4AvNiVuQm3oChWonvoiWWGQJBHM1x4vq9C',
);

/** Repository root (sdk/src/testing/../../..). */
export const REPO_ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

/** Path of a built program: `npm run build:programs` writes target/deploy/<name>.so. */
export function programPath(name: string): string {
  return join(REPO_ROOT, 'target', 'deploy', `${name}.so`);
}
