/**
 * `npm run bench:programs`: rebuilds the programs (timing it), then runs every instruction
 * in LiteSVM (bench/programs-scenario.ts) and reports compute units with their ceilings,
 * program sizes, rent and build time, and the network ceiling: attestations per second of one
 * network with 1 and with `shards` device/record trees, from the measured submit_attestation
 * CU and Solana's per-account and per-block limits (bench/shards-scenario.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { REPO_ROOT, programPath } from '@zkpin/sdk/testing';
import { ATTESTATION_CU_CEILINGS, measureAttestation } from './attestation-scenario.ts';
import { CU_CEILINGS, measureRegistry } from './programs-scenario.ts';
import { BLOCK_BOUND_SHARDS, ceilingMetrics } from './shards-scenario.ts';
import { report } from './report.ts';

const PROGRAMS = ['device_registry', 'inference_attestation', 'toolchain_probe', 'probe_callee'];

function build(): number {
  // Touch the program sources so the programs themselves are recompiled and relinked
  // (dependencies and the std build stay cached): the edit-build loop's cost.
  execFileSync('bash', ['-c', 'touch programs/*/src/lib.rs'], { cwd: REPO_ROOT });
  const t0 = performance.now();
  execFileSync('bash', ['scripts/build-programs.sh'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return (performance.now() - t0) / 1000;
}

async function main() {
  const metrics: Record<string, number> = {};
  metrics.build_seconds = Number(build().toFixed(2));
  for (const p of PROGRAMS)
    if (existsSync(programPath(p))) metrics[`${p}_so_bytes`] = statSync(programPath(p)).size;
  Object.assign(metrics, await measureRegistry());
  Object.assign(metrics, await measureAttestation({ buildSmoke: true }));
  // advance_device only runs as submit_attestation's CPI: its cost is that CPI's.
  if (metrics.submit_attestation_registry_cpi_cu)
    metrics.advance_device_cu = metrics.submit_attestation_registry_cpi_cu;
  // The fewest shards at which the block limit binds (5 at 60M / 12M): more add nothing.
  if (metrics.submit_attestation_cu)
    Object.assign(metrics, ceilingMetrics(metrics.submit_attestation_cu, BLOCK_BOUND_SHARDS));
  for (const [k, v] of Object.entries({ ...CU_CEILINGS, ...ATTESTATION_CU_CEILINGS }))
    metrics[`${k}_ceiling`] = v;
  report('programs', metrics);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
