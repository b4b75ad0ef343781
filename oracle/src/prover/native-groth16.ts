/**
 * Client for `oracle/native-prover` (Rust, arkworks): a long-running child process that loads
 * the `.zkey` once and answers `len u32 LE || wtns` requests with one JSON line each. Proofs it
 * returns are in snarkjs's format; the Prover verifies each one with snarkjs before use.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SnarkjsProof } from '@zkpin/sdk';

const NATIVE_PROVER_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'native-prover',
);

/** The release binary that `npm run build:prover-native` builds. */
const DEFAULT_NATIVE_PROVER_BINARY = join(
  NATIVE_PROVER_DIR,
  'target',
  'release',
  'zkpin-native-prover',
);

export interface NativeProverOptions {
  /** Path of the binary (default oracle/native-prover/target/release/zkpin-native-prover; env ZKPIN_NATIVE_PROVER). */
  binary?: string;
  /** Print the time of each proving phase on the prover's stderr (env ZKPIN_PROVER_TRACE). */
  trace?: boolean;
}

export function nativeProverAvailable(binary = DEFAULT_NATIVE_PROVER_BINARY): boolean {
  return existsSync(binary);
}

interface Pending {
  ok: (v: { proof: SnarkjsProof; publicSignals: string[] }) => void;
  fail: (e: Error) => void;
}

export class NativeGroth16 {
  private pending: Pending[] = [];
  private closed = false;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {}

  /** Start the prover for `zkeyPath`; resolves once the key is loaded. */
  static start(zkeyPath: string, opts: NativeProverOptions = {}): Promise<NativeGroth16> {
    const binary = opts.binary ?? DEFAULT_NATIVE_PROVER_BINARY;
    if (!existsSync(binary)) {
      return Promise.reject(
        new Error(`native prover not built: ${binary} (run npm run build:prover-native)`),
      );
    }
    const args = opts.trace ? [zkeyPath, '--trace'] : [zkeyPath];
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const self = new NativeGroth16(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve, reject) => {
      let ready = false;
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        if (!ready) {
          ready = true;
          resolve(self);
          return;
        }
        const p = self.pending.shift();
        if (!p) return;
        const msg = JSON.parse(line) as {
          proof?: SnarkjsProof;
          publicSignals?: string[];
          error?: string;
        };
        if (msg.error !== undefined || !msg.proof || !msg.publicSignals)
          p.fail(new Error(`native prover: ${msg.error}`));
        else p.ok({ proof: msg.proof, publicSignals: msg.publicSignals });
      });
      child.on('exit', (code) => {
        self.closed = true;
        const err = new Error(`native prover exited (${code}): ${stderr.trim()}`);
        if (!ready) reject(err);
        for (const p of self.pending.splice(0)) p.fail(err);
      });
      child.on('error', reject);
    });
  }

  /** Prove from a snarkjs `.wtns` buffer. Requests are answered in order. */
  prove(wtns: Uint8Array): Promise<{ proof: SnarkjsProof; publicSignals: string[] }> {
    if (this.closed) return Promise.reject(new Error('native prover is closed'));
    return new Promise((ok, fail) => {
      this.pending.push({ ok, fail });
      const len = Buffer.alloc(4);
      len.writeUInt32LE(wtns.length, 0);
      this.child.stdin.write(len);
      this.child.stdin.write(wtns);
    });
  }

  /** Process id of the prover (for resource accounting). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Peak resident memory of the prover process in bytes (Linux), if known. */
  peakRssBytes(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const m = /VmHWM:\s+(\d+) kB/.exec(status);
      return m ? Number(m[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.child.stdin.end(Buffer.alloc(4));
  }
}

/** Build the native prover with cargo when its binary is missing (first test run on a clean clone). */
export async function ensureNativeProver(): Promise<string> {
  const bin = DEFAULT_NATIVE_PROVER_BINARY;
  if (existsSync(bin)) return bin;
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(
    'cargo',
    ['build', '--release', '--manifest-path', join(NATIVE_PROVER_DIR, 'Cargo.toml')],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (r.status !== 0 || !existsSync(bin))
    throw new Error('cargo build of oracle/native-prover failed');
  return bin;
}
