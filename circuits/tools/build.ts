/**
 * Build one circuit into the artifact cache: compile (circom2), INSECURE deterministic dev
 * setup (`zkpin-dev-setup`, ceremony.ts), verifying key in JSON and in the 576-byte
 * `register_model` form.
 *
 * Layout: `<cache>/circuits/<name>-<hash>/` with `<name>.r1cs`, `<name>_js/<name>.wasm`,
 * `<name>.zkey`, `verification_key.json`, `verifying_key.bin`, `meta.json` (written last:
 * its presence means the entry is complete). `<cache>` is $ZKPIN_CACHE_DIR or ~/.cache/zkpin.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { encodeVerifyingKey, verifyingKeyHash, type SnarkjsVerifyingKey } from '@zkpin/sdk';
import { cacheRoot, devSetup, ptauPowerFor, type Logger } from './ceremony.ts';
import { circuitHash, compileCircom, compiledPaths } from './compile.ts';
import { withLock } from './lock.ts';
import { buildNativeWitness, nativeWitnessToolchainMissing } from './native-witness.ts';

export interface CircuitMeta {
  name: string;
  hash: string;
  constraints: number;
  nPubInputs: number;
  nOutputs: number;
  nVars: number;
  ptauPower: number;
  vkSha256: string;
  hasZkey: boolean;
  insecureDevCeremony: true;
  /** Wall time of the dev setup that made this entry's zkey, in ms (absent without a zkey). */
  ceremonyMs?: number;
}

export interface BuiltCircuit extends CircuitMeta {
  dir: string;
  r1cs: string;
  wasm: string;
  zkey: string;
  vk: SnarkjsVerifyingKey;
  vkBytes: Uint8Array;
  cached: boolean;
  /** The native witness server (`<name>_cpp/zkpin-witness-server`), when built. */
  nativeWitness?: string;
}

export interface BuildOptions {
  log?: Logger;
  /** false: compile only (no dev setup, no zkey/vk) — for test mains that are only executed. */
  setup?: boolean;
  /**
   * Also build the native witness server (circom's C++ witness code + our driver; g++, nasm,
   * libgmp-dev), skipped with a log line when those are missing. Default false.
   */
  nativeWitness?: boolean;
}

function load(dir: string, name: string, cached: boolean): BuiltCircuit {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as CircuitMeta;
  const paths = compiledPaths(`${name}.circom`, dir);
  return {
    ...meta,
    dir,
    r1cs: paths.r1cs,
    wasm: paths.wasm,
    zkey: join(dir, `${name}.zkey`),
    vk: meta.hasZkey
      ? (JSON.parse(
          readFileSync(join(dir, 'verification_key.json'), 'utf8'),
        ) as SnarkjsVerifyingKey)
      : (undefined as unknown as SnarkjsVerifyingKey),
    vkBytes: meta.hasZkey
      ? new Uint8Array(readFileSync(join(dir, 'verifying_key.bin')))
      : new Uint8Array(0),
    cached,
  };
}

/** Build (or load from cache) the circuit whose main is `mainFile` (repo-relative). Idempotent. */
export async function buildCircuit(
  mainFile: string,
  opts: BuildOptions = {},
): Promise<BuiltCircuit> {
  const built = await buildCircuitEntry(mainFile, opts);
  if (!opts.nativeWitness) return built;
  const nativeWitness = await buildNativeWitness(mainFile, built.dir, opts.log);
  return nativeWitness ? { ...built, nativeWitness } : built;
}

async function buildCircuitEntry(mainFile: string, opts: BuildOptions): Promise<BuiltCircuit> {
  const log = opts.log ?? { info: () => undefined };
  const name = basename(mainFile, '.circom');
  const hash = circuitHash(mainFile);
  const setup = opts.setup ?? true;
  const dir = join(cacheRoot(), 'circuits', `${name}-${hash}${setup ? '' : '-nosetup'}`);
  if (existsSync(join(dir, 'meta.json'))) return load(dir, name, true);

  return withLock(`${dir}.lock`, async () => {
    if (existsSync(join(dir, 'meta.json'))) return load(dir, name, true);
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    try {
      log.info(`compiling ${mainFile} (circom2, --O2)`);
      // The C++ witness code comes from the same circom run as the wasm when it will be built.
      const cpp = opts.nativeWitness === true && nativeWitnessToolchainMissing().length === 0;
      const c = await compileCircom(mainFile, tmp, { cpp });
      const info = (await snarkjs.r1cs.info(c.r1cs)) as {
        nConstraints: number;
        nPubInputs: number;
        nOutputs: number;
        nVars: number;
      };
      const power = ptauPowerFor(info.nConstraints, info.nPubInputs, info.nOutputs);
      log.info(`${name}: ${info.nConstraints} constraints → ptau 2^${power}`);
      if (!setup) {
        const meta: CircuitMeta = {
          name,
          hash,
          constraints: info.nConstraints,
          nPubInputs: info.nPubInputs,
          nOutputs: info.nOutputs,
          nVars: info.nVars,
          ptauPower: power,
          vkSha256: '',
          hasZkey: false,
          insecureDevCeremony: true,
        };
        writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
        rmSync(dir, { recursive: true, force: true });
        renameSync(tmp, dir);
        return load(dir, name, false);
      }
      const zkey = join(tmp, `${name}.zkey`);
      const ceremony = await devSetup(c.r1cs, zkey, log);
      const vk = (await snarkjs.zKey.exportVerificationKey(zkey)) as SnarkjsVerifyingKey;
      writeFileSync(join(tmp, 'verification_key.json'), JSON.stringify(vk, null, 2) + '\n');
      const vkBytes = vk.nPublic === 1 ? encodeVerifyingKey(vk) : new Uint8Array(0);
      writeFileSync(join(tmp, 'verifying_key.bin'), vkBytes);
      const meta: CircuitMeta = {
        name,
        hash,
        constraints: info.nConstraints,
        nPubInputs: info.nPubInputs,
        nOutputs: info.nOutputs,
        nVars: info.nVars,
        ptauPower: power,
        vkSha256: vkBytes.length ? verifyingKeyHash(vkBytes) : '',
        hasZkey: true,
        insecureDevCeremony: true,
        ceremonyMs: Math.round(ceremony.wallMs),
      };
      writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return load(dir, name, false);
  });
}
