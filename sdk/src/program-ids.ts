import { PublicKey } from '@solana/web3.js';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Program ids (localnet); the same values are in Anchor.toml and each program's `ID`. */
export const DEVICE_REGISTRY_PROGRAM_ID = new PublicKey(
  '6vJtcUJ94Mdzfy59mknp4BJqQRDubqo4Y1EarcGmCoin',
);
export const INFERENCE_ATTESTATION_PROGRAM_ID = new PublicKey(
  'FxXeprHwuCbhYTh9aLxvV6SWxiX2WbgqJtsXRQE61wiN',
);
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
