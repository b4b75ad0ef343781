/**
 * `npm run bench:programs`: rebuilds the programs (timing it), then runs every instruction
 * in LiteSVM (bench/programs-scenario.ts) and reports compute units with their ceilings,
 * program sizes, rent and build time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { REPO_ROOT, programPath } from '@zkpin/sdk/testing';
import { ATTESTATION_CU_CEILINGS, measureAttestation } from './attestation-scenario.ts';
import { CU_CEILINGS, measureRegistry } from './programs-scenario.ts';
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
  for (const [k, v] of Object.entries({ ...CU_CEILINGS, ...ATTESTATION_CU_CEILINGS }))
    metrics[`${k}_ceiling`] = v;
  report('programs', metrics);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
