#!/usr/bin/env -S npx tsx
/**
 * The indexer package's command (`zkpin-indexer`): without arguments it runs the service
 * (main.ts); `zkpin-indexer status [--watch] [--json] [--url <url>]` asks a running indexer
 * (status.ts).
 *   npx tsx indexer/src/cli.ts status --watch
 */
import { IndexerError } from './errors.ts';

const USAGE = `usage: zkpin-indexer            run the indexer (environment: indexer/README.md)
       zkpin-indexer status     health, slots and lag, trees, backfill progress (--help)`;

async function cli(args: string[]): Promise<number | undefined> {
  const [command, ...rest] = args;
  if (command === undefined) {
    await import('./main.ts');
    return undefined;
  }
  if (command === 'status') {
    const { parseStatusEnv } = await import('./env.ts');
    const { runStatusCommand } = await import('./status.ts');
    const interrupted = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    return runStatusCommand(rest, parseStatusEnv().indexerUrl, {
      out: (t) => process.stdout.write(`${t}\n`),
      err: (t) => process.stderr.write(`${t}\n`),
      isTTY: process.stdout.isTTY === true,
      interrupted,
    });
  }
  process.stderr.write(
    `${command === '--help' || command === '-h' ? '' : `zkpin-indexer: unknown command ${command}\n`}${USAGE}\n`,
  );
  return command === '--help' || command === '-h' ? 0 : 2;
}

cli(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`zkpin-indexer: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof IndexerError && e.code === 'INDEXER_CONFIG' ? 2 : 1);
  },
);
