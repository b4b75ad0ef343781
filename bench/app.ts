/**
 * Owner app benchmark: the production bundle (app/dist, gzip level 9 of every JS and CSS file
 * the page loads), and in Debian's Chromium against the local network on the validator
 * (startRpcNetwork, one device publishing): `first_render_ms` (navigation start to the "My
 * devices" heading, cold cache), `device_list_ms` (wallet connected to the device row shown),
 * `verify_record_ms` (the app's own measure of verifyRecord: both checks, RPC reads included;
 * median of VERIFY_RUNS), `onboard_e2e_ms` (a new owner's wallet, a device bundle pasted and
 * priced: "Register" clicked to the device's page showing the owner, the wallet's signature and
 * the confirmation included), `initial_kb_gzip` (what index.html loads before any lazy chunk:
 * the verifier and the QR decoder are loaded on use). Last line:
 * `{"bench":"app","metrics":{...}}`; saved to bench/results/app.json.
 *
 *   npm run bench:app
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { PublicKey } from '@solana/web3.js';
import { REPO_ROOT } from '@zkpin/sdk/testing';
import { APP_DIR, buildApp, networkAppConfig, serveApp } from '../scripts/lib/app-server.ts';
import { startRpcNetwork } from '../scripts/lib/rpc-network.ts';
import { launchChromium } from '../app/test/support/chromium.ts';
import { TEST_WALLET_NAME, installTestWallet } from '../app/test/support/test-wallet.ts';

const VERIFY_RUNS = Number(process.env['VERIFY_RUNS'] ?? 7);

const gzipKb = (files: string[]) =>
  Math.round(files.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0) / 1024);

/** Every JS and CSS file of the build, lazy chunks included. */
function bundleKbGzip(): number {
  const assets = join(APP_DIR, 'dist', 'assets');
  return gzipKb(
    readdirSync(assets)
      .filter((f) => /\.(js|css)$/.test(f))
      .map((f) => join(assets, f)),
  );
}

/** The files index.html loads itself (entry script, stylesheet, module preloads). */
function initialKbGzip(): number {
  const dist = join(APP_DIR, 'dist');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+\.(?:js|css))"/g)].map((m) =>
    join(dist, m[1]!),
  );
  return gzipKb([...new Set(refs)]);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  await buildApp({ force: true });
  const metrics: Record<string, number> = {
    bundle_kb_gzip: bundleKbGzip(),
    initial_kb_gzip: initialKbGzip(),
  };
  const net = await startRpcNetwork({ devices: 1, rate: 2, log: () => undefined });
  const app = await serveApp(networkAppConfig(net));
  const browser = await launchChromium();
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

    // Onboarding: a new owner with SOL, the device's bundle (npm run bundle) pasted and priced.
    const owner = await net.fundedWallet();
    const keys = mkdtempSync(join(tmpdir(), 'zkpin-bench-keys-'));
    const bundle = execFileSync(
      'npx',
      [
        'tsx',
        'scripts/onboarding-bundle.ts',
        ...['--deployment', net.dir, '--owner', owner.publicKey.toBase58()],
        ...['--keys', join(keys, 'device.json')],
      ],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    )
      .trim()
      .split('\n')
      .pop()!;
    rmSync(keys, { recursive: true, force: true });
    const onboard = await (await browser.newContext()).newPage();
    await installTestWallet(onboard, owner);
    await onboard.goto(`${app.url}#/add`);
    await onboard.getByRole('button', { name: `Connect ${TEST_WALLET_NAME}` }).click();
    await onboard.getByLabel('Onboarding bundle').fill(bundle);
    const register = onboard.getByRole('button', { name: 'Register (sign one transaction)' });
    await onboard.getByText(/fee [0-9.]+ SOL;/).waitFor({ timeout: 30_000 });
    const t1 = Date.now();
    await register.click();
    await onboard
      .locator('.facts dd', { hasText: owner.publicKey.toBase58() })
      .waitFor({ timeout: 60_000 });
    metrics['onboard_e2e_ms'] = Date.now() - t1;
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
