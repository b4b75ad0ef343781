/**
 * Owner app benchmark: the production bundle (app/dist, gzip level 9 of every JS and CSS file
 * the page loads), and in Debian's Chromium against the local network on the validator
 * (startRpcNetwork, one device publishing): `first_render_ms` (navigation start to the "My
 * devices" heading, cold cache), `device_list_ms` (wallet connected to the device row shown),
 * `verify_record_ms` (the app's own measure of verifyRecord: both checks, RPC reads included;
 * median of VERIFY_RUNS). Last line: `{"bench":"app","metrics":{...}}`; saved to
 * bench/results/app.json. `onboard_e2e_ms` comes with onboarding (issue 12).
 *
 *   npm run bench:app
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { PublicKey } from '@solana/web3.js';
import { chromium } from 'playwright-core';
import { APP_DIR, buildApp, serveApp } from '../scripts/lib/app-server.ts';
import { startRpcNetwork } from '../scripts/lib/rpc-network.ts';
import { TEST_WALLET_NAME, installTestWallet } from '../app/test/support/test-wallet.ts';

const VERIFY_RUNS = Number(process.env['VERIFY_RUNS'] ?? 7);

function bundleKbGzip(): number {
  const assets = join(APP_DIR, 'dist', 'assets');
  let bytes = 0;
  for (const f of readdirSync(assets))
    if (/\.(js|css)$/.test(f))
      bytes += gzipSync(readFileSync(join(assets, f)), { level: 9 }).length;
  return Math.round(bytes / 1024);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  await buildApp({ force: true });
  const metrics: Record<string, number> = { bundle_kb_gzip: bundleKbGzip() };
  const net = await startRpcNetwork({ devices: 1, rate: 2, log: () => undefined });
  const app = await serveApp({
    rpcUrl: net.validator.rpcUrl,
    wsUrl: net.validator.wsUrl,
    indexerUrl: net.indexerUrl,
    manifest: net.manifest,
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const owned = net.sim.devices[0]!;
    const device = new PublicKey(owned.keys.ed25519.publicKey).toBase58();
    const page = await (await browser.newContext()).newPage();
    await installTestWallet(page, owned.owner);
    await page.goto(app.url);
    await page.getByRole('heading', { name: 'My devices' }).waitFor();
    // performance.now() counts from the navigation's start.
    metrics['first_render_ms'] = Math.round(await page.evaluate(() => performance.now()));
    const t0 = Date.now();
    await page.getByRole('button', { name: `Connect ${TEST_WALLET_NAME}` }).click();
    await page.locator('table.devices tbody tr').first().waitFor({ timeout: 30_000 });
    metrics['device_list_ms'] = Date.now() - t0;

    // Wait for a record, then verify it VERIFY_RUNS times (the panel re-runs on each open).
    await page.goto(`${app.url}#/device/${device}`);
    const verify = page.getByRole('button', { name: 'Verify' }).first();
    const deadline = Date.now() + 300_000;
    while (!(await verify.isVisible())) {
      if (Date.now() > deadline) throw new Error('no record reached the device page');
      await page.waitForTimeout(2_000);
      await page.reload();
    }
    const runs: number[] = [];
    for (let i = 0; i < VERIFY_RUNS; i++) {
      await page.getByRole('button', { name: 'Verify' }).first().click();
      const verdict = page.locator('.verdict');
      await verdict.waitFor({ timeout: 30_000 });
      const text = (await verdict.textContent()) ?? '';
      if (!text.startsWith('Valid')) throw new Error(`verification failed: ${text}`);
      runs.push(Number(/\((\d+) ms\)/.exec(text)?.[1]));
      await page.getByRole('button', { name: 'Close' }).click();
    }
    metrics['verify_record_ms'] = median(runs);
    metrics['verify_record_first_ms'] = runs[0]!;
  } finally {
    await browser.close();
    await app.close();
    await net.stop();
  }
  const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'app.json'),
    JSON.stringify({ bench: 'app', metrics, date: new Date().toISOString() }, null, 2) + '\n',
  );
  console.log(JSON.stringify({ bench: 'app', metrics }));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
