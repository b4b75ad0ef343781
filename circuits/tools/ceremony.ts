/**
 * Deterministic DEVELOPMENT trusted setup (INSECURE — for tests and local networks only).
 *
 * Every step uses a fixed, public beacon instead of secret randomness, so anyone can
 * recompute the toxic waste and forge proofs for keys made here. Production keys come from
 * the multi-party phase-2 ceremony in docs/ceremony.md.
 *
 * Phase 1: `powersoftau new` → `powersoftau beacon` (fixed hash) → `prepare phase2`,
 * cached per power under `<cache>/ptau/`. Phase 2: `zkey new` → `zkey beacon` (fixed hash).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import * as snarkjs from 'snarkjs';

/** Fixed beacon for phase 1 (sha256("zkpin dev ceremony phase1 INSECURE")). Public on purpose. */
export const DEV_PHASE1_BEACON = 'a1f3c8d2b6e94f0e7c5b3a1d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f';
/** Fixed beacon for phase 2. Public on purpose. */
export const DEV_PHASE2_BEACON = '5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b';
const BEACON_ITERATIONS_EXP = 10;

/** Root of the artifact cache: $ZKPIN_CACHE_DIR or ~/.cache/zkpin. Never inside the repo. */
export function cacheRoot(): string {
  const env = process.env['ZKPIN_CACHE_DIR'];
  return env && env.length > 0 ? env : join(homedir(), '.cache', 'zkpin');
}

export interface Logger {
  info(msg: string): void;
}
const quiet: Logger = { info: () => undefined };

/** snarkjs logger adapter (it calls info/debug/warn/error). */
function snarkLogger(log: Logger) {
  return {
    info: (m: string) => log.info(m),
    debug: () => undefined,
    warn: (m: string) => log.info(`warn: ${m}`),
    error: (m: string) => log.info(`error: ${m}`),
    log: () => undefined,
  };
}

/** Write through a temp file and rename, so a killed build never leaves a half file. */
async function atomically(target: string, make: (tmp: string) => Promise<unknown>): Promise<void> {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}`;
  try {
    const r = await make(tmp);
    if (r === false || r === -1) throw new Error(`snarkjs step failed while writing ${target}`);
    renameSync(tmp, target);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Smallest ptau power that fits a circuit (snarkjs: nConstraints + nPub + nOut + 1 ≤ 2^power). */
export function ptauPowerFor(nConstraints: number, nPubInputs: number, nOutputs: number): number {
  const need = nConstraints + nPubInputs + nOutputs + 1;
  let p = 1;
  while (2 ** p < need) p++;
  return Math.max(p, 8);
}

/** Path of the prepared development ptau for `power`, building and caching it when missing. */
export async function ensureDevPtau(power: number, log: Logger = quiet): Promise<string> {
  const dir = join(cacheRoot(), 'ptau');
  const final = join(dir, `zkpin_dev_insecure_pow${power}_prepared.ptau`);
  if (existsSync(final)) return final;
  const curve = await snarkjs.curves.getCurveFromName('bn128');
  const l = snarkLogger(log);
  const p0 = join(dir, `zkpin_dev_pow${power}_0.ptau`);
  const p1 = join(dir, `zkpin_dev_pow${power}_1.ptau`);
  const t0 = Date.now();
  log.info(`phase 1 (INSECURE dev): new accumulator 2^${power}`);
  await atomically(p0, (tmp) => snarkjs.powersOfTau.newAccumulator(curve, power, tmp, l));
  log.info('phase 1: beacon');
  await atomically(p1, (tmp) =>
    snarkjs.powersOfTau.beacon(
      p0,
      tmp,
      'zkpin dev beacon (INSECURE)',
      DEV_PHASE1_BEACON,
      BEACON_ITERATIONS_EXP,
      l,
    ),
  );
  rmSync(p0, { force: true });
  log.info(`phase 1: prepare phase 2 (slow in JS; cached afterwards at ${final})`);
  await atomically(final, (tmp) => snarkjs.powersOfTau.preparePhase2(p1, tmp, l));
  rmSync(p1, { force: true });
  log.info(`phase 1 done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return final;
}

/** Phase 2 for one circuit: `zkey new` then a fixed beacon. Writes `zkeyPath`. */
export async function devPhase2(
  r1csPath: string,
  ptauPath: string,
  zkeyPath: string,
  log: Logger = quiet,
): Promise<void> {
  const l = snarkLogger(log);
  const z0 = `${zkeyPath}.0`;
  await atomically(z0, (tmp) => snarkjs.zKey.newZKey(r1csPath, ptauPath, tmp, l));
  await atomically(zkeyPath, (tmp) =>
    snarkjs.zKey.beacon(
      z0,
      tmp,
      'zkpin dev beacon (INSECURE)',
      DEV_PHASE2_BEACON,
      BEACON_ITERATIONS_EXP,
      l,
    ),
  );
  rmSync(z0, { force: true });
}
