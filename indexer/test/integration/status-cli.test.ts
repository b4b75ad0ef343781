/**
 * Serving while the backfill runs, and `zkpin-indexer status` (src/cli.ts) as a process against
 * a real indexer (startIndexer on the embedded chain, PGlite): the backfill is held after its
 * first page, health says `starting` with its progress, data methods answer with what is
 * applied and refuse a minContextSlot beyond it, Prometheus has the progress gauges; the CLI
 * prints the progress bar and exits 3, then 0 once the backfill is applied, 2 with a clear
 * message when nothing listens; `--watch` off a terminal prints one line per refresh.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEXER_ERROR_CODES, IndexerClient, IndexerClientError } from '@zkpin/sdk';
import {
  REPO_ROOT,
  freePort,
  localNetwork,
  type LocalNetwork,
  type RegisteredDevice,
} from '@zkpin/sdk/testing';
import { startIndexer, type RunningIndexer } from '../../src/indexer.ts';
import { STATUS_EXIT } from '../../src/status.ts';
import { gatedHistoryChain } from '../support/faults.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `zkpin-indexer <args>` as a process (node with tsx as its loader); `untilLines` then SIGINT. */
function cli(args: string[], o: { untilLines?: number } = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'indexer/src/cli.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, INDEXER_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
    if (o.untilLines && stdout.split('\n').length > o.untilLines) child.kill('SIGINT');
  });
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('serving while the backfill runs; zkpin-indexer status', () => {
  let net: LocalNetwork;
  let dir: string;
  let indexer: RunningIndexer;
  let release: () => void;
  let devices: RegisteredDevice[];
  let total: number;

  beforeAll(async () => {
    net = await localNetwork();
    devices = [];
    for (let i = 0; i < 5; i++) devices.push(await net.registerDevice());
    total = net.embedded.historyNow(net.setup.network).length;
    // The first page holds all but the last two registrations.
    const gated = gatedHistoryChain(net.embedded, total - 2);
    release = gated.release;
    dir = mkdtempSync(join(tmpdir(), 'zkpin-idx-status-'));
    indexer = await startIndexer({
      chain: gated.chain,
      network: net.setup.network,
      database: { kind: 'pglite', dataDir: dir },
      port: 0,
      pollMs: 0,
      minContextSlotWaitMs: 100,
    });
    while (indexer.ingest.backfill?.applied !== total - 2)
      await new Promise((r) => setTimeout(r, 20));
  }, 60_000);

  afterAll(async () => {
    release?.();
    await indexer?.stop();
    await net?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers while the backfill is held: starting with progress, what is applied, minContextSlot refused', async () => {
    const client = new IndexerClient(indexer.url);
    const health = (await client.getIndexerHealth()).value;
    expect(health.status).toBe('starting');
    expect(health.backfill).toMatchObject({ total, applied: total - 2 });
    expect(health.backfill!.etaSeconds).not.toBeNull();
    expect(health.reason).toMatch(new RegExp(`${total - 2} of ${total}`));

    const first = await client.getDevice({ device: devices[0]!.leaf.device.toBase58() });
    expect(first.value.leafIndex).toBe(devices[0]!.leafIndex);
    expect(first.context.slot).toBe(indexer.ingest.slot);
    const last = await client
      .getDevice({ device: devices[4]!.leaf.device.toBase58() })
      .catch((e: unknown) => e);
    expect((last as IndexerClientError).context.rpcCode).toBe(INDEXER_ERROR_CODES.NOT_FOUND);
    const chainSlot = Number(await net.embedded.slot());
    expect(indexer.ingest.slot).toBeLessThan(chainSlot);
    const refused = await client
      .getDevice({ device: devices[0]!.leaf.device.toBase58(), minContextSlot: chainSlot })
      .catch((e: unknown) => e);
    expect((refused as IndexerClientError).context.rpcCode).toBe(
      INDEXER_ERROR_CODES.MIN_CONTEXT_SLOT_NOT_REACHED,
    );

    const metrics = await (await fetch(new URL('/metrics', indexer.url))).text();
    expect(metrics).toMatch(new RegExp(`^zkpin_indexer_backfill_total ${total}$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^zkpin_indexer_backfill_applied ${total - 2}$`, 'm'));
    expect(metrics).toMatch(/^zkpin_indexer_backfill_running 1$/m);
    expect(metrics).toMatch(/^zkpin_indexer_up 0$/m);
  });

  it('status prints the backfill progress and exits 3 while starting', async () => {
    const r = await cli(['status', '--url', indexer.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(STATUS_EXIT.starting);
    expect(r.stdout).toMatch(/^health {4}starting/m);
    expect(r.stdout).toMatch(
      new RegExp(`^backfill  \\[#+\\.*\\] +\\d+%  ${total - 2}/${total} tx`, 'm'),
    );

    const json = await cli(['status', '--url', indexer.url, '--json']);
    const s = JSON.parse(json.stdout) as { health: { backfill: { applied: number } } };
    expect(s.health.backfill.applied).toBe(total - 2);
  }, 60_000);

  it('--watch off a terminal prints one line per refresh', async () => {
    const r = await cli(['status', '--url', indexer.url, '--watch', '--interval', '200'], {
      untilLines: 2,
    });
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toMatch(/ starting {2}slot \d+ {2}lag \d+ {2}backfill \[/);
  }, 60_000);

  it('once the backfill is applied: ok, every tree, exit 0', async () => {
    release();
    await indexer.backfilled;
    const health = (await new IndexerClient(indexer.url).getIndexerHealth()).value;
    expect(health).toMatchObject({ status: 'ok', backfill: null });
    const r = await cli(['status', '--url', indexer.url]);
    expect(r.code).toBe(STATUS_EXIT.ok);
    expect(r.stdout).toMatch(/^health {4}ok$/m);
    expect(r.stdout).not.toMatch(/^backfill/m);
    expect(r.stdout).toContain(net.setup.deviceTree.toBase58());
    expect(r.stdout).toMatch(/device +#\d+ +\S+ +seq +5 +leaves +5 +root matches the chain/);
    expect(r.stdout).toMatch(/^counts {4}5 device leaves, 0 records, \d+ transactions applied/m);
  }, 60_000);

  it('an indexer that does not answer: a clear message, no stack, exit 2', async () => {
    const url = `http://127.0.0.1:${await freePort()}/`;
    const r = await cli(['status', '--url', url]);
    expect(r.code).toBe(STATUS_EXIT.unreachable);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`the indexer at ${url} did not answer`);
    expect(r.stderr).toContain('INDEXER_URL');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);
});
