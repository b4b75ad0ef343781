/**
 * Build of a circuit's native witness server: circom's generated C++ witness code
 * (`<name>_cpp/`: <name>.cpp, <name>.dat, calcwit.cpp, fr.cpp, fr.asm) linked with our own
 * driver, circuits/native-witness/server.cpp (protocol and client: circuits/runtime/native-witness.ts).
 * The result lives in the circuit's cache entry, beside the generated code:
 * `<entry>/<name>_cpp/zkpin-witness-server`.
 *
 * Needs g++, nasm and libgmp-dev (scripts/setup.sh installs them); without them the build
 * is skipped and provers use the wasm witness calculator. The circuit object takes most of
 * the time (1.5 to 4 minutes per model on the 2 shared cores) and is kept, so a change of server.cpp
 * only recompiles and relinks the driver.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from './ceremony.ts';
import { CIRCUITS_DIR, compileCircomCpp } from './compile.ts';
import { withLock } from './lock.ts';
import { cpuFingerprint, nativeWitnessPaths } from '../runtime/native-witness.ts';

const DRIVER_DIR = join(CIRCUITS_DIR, 'native-witness');
const DRIVER = join(DRIVER_DIR, 'server.cpp');
/** Shadows <assert.h> so a failed circuit assert throws instead of aborting the server. */
const ASSERT_SHIM_DIR = join(DRIVER_DIR, 'include');
export const NATIVE_WITNESS_BINARY = 'zkpin-witness-server';

/**
 * Besides these, the assert shim and the generated code's directory are on the include path
 * (first the shim). -O1: the generated circuit file is ~28 MB of straight-line C++ (reference
 * circuit); -O1 compiled it in 76 s of CPU against 112 s for -O2, and its witness was no slower
 * (the time goes to circom's Fr_copy and GMP's inversion either way). `-march=native` (session
 * 17): the server runs on the machine that builds it, and its five-word field copies and
 * arithmetic use that CPU's instructions: 4.8 -> 4.1 ms of CPU a witness on an AVX-512 machine
 * (-march=x86-64-v3: 4.4; -O2 on top: 3.9, for three times the compile). The binary is marked
 * with the CPU it was built for (`cpuFingerprint`): another CPU rebuilds it, and a prover that
 * finds one built elsewhere uses wasm (circuits/runtime/native-witness.ts).
 */
const CXXFLAGS = ['-std=c++17', '-O1', '-march=native', '-pthread'];

/**
 * circom's fr.cpp with its Fr_inv and Fr_div renamed: the driver defines them, keeping the
 * inverses that every witness needs (server.cpp, "field inversion") and calling circom's for
 * the rest.
 */
const FR_RENAMES = ['-DFr_inv=circom_Fr_inv', '-DFr_div=circom_Fr_div'];

/** Force-included into the generated circuit code only: an inline Fr_copy (see the header). */
const FR_INLINE = join(ASSERT_SHIM_DIR, 'zkpin_fr_inline.hpp');
const CIRCUIT_FLAGS = ['-include', FR_INLINE];

/** What the native witness build lacks on this machine (empty: it can build). */
export function nativeWitnessToolchainMissing(): string[] {
  const missing: string[] = [];
  for (const tool of ['g++', 'nasm'])
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) missing.push(tool);
  if (!['/usr/include/gmp.h', '/usr/include/x86_64-linux-gnu/gmp.h'].some((f) => existsSync(f)))
    missing.push('libgmp-dev');
  return missing;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
    p.on('error', fail);
    p.on('close', (code) =>
      code === 0 ? ok() : fail(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${err}`)),
    );
  });
}

function sha(parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

/** Compile `src` to `obj` unless `obj` was built from the same inputs (stamp beside it). */
async function compileObject(
  src: string,
  obj: string,
  stamp: string,
  includeDir: string,
  extraFlags: string[] = [],
): Promise<void> {
  const stampFile = `${obj}.stamp`;
  if (existsSync(obj) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
  const tmp = `${obj}.tmp-${process.pid}`;
  await run('g++', [
    ...CXXFLAGS,
    ...extraFlags,
    `-I${ASSERT_SHIM_DIR}`,
    `-I${includeDir}`,
    '-c',
    src,
    '-o',
    tmp,
  ]);
  renameSync(tmp, obj);
  writeFileSync(stampFile, stamp);
}

/**
 * Make sure the cache entry `dir` (compiled from `mainFile`) has a native witness server built
 * from the current driver; returns its path, or undefined when the toolchain is missing.
 */
export async function buildNativeWitness(
  mainFile: string,
  dir: string,
  log: Logger = { info: () => undefined },
): Promise<string | undefined> {
  const missing = nativeWitnessToolchainMissing();
  if (missing.length > 0) {
    log.info(`native witness server skipped (missing ${missing.join(', ')}); provers use wasm`);
    return undefined;
  }
  const name = basename(mainFile, '.circom');
  const cppDir = join(dir, `${name}_cpp`);
  const binary = join(cppDir, NATIVE_WITNESS_BINARY);
  const shim = readFileSync(join(ASSERT_SHIM_DIR, 'assert.h'));
  const driver = readFileSync(DRIVER);
  const inline = readFileSync(FR_INLINE);
  const cpu = cpuFingerprint();
  const flags = `${CXXFLAGS.join(' ')} (${cpu})`;
  const binaryStamp = sha([flags, ...FR_RENAMES, shim, driver, inline]);
  const fresh = () =>
    existsSync(binary) &&
    existsSync(`${binary}.stamp`) &&
    readFileSync(`${binary}.stamp`, 'utf8') === binaryStamp;
  if (fresh()) return binary;

  return withLock(`${cppDir}.lock`, async () => {
    if (fresh()) return binary;
    if (!existsSync(join(cppDir, `${name}.cpp`))) {
      log.info(`${name}: generating circom's C++ witness code (circom2 --c)`);
      const tmp = join(dir, `cpp.tmp-${process.pid}`);
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      try {
        const generated = await compileCircomCpp(mainFile, tmp);
        rmSync(cppDir, { recursive: true, force: true });
        renameSync(generated, cppDir);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    }
    log.info(`${name}: building the native witness server (g++ ${CXXFLAGS.join(' ')}; minutes)`);
    const obj = join(cppDir, 'obj');
    mkdirSync(obj, { recursive: true });
    const o = (f: string) => join(obj, `${f}.o`);
    const stampOf = (f: string) => sha([flags, shim, readFileSync(join(cppDir, f))]);
    await Promise.all([
      compileObject(
        join(cppDir, `${name}.cpp`),
        o(name),
        sha([stampOf(`${name}.cpp`), inline]),
        cppDir,
        CIRCUIT_FLAGS,
      ),
      (async () => {
        await compileObject(
          join(cppDir, 'fr.cpp'),
          o('fr'),
          sha([stampOf('fr.cpp'), ...FR_RENAMES]),
          cppDir,
          FR_RENAMES,
        );
        await compileObject(
          join(cppDir, 'calcwit.cpp'),
          o('calcwit'),
          stampOf('calcwit.cpp'),
          cppDir,
        );
        await compileObject(DRIVER, o('server'), binaryStamp, cppDir);
        await run('nasm', ['-felf64', join(cppDir, 'fr.asm'), '-o', o('fr_asm')]);
      })(),
    ]);
    const tmp = `${binary}.tmp-${process.pid}`;
    await run('g++', [
      '-o',
      tmp,
      ...['server', 'fr', 'calcwit', 'fr_asm', name].map(o),
      '-lgmp',
      '-pthread',
      '-Wl,-z,noexecstack',
    ]);
    renameSync(tmp, binary);
    writeFileSync(nativeWitnessPaths(join(dir, `${name}_js`, `${name}.wasm`)).cpu, cpu);
    writeFileSync(`${binary}.stamp`, binaryStamp);
    return binary;
  });
}
