/**
 * `npm run bench:programs`: builds the programs if needed, then runs every instruction in
 * LiteSVM and reports its compute units, plus build time and program sizes.
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { Keypair } from '@solana/web3.js';
import {
  DEVICE_REGISTRY_PROGRAM_ID,
  LocalChain,
  REPO_ROOT,
  deviceRegistryProgram,
  programPath,
} from '@zkpin/sdk';
import { report } from './report.ts';

const PROGRAMS = ['device_registry', 'toolchain_probe', 'probe_callee'];

function build(): number {
  // Touch the program sources so the programs themselves are recompiled and relinked
  // (dependencies and the std build stay cached): this is the edit-build loop's cost.
  execFileSync('bash', ['-c', 'touch programs/*/src/lib.rs'], { cwd: REPO_ROOT });
  const t0 = performance.now();
  execFileSync('bash', ['scripts/build-programs.sh'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return (performance.now() - t0) / 1000;
}

async function main() {
  const metrics: Record<string, number> = {};
  metrics.build_seconds = Number(build().toFixed(2));
  for (const p of PROGRAMS) metrics[`${p}_so_bytes`] = statSync(programPath(p)).size;

  const chain = new LocalChain();
  chain.deploy(DEVICE_REGISTRY_PROGRAM_ID, programPath('device_registry'));
  // Fixed keys: PDA bump searches (and so compute units) depend on the addresses.
  const authority = Keypair.fromSeed(new Uint8Array(32).fill(7));
  chain.airdrop(authority.publicKey, 100);
  const provider = chain.provider(authority);
  const registry = deviceRegistryProgram(provider);

  const oracles = Array.from({ length: 8 }, (_, i) => Keypair.fromSeed(new Uint8Array(32).fill(100 + i)).publicKey);
  await registry.methods.initializeNetwork({ oracles, permissionless: false }).accounts({ authority: authority.publicKey }).rpc();
  metrics.initialize_network_cu = provider.lastResult!.computeUnits;

  report('programs', metrics);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
