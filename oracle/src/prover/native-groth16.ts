/**
 * Client for `oracle/native-prover` (Rust, arkworks): a long-running child process that loads
 * the `.zkey` once and answers `len u32 LE || payload` requests with one JSON line each: a
 * `.wtns` is proved, and the proof verified in the process against the verifying key the
 * client passed at start (`vk`, snarkjs's format: the oracle's own key, not the zkey's copy);
 * a `{"verify":…}` request checks a given proof. Proofs are in snarkjs's format.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SnarkjsProof, SnarkjsVerifyingKey } from '@zkpin/sdk';

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

/** A native proof with the process's own check of it against the verifying key. */
export interface NativeProof {
  proof: SnarkjsProof;
  publicSignals: string[];
  /** Whether the proof verifies against the verifying key given at start. */
  verified: boolean;
  /** Time of the proof and of its verification inside the process (ms). */
  proveMs: number;
  verifyMs: number;
  /** Why the check could not run (e.g. the key expects another number of public signals). */
  verifyError?: string;
}

/** The answer to a `verify` request. */
export interface NativeVerification {
  verified: boolean;
  verifyMs: number;
}

interface Answer {
  proof?: SnarkjsProof;
  publicSignals?: string[];
  verified?: boolean;
  proveMs?: number;
  verifyMs?: number;
  verifyError?: string;
  error?: string;
}

export function nativeProverAvailable(binary = DEFAULT_NATIVE_PROVER_BINARY): boolean {
  return existsSync(binary);
}

interface Pending {
  ok: (v: Answer) => void;
  fail: (e: Error) => void;
}

export class NativeGroth16 {
  private pending: Pending[] = [];
  private closed = false;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {}

  /**
   * Start the prover for `zkeyPath`, checking its proofs against `vk`; resolves once both keys
   * are loaded.
   */
  static start(
    zkeyPath: string,
    vk: SnarkjsVerifyingKey,
    opts: NativeProverOptions = {},
  ): Promise<NativeGroth16> {
    const binary = opts.binary ?? DEFAULT_NATIVE_PROVER_BINARY;
    if (!existsSync(binary)) {
      return Promise.reject(
        new Error(`native prover not built: ${binary} (run npm run build:prover-native)`),
      );
    }
    // `--vk -`: the verifying key is the first request on stdin.
    const args = [zkeyPath, '--vk', '-', ...(opts.trace ? ['--trace'] : [])];
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const self = new NativeGroth16(child);
    // A process that exits (bad key) closes its stdin: the exit handler reports why.
    child.stdin.on('error', () => undefined);
    self.send(Buffer.from(JSON.stringify(vk)));
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
        const msg = JSON.parse(line) as Answer;
        if (msg.error !== undefined) p.fail(new Error(`native prover: ${msg.error}`));
        else p.ok(msg);
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

  private send(payload: Uint8Array): void {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(payload.length, 0);
    this.child.stdin.write(len);
    this.child.stdin.write(payload);
  }

  private request(payload: Uint8Array): Promise<Answer> {
    if (this.closed) return Promise.reject(new Error('native prover is closed'));
    return new Promise((ok, fail) => {
      this.pending.push({ ok, fail });
      this.send(payload);
    });
  }

  /**
   * Prove from a snarkjs `.wtns` buffer and verify the proof against the verifying key. The
   * caller must refuse a proof whose `verified` is false. Requests are answered in order.
   */
  async prove(wtns: Uint8Array): Promise<NativeProof> {
    const m = await this.request(wtns);
    if (!m.proof || !m.publicSignals || typeof m.verified !== 'boolean')
      throw new Error('native prover: malformed answer to a proof request');
    return {
      proof: m.proof,
      publicSignals: m.publicSignals,
      verified: m.verified,
      proveMs: m.proveMs ?? NaN,
      verifyMs: m.verifyMs ?? NaN,
      ...(m.verifyError !== undefined ? { verifyError: m.verifyError } : {}),
    };
  }

  /** Verify a proof (snarkjs's format) against the verifying key, in the native process. */
  async verify(proof: SnarkjsProof, publicSignals: readonly string[]): Promise<NativeVerification> {
    const m = await this.request(Buffer.from(JSON.stringify({ verify: { proof, publicSignals } })));
    if (typeof m.verified !== 'boolean')
      throw new Error('native prover: malformed answer to a verify request');
    return { verified: m.verified, verifyMs: m.verifyMs ?? NaN };
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
