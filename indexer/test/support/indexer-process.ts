/**
 * The indexer as operators run it (`src/main.ts` as its own process, node with tsx as its
 * loader, so that signals reach it), on a free port, for tests and benchmarks that kill it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { PublicKey } from '@solana/web3.js';
import { IndexerClient, type IndexerResult } from '@zkpin/sdk';
import { REPO_ROOT, freePort, type LocalValidator } from '@zkpin/sdk/testing';
import type { DatabaseConfig } from '../../src/database.ts';

export interface IndexerProcess {
  url: string;
  client: IndexerClient;
  readonly child: ChildProcess;
  /** The last stderr and log lines (for a failure's message). */
  readonly output: string[];
  /** Health, or undefined while it does not answer yet. */
  health(): Promise<IndexerResult<'getIndexerHealth'> | undefined>;
  /** Resolves with the exit code (null after a signal). */
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export async function spawnIndexer(o: {
  validator: LocalValidator;
  network: PublicKey;
  database: DatabaseConfig;
  env?: Record<string, string>;
}): Promise<IndexerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'indexer/src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NETWORK: o.network.toBase58(),
      ZKPIN_DEPLOYMENT: '',
      SOLANA_RPC_URL: o.validator.rpcUrl,
      SOLANA_WS_URL: o.validator.wsUrl,
      DATABASE_URL: o.database.kind === 'postgres' ? o.database.url : '',
      INDEXER_DATA_DIR: o.database.kind === 'pglite' ? (o.database.dataDir ?? '') : '',
      INDEXER_PORT: String(port),
      LOG_LEVEL: 'warn',
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (l) => {
      output.push(l);
      if (output.length > 50) output.shift();
    });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const url = `http://127.0.0.1:${port}/`;
  const client = new IndexerClient(url);
  return {
    url,
    client,
    child,
    output,
    exited,
    health: async () => {
      try {
        return (await client.getIndexerHealth()).value;
      } catch {
        if (child.exitCode !== null)
          throw new Error(`the indexer exited (${child.exitCode}):\n${output.join('\n')}`);
        return undefined;
      }
    },
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `f` every `everyMs` until it returns a value other than undefined, for `timeoutMs`. */
export async function until<T>(
  f: () => Promise<T | undefined>,
  what: string,
  o: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const end = Date.now() + (o.timeoutMs ?? 60_000);
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, o.everyMs ?? 50));
  }
}
