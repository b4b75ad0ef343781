/**
 * circom 2 compilation through the `circom2` npm package (circom in WebAssembly).
 *
 * circom2 only sees the working directory and its parents, so it runs from the repository
 * root with `-l node_modules` and includes like `circomlib/circuits/poseidon.circom`.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CIRCUITS_DIR = join(REPO_ROOT, 'circuits');
const require = createRequire(import.meta.url);

export interface CompiledCircuit {
  name: string;
  r1cs: string;
  wasm: string;
  sym: string;
}

/** Paths circom writes for `main` into `outDir`. */
export function compiledPaths(mainFile: string, outDir: string): CompiledCircuit {
  const name = basename(mainFile, '.circom');
  return {
    name,
    r1cs: join(outDir, `${name}.r1cs`),
    wasm: join(outDir, `${name}_js`, `${name}.wasm`),
    sym: join(outDir, `${name}.sym`),
  };
}

/**
 * Compile `mainFile` (absolute or repo-relative) to r1cs + wasm + sym under `outDir`; with
 * `cpp`, also circom's C++ witness code (`<name>_cpp/`, for the native witness server).
 */
export async function compileCircom(
  mainFile: string,
  outDir: string,
  opts: { cpp?: boolean } = {},
): Promise<CompiledCircuit> {
  return runCircom(mainFile, outDir, ['--r1cs', '--wasm', '--sym', ...(opts.cpp ? ['--c'] : [])]);
}

/**
 * Only circom's C++ witness code of `mainFile` (`<outDir>/<name>_cpp/`): for a cache entry
 * compiled before the native witness server existed. circom is deterministic, so this is the
 * code of the same circuit as the entry's wasm (the tests compare the witnesses byte for byte).
 */
export async function compileCircomCpp(mainFile: string, outDir: string): Promise<string> {
  const name = basename(mainFile, '.circom');
  await runCircom(mainFile, outDir, ['--c']);
  return join(outDir, `${name}_cpp`);
}

async function runCircom(
  mainFile: string,
  outDir: string,
  outputs: string[],
): Promise<CompiledCircuit> {
  const cli = require.resolve('circom2/cli.js');
  const main = relative(REPO_ROOT, resolve(REPO_ROOT, mainFile));
  const out = relative(REPO_ROOT, outDir);
  const args = [cli, main, ...outputs, '--O2', '-l', 'node_modules', '-o', out];
  const { code, output } = await new Promise<{ code: number | null; output: string }>(
    (ok, fail) => {
      const p = spawn(process.execPath, args, {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      p.stdout.on('data', (d: Buffer) => (output += d.toString()));
      p.stderr.on('data', (d: Buffer) => (output += d.toString()));
      p.on('error', fail);
      p.on('close', (c) => ok({ code: c, output }));
    },
  );
  const paths = compiledPaths(mainFile, outDir);
  const expected = outputs.includes('--r1cs') ? [paths.r1cs, paths.wasm] : [];
  if (outputs.includes('--c'))
    expected.push(join(outDir, `${paths.name}_cpp`, `${paths.name}.cpp`));
  if (code !== 0 || !expected.every((f) => existsSync(f))) {
    throw new Error(`circom failed on ${main} (exit ${code}):\n${output}`);
  }
  return paths;
}

function circomFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...circomFiles(p));
    else if (e.endsWith('.circom')) out.push(p);
  }
  return out;
}

/**
 * Cache key of a circuit: sha256 over the main file, every template under circuits/src and
 * circuits/generated, the circom2 / circomlib / snarkjs versions, and the source that fixes the
 * INSECURE dev key (oracle/native-prover/src/setup.rs: its toxic waste and layout).
 */
export function circuitHash(mainFile: string): string {
  const h = createHash('sha256');
  const main = resolve(REPO_ROOT, mainFile);
  const files = [
    main,
    ...circomFiles(join(CIRCUITS_DIR, 'src')),
    ...circomFiles(join(CIRCUITS_DIR, 'generated')),
    join(REPO_ROOT, 'oracle', 'native-prover', 'src', 'setup.rs'),
  ];
  for (const f of [...new Set(files)]) {
    h.update(relative(REPO_ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  for (const pkg of ['circom2', 'circomlib', 'snarkjs']) {
    const v = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    h.update(`${pkg}@${v}\0`);
  }
  return h.digest('hex').slice(0, 16);
}
