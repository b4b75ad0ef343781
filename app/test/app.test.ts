/**
 * The owner app in a real browser (Debian's Chromium driven by playwright-core) against the
 * local network on the validator, run as an operator runs it (`startRpcNetwork`: deployment,
 * bridge, oracle and indexer as processes, simulated devices publishing readings): an owner's
 * wallet (a Wallet Standard wallet holding the simulated owner's key) sees its device, the
 * device's records arrive, "Verify" checks one in the browser (valid), and a record the
 * indexer's answer was tampered with on the way shows invalid at the step that caught it; the
 * owner revokes one device and transfers another, each behind a confirmation step and signed
 * by the wallet. Phone and desktop viewports; no console errors. Screenshots in
 * app/test-results/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, Transaction } from '@solana/web3.js';
import { REPO_ROOT } from '@zkpin/sdk/testing';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { APP_DIR, buildApp, serveApp, type AppServer } from '../../scripts/lib/app-server.ts';
import { startRpcNetwork, type RpcNetwork } from '../../scripts/lib/rpc-network.ts';
import { TEST_WALLET_NAME, installTestWallet } from './support/test-wallet.ts';

const SHOTS = join(APP_DIR, 'test-results');
const CHROMIUM = '/usr/bin/chromium';

let net: RpcNetwork;
let app: AppServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  net = await startRpcNetwork({ devices: 2, rate: 1, log: () => undefined });
  await buildApp();
  app = await serveApp({
    rpcUrl: net.validator.rpcUrl,
    wsUrl: net.validator.wsUrl,
    indexerUrl: net.indexerUrl,
    pipelineStatusUrl: net.pipelineStatusUrl,
    manifest: net.manifest,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await net?.stop();
});

/** A page whose console errors and uncaught exceptions are collected. */
async function open(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

/**
 * Opens an action's confirmation (`ask`), signs, and returns the outcome's text. A device that
 * reports while the owner signs can make the proof stale after the app's simulation (the app
 * then says `InvalidDeviceProof … try again`): like an owner, the test tries again.
 */
async function signUntilDone(page: Page, ask: () => Promise<void>): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    await ask();
    await page.getByRole('button', { name: 'Sign and send' }).click();
    const outcome = page.locator(
      '.actions [role=status], .actions [role=alert]:not(:has-text("not a Solana"))',
    );
    await outcome.waitFor({ timeout: 60_000 });
    const text = (await outcome.textContent()) ?? '';
    if (!/try again/.test(text) || attempt === 4) return text;
  }
}

describe('owner app', () => {
  it('an owner sees their device, its records arrive, and one verifies in the browser; a tampered one does not', async () => {
    const owned = net.sim.devices[0]!;
    const deviceKey = new PublicKey(owned.keys.ed25519.publicKey).toBase58();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, errors } = await open(context);
    await installTestWallet(page, owned.owner);
    await page.goto(app.url);
    await page.getByRole('heading', { name: 'My devices' }).waitFor();
    await page.getByText('Connect a wallet to see the devices it owns.').waitFor();
    // On a local cluster the development wallet is offered too, labelled as such.
    await page.getByRole('button', { name: /local development wallet/ }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'devices-disconnected.png') });

    await page.getByRole('button', { name: `Connect ${TEST_WALLET_NAME}` }).click();
    const link = page.getByRole('link', {
      name: `${deviceKey.slice(0, 4)}…${deviceKey.slice(-4)}`,
    });
    await link.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'devices.png') });
    await link.click();
    await page.getByRole('heading', { name: /^Device / }).waitFor();

    // Records arrive as the pipeline attests readings (proved, relayed, indexed).
    const verify = page.getByRole('button', { name: 'Verify' }).first();
    const deadline = Date.now() + 240_000;
    while (!(await verify.isVisible())) {
      if (Date.now() > deadline) throw new Error('no record reached the device page');
      await page.waitForTimeout(2_000);
      await page.reload();
      await page.getByRole('heading', { name: /^Device / }).waitFor();
    }
    // The oracle's status endpoint names the state of recent readings: one is recorded.
    await page.locator('.pipeline-item.state-recorded').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'device.png') });
    await verify.click();
    const verdict = page.locator('.verdict');
    await verdict.waitFor({ timeout: 30_000 });
    expect(await verdict.textContent()).toMatch(/^Valid/);
    const ms = Number(/\((\d+) ms\)/.exec((await verdict.textContent()) ?? '')?.[1]);
    expect(ms).toBeGreaterThan(0);
    expect(await page.locator('.checks li.ok').count()).toBe(4);
    await page.screenshot({ path: join(SHOTS, 'verify-valid.png') });

    // The indexer's answer altered on the way (a better score): caught by the first check.
    await page.route(net.indexerUrl, async (route) => {
      const body = route.request().postDataJSON() as { method?: string } | null;
      const res = await route.fetch();
      if (body?.method !== 'getRecordProof') return route.fulfill({ response: res });
      const json = (await res.json()) as {
        result: { value: { record: { score: string } } };
      };
      const r = json.result.value.record;
      r.score = (BigInt(r.score) + 1000n).toString();
      return route.fulfill({ response: res, json });
    });
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Verify' }).first().click();
    await verdict.waitFor();
    expect(await verdict.textContent()).toMatch(/^Invalid: Record matches its leaf/);
    expect(await page.locator('.checks li.failed').count()).toBe(1);
    expect(await page.locator('.checks li.skipped').count()).toBe(3);
    await page.screenshot({ path: join(SHOTS, 'verify-tampered.png') });
    await page.unroute(net.indexerUrl);
    // With two records or more, the score chart: one point per record shown.
    const rows = page.locator('li.record');
    for (const until = Date.now() + 120_000; (await rows.count()) < 2;) {
      if (Date.now() > until) throw new Error('no second record reached the device page');
      await page.waitForTimeout(2_000);
      await page.reload();
      await page.getByRole('heading', { name: /^Device / }).waitFor();
      await rows.first().waitFor();
    }
    await page.locator('figure.chart').waitFor();
    expect(await page.locator('figure.chart circle.point').count()).toBe(await rows.count());
    expect(await page.locator('figure.chart figcaption').textContent()).toMatch(
      /^Score over time, \d+ records; /,
    );
    await page.screenshot({ path: join(SHOTS, 'device-chart.png') });
    expect(errors).toEqual([]);
    await context.close();
  }, 420_000);

  it('the owner transfers one device and revokes another, each one signed transaction; a revoked device takes no more', async () => {
    const [a, b] = [net.sim.devices[0]!, net.sim.devices[1]!];
    const keyOf = (d: typeof a) => new PublicKey(d.keys.ed25519.publicKey).toBase58();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, errors } = await open(context);
    await installTestWallet(page, b.owner);
    await page.goto(app.url);
    await page.getByRole('button', { name: `Connect ${TEST_WALLET_NAME}` }).click();

    // Revoke b's own device: a confirmation step, then one transaction the wallet signs.
    await page.goto(`${app.url}#/device/${keyOf(b)}`);
    expect(
      await signUntilDone(page, async () => {
        await page.getByRole('button', { name: 'Revoke…' }).click();
        await page.getByText('This cannot be undone.').waitFor();
        await page.screenshot({ path: join(SHOTS, 'revoke-confirm.png') });
      }),
    ).toMatch(/^Revoked: transaction/);
    await page.locator('.facts dd', { hasText: 'revoked' }).waitFor({ timeout: 30_000 });
    // The owner actions are gone for a revoked device; the chain agrees.
    expect(await page.getByRole('button', { name: 'Revoke…' }).count()).toBe(0);
    const revoked = await net.indexerClient.getDevice({ device: keyOf(b) });
    expect(revoked.value.status).toBe(2);

    // Transfer a's device to b's wallet, signed by a's owner.
    // Its own browser profile: the wallet a page connected last is remembered per profile.
    const contextA = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page: pageA, errors: errorsA } = await open(contextA);
    await installTestWallet(pageA, a.owner);
    await pageA.goto(`${app.url}#/device/${keyOf(a)}`);
    await pageA.getByRole('button', { name: `Connect ${TEST_WALLET_NAME}` }).click();
    await pageA.getByLabel('New owner').fill('not-an-address');
    await pageA.getByRole('button', { name: 'Transfer…' }).click();
    await pageA.getByRole('alert').filter({ hasText: 'is not a Solana address' }).waitFor();
    await pageA.getByLabel('New owner').fill(b.owner.publicKey.toBase58());
    expect(
      await signUntilDone(pageA, () => pageA.getByRole('button', { name: 'Transfer…' }).click()),
    ).toMatch(/^Transferred: transaction/);
    await pageA
      .locator('.facts dd', { hasText: b.owner.publicKey.toBase58() })
      .waitFor({ timeout: 30_000 });
    await pageA.screenshot({ path: join(SHOTS, 'transferred.png') });
    // a's wallet no longer owns it: no owner actions.
    expect(await pageA.getByRole('button', { name: 'Transfer…' }).count()).toBe(0);
    // b's wallet now lists it among its devices.
    await page.goto(app.url);
    await page
      .getByRole('link', { name: `${keyOf(a).slice(0, 4)}…${keyOf(a).slice(-4)}` })
      .waitFor({ timeout: 30_000 });
    expect([...errors, ...errorsA]).toEqual([]);
    await contextA.close();
    await context.close();
  }, 240_000);

  it('onboards a device from its bundle: checked in the browser, one signed transaction, the device appears', async () => {
    const owner = Keypair.generate();
    await net.chain.send(
      new Transaction().add(
        SystemProgram.transfer({
          fromPubkey: net.payer.publicKey,
          toPubkey: owner.publicKey,
          lamports: LAMPORTS_PER_SOL,
        }),
      ),
      [net.payer],
    );
    // The bundle as the simulated firmware prints it (npm run bundle): JSON after a QR code.
    const bundleFor = (who: PublicKey) => {
      const out = execFileSync(
        'npx',
        [
          'tsx',
          'scripts/onboarding-bundle.ts',
          '--deployment',
          net.dir,
          '--owner',
          who.toBase58(),
          '--keys',
          join(keysDir, `${who.toBase58()}.json`),
        ],
        { cwd: REPO_ROOT, encoding: 'utf8' },
      );
      const json = out.trim().split('\n').pop()!;
      expect(out).toContain('▄'); // the QR code came first
      return json;
    };
    const keysDir = mkdtempSync(join(tmpdir(), 'zkpin-device-keys-'));
    const bundle = bundleFor(owner.publicKey);
    const deviceKey = (JSON.parse(bundle) as { device: string }).device;

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, errors } = await open(context);
    await installTestWallet(page, owner);
    await page.goto(app.url);
    await page.getByRole('button', { name: `Connect ${TEST_WALLET_NAME}` }).click();
    await page.getByRole('link', { name: 'Add a device' }).click();
    // A bundle the device made for another wallet is refused before anything is signed.
    await page.getByLabel('Onboarding bundle').fill(bundleFor(Keypair.generate().publicKey));
    await page.getByRole('alert').filter({ hasText: 'not for the connected wallet' }).waitFor();
    // An altered one too.
    await page
      .getByLabel('Onboarding bundle')
      .fill(bundleFor(owner.publicKey).replace('"modelId":1', '"modelId":2'));
    await page
      .getByRole('alert')
      .filter({ hasText: "maker's approval signature does not verify" })
      .waitFor();
    await page.getByLabel('Onboarding bundle').fill(bundle);
    await page.getByRole('heading', { name: 'What will be registered' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'onboard.png') });
    await page.getByRole('button', { name: 'Register (sign one transaction)' }).click();
    await page.waitForURL(`**/#/device/${deviceKey}`, { timeout: 60_000 });
    await page
      .locator('.facts dd', { hasText: owner.publicKey.toBase58() })
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'onboarded.png') });
    // The same approval cannot register a second device leaf.
    await page.goto(`${app.url}#/add`);
    await page.getByLabel('Onboarding bundle').fill(bundle);
    await page.getByRole('button', { name: 'Register (sign one transaction)' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /\(60\d\d\)/ })
      .waitFor({ timeout: 30_000 });
    expect(errors).toEqual([]);
    await context.close();
    rmSync(keysDir, { recursive: true, force: true });
  }, 240_000);

  it('fits a phone: the device list and the wallet bar on a 390×844 viewport', async () => {
    const owned = net.sim.devices[1]!;
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const { page, errors } = await open(context);
    await installTestWallet(page, owned.owner);
    await page.goto(app.url);
    await page.getByRole('button', { name: `Connect ${TEST_WALLET_NAME}` }).click();
    await page.locator('table.devices tbody tr').first().waitFor({ timeout: 30_000 });
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await page.screenshot({ path: join(SHOTS, 'devices-phone.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
