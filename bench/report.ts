/** Benchmarks print one JSON object as their last line and save it to bench/results/<name>.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@zkpin/sdk/testing';

export function report(bench: string, metrics: Record<string, number | string | boolean>): void {
  const out = { bench, metrics };
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${bench}.json`), JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(out));
}
