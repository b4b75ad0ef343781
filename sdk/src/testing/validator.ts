/**
 * A local Solana JSON-RPC node for tests, benchmarks and the local network: the
 * `zkpin-validator` binary (tools/validator: an offline surfnet on surfpool-core), built and
 * cached by scripts/setup.sh. Each call starts its own on free ports, with its own ledger.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Where scripts/setup.sh installs the binary (`$ZKPIN_CACHE_DIR`, default ~/.cache/zkpin). */
export function validatorBinary(cacheDir = join(homedir(), '.cache', 'zkpin')): string {
  return join(cacheDir, 'bin', 'zkpin-validator');
}

export interface LocalValidator {
  rpcUrl: string;
  wsUrl: string;
  readonly process: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartValidatorOptions {
  binary?: string;
  /** Keep the chain in `<ledger>/surfnet.sqlite` (a restart on the same ledger resumes it). */
  ledger?: string;
  /** Slot time (default 400 ms, as on clusters). */
  slotMs?: number;
  /** Ports (default: free ones). */
  rpcPort?: number;
  wsPort?: number;
  /** How long to wait for `ready` (default 60 s). */
  readyTimeoutMs?: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startValidator(o: StartValidatorOptions = {}): Promise<LocalValidator> {
  const binary = o.binary ?? validatorBinary();
  if (!existsSync(binary))
    throw new Error(
      `${binary} is missing: run \`bash scripts/setup.sh\` (it builds zkpin-validator)`,
    );
  const rpcPort = o.rpcPort ?? (await freePort());
  const wsPort = o.wsPort ?? (await freePort());
  const args = ['--rpc-port', String(rpcPort), '--ws-port', String(wsPort)];
  if (o.ledger) args.push('--ledger', o.ledger);
  if (o.slotMs) args.push('--slot-ms', String(o.slotMs));
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (l) => {
    stderr.push(l);
    if (stderr.length > 40) stderr.shift();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const ready = await new Promise<{ rpcUrl: string; wsUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `zkpin-validator not ready after ${o.readyTimeoutMs ?? 60_000} ms:\n${stderr.join('\n')}`,
        ),
      );
    }, o.readyTimeoutMs ?? 60_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^ready (\S+) (\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ rpcUrl: m[1]!, wsUrl: m[2]! });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`zkpin-validator exited (${code}) before it was ready:\n${stderr.join('\n')}`),
      );
    });
  });
  return {
    ...ready,
    process: child,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}
