/**
 * Deterministic DEVELOPMENT trusted setup (INSECURE — for tests and local networks only).
 *
 * `zkpin-dev-setup` (Rust, arkworks; oracle/native-prover/src/setup.rs) computes a
 * circuit-specific Groth16 key straight from fixed, public toxic waste — τ, α, β, γ, δ are
 * sha256 of a public string and the r1cs — and writes it in snarkjs's `.zkey` format, which
 * snarkjs and the native prover read unchanged. No powers of tau is involved: anyone can
 * recompute the secrets and forge proofs for keys made here. It takes well under a second for
 * the reference circuit (2^13), where snarkjs's phase 1 + phase 2 took about 258 s in
 * JavaScript. Production keys come from the multi-party phase-2 ceremony in docs/ceremony.md.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './compile.ts';

const run = promisify(execFile);

/** The crate that holds the dev setup (and the native prover), and the binary it builds. */
export const DEV_SETUP_CRATE = join(REPO_ROOT, 'oracle', 'native-prover');
export const DEV_SETUP_BINARY = join(DEV_SETUP_CRATE, 'target', 'release', 'zkpin-dev-setup');

/** Root of the artifact cache: $ZKPIN_CACHE_DIR or ~/.cache/zkpin. Never inside the repo. */
export function cacheRoot(): string {
  const env = process.env['ZKPIN_CACHE_DIR'];
  return env && env.length > 0 ? env : join(homedir(), '.cache', 'zkpin');
}

export interface Logger {
  info(msg: string): void;
}
const quiet: Logger = { info: () => undefined };

/**
 * Smallest power of two a ptau needs for this circuit (snarkjs: nConstraints + nPub + nOut + 1
 * ≤ 2^power, at least 8). The dev setup uses the same domain; a production phase 2 needs a
 * ptau of at least this power (docs/ceremony.md).
 */
export function ptauPowerFor(nConstraints: number, nPubInputs: number, nOutputs: number): number {
  const need = nConstraints + nPubInputs + nOutputs + 1;
  let p = 1;
  while (2 ** p < need) p++;
  return Math.max(p, 8);
}

let built: Promise<string> | undefined;

/**
 * Path of the `zkpin-dev-setup` release binary, built with cargo on first use in this process
 * (cargo does nothing when it is up to date). Without cargo, an existing binary is used as is.
 */
export function ensureDevSetupBinary(log: Logger = quiet): Promise<string> {
  built ??= (async () => {
    const t0 = Date.now();
    try {
      await run(
        'cargo',
        [
          'build',
          '--release',
          '--quiet',
          '--manifest-path',
          join(DEV_SETUP_CRATE, 'Cargo.toml'),
          '--bin',
          'zkpin-dev-setup',
        ],
        { maxBuffer: 16 << 20 },
      );
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      if (!(missing && existsSync(DEV_SETUP_BINARY))) {
        built = undefined;
        throw new Error(
          missing
            ? `cargo not found and ${DEV_SETUP_BINARY} not built: install Rust (scripts/setup.sh) or run npm run build:prover-native`
            : `cargo build of zkpin-dev-setup failed:\n${(e as { stderr?: string }).stderr ?? String(e)}`,
          { cause: e },
        );
      }
    }
    const s = (Date.now() - t0) / 1000;
    if (s > 5) log.info(`built zkpin-dev-setup in ${s.toFixed(0)} s`);
    return DEV_SETUP_BINARY;
  })();
  return built;
}

export interface DevSetupResult {
  constraints: number;
  nVars: number;
  nPublic: number;
  domainSize: number;
  /** Size of the written `.zkey`. */
  bytes: number;
  /** Wall time of the setup process, start to exit (the key computation alone is in `ms`). */
  wallMs: number;
  ms: number;
}

/**
 * INSECURE development Groth16 setup of `r1csPath` into `zkeyPath` (snarkjs `.zkey`,
 * deterministic: the same r1cs gives the same bytes on every machine).
 */
export async function devSetup(
  r1csPath: string,
  zkeyPath: string,
  log: Logger = quiet,
): Promise<DevSetupResult> {
  const bin = await ensureDevSetupBinary(log);
  log.info('INSECURE development setup (public toxic waste; never for a public network)');
  const t0 = performance.now();
  let stdout: string;
  try {
    ({ stdout } = await run(bin, [r1csPath, zkeyPath], { maxBuffer: 1 << 20 }));
  } catch (e) {
    throw new Error(
      `zkpin-dev-setup failed on ${r1csPath}: ${(e as { stderr?: string }).stderr ?? String(e)}`,
      { cause: e },
    );
  }
  const wallMs = performance.now() - t0;
  const r = JSON.parse(stdout.trim()) as Omit<DevSetupResult, 'wallMs'> & { insecure: boolean };
  if (r.insecure !== true) throw new Error('zkpin-dev-setup did not mark its key insecure');
  log.info(
    `dev setup: ${r.constraints} constraints, domain ${r.domainSize}, ${(wallMs / 1000).toFixed(2)} s`,
  );
  return {
    constraints: r.constraints,
    nVars: r.nVars,
    nPublic: r.nPublic,
    domainSize: r.domainSize,
    bytes: r.bytes,
    wallMs,
    ms: r.ms,
  };
}

/**
 * Benchmark hook (`ceremony_s`): seconds a fresh machine spends on the dev setup of the
 * compiled circuit `r1csPath`, measured cold (a new key into a scratch folder, no cache).
 * Building the binary is not counted (as the native prover's build is not).
 */
export async function devSetupSeconds(r1csPath: string, log: Logger = quiet): Promise<number> {
  await ensureDevSetupBinary(log);
  const dir = mkdtempSync(join(tmpdir(), 'zkpin-dev-setup-'));
  try {
    const r = await devSetup(r1csPath, join(dir, 'dev.zkey'), log);
    return r.wallMs / 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
