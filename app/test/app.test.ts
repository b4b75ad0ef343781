/**
 * The owner app in a real browser (Debian's Chromium driven by playwright-core) against the
 * local network on the validator, run as an operator runs it (`startRpcNetwork`: deployment,
 * bridge, oracle and indexer as processes, simulated devices publishing readings): an owner's
 * wallet (a Wallet Standard wallet holding the simulated owner's key) sees its device, the
 * device's records arrive, "Verify" checks one in the browser (valid), and a record the
 * indexer's answer was tampered with on the way shows invalid at the step that caught it; the
 * owner revokes one device and transfers another, each behind a confirmation step and signed
 * by the wallet. A maker approves device keys in bulk with its wallet, and a device carrying
 * one of those approvals is onboarded by scanning its QR code with a (fake) phone camera.
 * Phone and desktop viewports; no console errors. Screenshots in app/test-results/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keypair, LAMPORTS_PER_SOL, PublicKey } from '@solana/web3.js';
import { REPO_ROOT } from '@zkpin/sdk/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  APP_DIR,
  buildApp,
  networkAppConfig,
  serveApp,
  type AppServer,
} from '../../scripts/lib/app-server.ts';
import { startRpcNetwork, type RpcNetwork } from '../../scripts/lib/rpc-network.ts';
import { readKeypair } from '../../migrations/lib/config.ts';
import { launchChromium } from './support/chromium.ts';
import { writeQrVideo } from './support/qr-video.ts';
import { TEST_WALLET_NAME, installTestWallet } from './support/test-wallet.ts';

const SHOTS = join(APP_DIR, 'test-results');

let net: RpcNetwork;
let app: AppServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  net = await startRpcNetwork({ devices: 2, rate: 1, log: () => undefined });
  await buildApp();
  app = await serveApp(networkAppConfig(net));
  browser = await launchChromium();
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

    // Records arrive as the pipeline attests readings (proved, relayed, indexed), on the page
    // as it is: it reads the device and its newest records again by itself (no reload).
    const verify = page.getByRole('button', { name: 'Verify' }).first();
    await verify.waitFor({ timeout: 240_000 });
    // The device's newest reading (its leaf's seq) and its newest record, as shown now.
    const shown = () =>
      page.evaluate(() => ({
        seq: Number(/seq (\d+)/.exec(document.querySelector('.facts')?.textContent ?? '')?.[1]),
        record: Number(document.querySelector('.record .mono')?.textContent?.slice(1)),
      }));
    const before = await shown();
    expect(before.seq).toBeGreaterThan(0);
    expect(before.record).toBeGreaterThan(0);
    await page.waitForFunction(
      (b) =>
        Number(/seq (\d+)/.exec(document.querySelector('.facts')?.textContent ?? '')?.[1]) >
          b.seq &&
        Number(document.querySelector('.record .mono')?.textContent?.slice(1)) > b.record,
      before,
      { timeout: 120_000 },
    );
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
    // The page re-reads the device and its records every 5 s: an open verdict stays as it is,
    // not verified again (no new getRecordProof) each time.
    let proofRequests = 0;
    const countProofRequests = (r: { postData(): string | null }) => {
      if (r.postData()?.includes('"getRecordProof"')) proofRequests++;
    };
    page.on('request', countProofRequests);
    await page.waitForTimeout(11_000);
    page.off('request', countProofRequests);
    expect(proofRequests).toBe(0);
    expect(await verdict.textContent()).toMatch(/^Valid/);

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
    await page.waitForFunction(() => document.querySelectorAll('li.record').length >= 2, null, {
      timeout: 120_000,
    });
    await page.locator('figure.chart').waitFor();
    // Read at once: the list refreshes itself.
    const shownNow = await page.evaluate(() => ({
      points: document.querySelectorAll('figure.chart circle.point').length,
      rows: document.querySelectorAll('li.record').length,
    }));
    expect(shownNow.points).toBe(shownNow.rows);
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
    const owner = await net.fundedWallet();
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
    // The fee shown is the cluster's price of this very transaction (getFeeForMessage).
    const cost = page.getByText(/^fee [0-9.]+ SOL;/);
    await cost.waitFor({ timeout: 30_000 });
    const feeShown = Math.round(
      Number(/^fee ([0-9.]+) SOL;/.exec((await cost.textContent()) ?? '')?.[1]) * LAMPORTS_PER_SOL,
    );
    expect(feeShown).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'onboard.png') });
    await page.getByRole('button', { name: 'Register (sign one transaction)' }).click();
    await page.waitForURL(`**/#/device/${deviceKey}`, { timeout: 60_000 });
    // The page shows the device once the indexer has followed the registration (slower when
    // the machine is loaded: the validator, provers and other suites share its cores).
    await page
      .locator('.facts dd', { hasText: owner.publicKey.toBase58() })
      .waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(SHOTS, 'onboarded.png') });
    // What the owner paid is what the page said (no rent: the device is a tree leaf).
    expect(
      LAMPORTS_PER_SOL - (await net.chain.connection.getBalance(owner.publicKey, 'confirmed')),
    ).toBe(feeShown);
    // The same approval cannot register a second device leaf: the app's simulation says so,
    // in words, before the wallet is asked, and offers no Register button to press.
    await page.goto(`${app.url}#/add`);
    await page.getByLabel('Onboarding bundle').fill(bundle);
    await page
      .getByRole('alert')
      .filter({ hasText: /^It would not register: ApprovalUsed \(60\d\d\)/ })
      .waitFor({ timeout: 30_000 });
    expect(
      await page.getByRole('button', { name: 'Register (sign one transaction)' }).isDisabled(),
    ).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
    rmSync(keysDir, { recursive: true, force: true });
  }, 240_000);

  it('a newcomer onboards a simulated device with the local development wallet, airdropping its fee first', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, errors } = await open(context);
    await page.goto(`${app.url}#/add`);
    await page
      .getByRole('button', {
        name: 'Connect local development wallet (unsafe, local cluster only)',
      })
      .click();
    const who = page.locator('.wallet .who');
    await who.waitFor();
    expect(await who.textContent()).toMatch(/^Development wallet /);
    const address = (await who.getAttribute('title'))!;
    const keys = mkdtempSync(join(tmpdir(), 'zkpin-dev-wallet-'));
    const bundle = execFileSync(
      'npx',
      [
        ...['tsx', 'scripts/onboarding-bundle.ts', '--deployment', net.dir],
        ...['--owner', address, '--keys', join(keys, 'device.json')],
      ],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    )
      .trim()
      .split('\n')
      .pop()!;
    rmSync(keys, { recursive: true, force: true });
    await page.getByLabel('Onboarding bundle').fill(bundle);
    // A new wallet has no SOL: said before anything is signed, with the local way out.
    await page
      .getByRole('alert')
      .filter({ hasText: /^It would not register: the wallet holds 0 SOL/ })
      .waitFor({ timeout: 30_000 });
    await page
      .getByRole('button', { name: 'Airdrop 1 SOL to this wallet (local cluster)' })
      .click();
    const register = page.getByRole('button', { name: 'Register (sign one transaction)' });
    await expect.poll(() => register.isEnabled(), { timeout: 30_000 }).toBe(true);
    await register.click();
    const device = (JSON.parse(bundle) as { device: string }).device;
    await page.waitForURL(`**/#/device/${device}`, { timeout: 60_000 });
    await page.locator('.facts dd', { hasText: address }).waitFor({ timeout: 30_000 });
    // The device's model with its shape, from the indexer's getModels.
    await page
      .locator('.facts dd', { hasText: '16 readings per inference, 4 classes' })
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'onboarded-dev-wallet.png') });
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('a maker approves device keys in bulk with its wallet; a device scanned by the camera registers with its approval', async () => {
    const work = mkdtempSync(join(tmpdir(), 'zkpin-maker-'));
    const cli = (...args: string[]) =>
      execFileSync(
        'npx',
        ['tsx', 'scripts/onboarding-bundle.ts', '--deployment', net.dir, ...args],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
        },
      );
    // Two devices come off the line: each prints its provisioning request.
    const keyFiles = [join(work, 'd1.json'), join(work, 'd2.json')];
    const requests = keyFiles.map((k) => cli('--request', '--keys', k).trim());
    const makerKey = readKeypair(join(net.dir, 'keys', 'maker.json'));

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, errors } = await open(context);
    await installTestWallet(page, makerKey);
    await page.goto(app.url);
    await page.getByRole('link', { name: 'Makers: approve device keys' }).click();
    await page.getByRole('heading', { name: 'Approve devices' }).waitFor();
    await page.getByRole('button', { name: `Connect ${TEST_WALLET_NAME}` }).click();
    // A bad line is named by its number, and nothing can be approved until it is fixed.
    await page.getByLabel('Provisioning requests').fill(`${requests[0]}\nnot a request`);
    await page.getByRole('alert').filter({ hasText: 'line 2: expected' }).waitFor();
    expect(await page.getByRole('button', { name: /^Approve \d+ device/ }).isDisabled()).toBe(true);
    await page.getByLabel('Provisioning requests').fill(requests.join('\n'));
    await page.getByLabel('First serial').fill('200');
    await page.getByRole('button', { name: 'Approve 2 devices' }).click();
    await page.getByRole('heading', { name: '2 approvals signed' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'maker-approvals.png') });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the approvals (JSON)' }).click(),
    ]);
    const approvalsFile = join(work, 'approvals.json');
    await download.saveAs(approvalsFile);
    const approvals = JSON.parse(readFileSync(approvalsFile, 'utf8')) as { serial: number }[];
    expect(approvals.map((a) => a.serial)).toEqual([200, 201]);
    expect(errors).toEqual([]);
    await context.close();

    // The first device meets its owner: it takes its approval and shows its bundle as a QR
    // code, which the owner's phone camera reads (Chromium's fake camera plays that frame).
    const owner = await net.fundedWallet();
    const bundle = cli(
      '--approvals',
      approvalsFile,
      '--keys',
      keyFiles[0]!,
      '--owner',
      owner.publicKey.toBase58(),
    )
      .trim()
      .split('\n')
      .pop()!;
    const deviceKey = (JSON.parse(bundle) as { device: string }).device;
    const video = join(work, 'camera.y4m');
    writeQrVideo(video, bundle);
    const camera = await launchChromium([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ]);
    try {
      const phone = await camera.newContext({
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        permissions: ['camera'],
      });
      const { page: p, errors: phoneErrors } = await open(phone);
      await installTestWallet(p, owner);
      await p.goto(`${app.url}#/add`);
      await p.getByRole('button', { name: `Connect ${TEST_WALLET_NAME}` }).click();
      await p.getByRole('button', { name: 'Scan the QR code with the camera' }).click();
      await p
        .getByRole('heading', { name: 'What will be registered' })
        .waitFor({ timeout: 30_000 });
      expect(await p.getByLabel('Onboarding bundle').inputValue()).toBe(bundle);
      await p.getByText('serial 200,').waitFor();
      await p.screenshot({ path: join(SHOTS, 'onboard-scanned-phone.png'), fullPage: true });
      await p.getByRole('button', { name: 'Register (sign one transaction)' }).click();
      await p.waitForURL(`**/#/device/${deviceKey}`, { timeout: 60_000 });
      await p
        .locator('.facts dd', { hasText: owner.publicKey.toBase58() })
        .waitFor({ timeout: 30_000 });
      expect(phoneErrors).toEqual([]);
      await phone.close();
    } finally {
      await camera.close();
      rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);

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
    // Keyboard only: Tab reaches the device's link, Enter opens its page, and Tab reaches the
    // page's own controls (links and buttons are real ones, in reading order).
    const device = new PublicKey(owned.keys.ed25519.publicKey).toBase58();
    const focused = () =>
      page.evaluate(() => (document.activeElement as HTMLElement | null)?.getAttribute('href'));
    for (let i = 0; (await focused()) !== `#/device/${device}`; i++) {
      if (i === 25) throw new Error('Tab never reached the device link');
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /^Device / }).waitFor();
    // The second device runs the second shipped model: its shape, and its records named with
    // that model's classes (the manifest's classNames), never model 1's.
    expect(owned.model.modelId).toBe(2);
    await page
      .locator('.facts dd', { hasText: '48 readings per inference, 3 classes' })
      .waitFor({ timeout: 30_000 });
    await page.locator('.record').first().waitFor({ timeout: 60_000 });
    const labels = await page.locator('.record-row > span:nth-child(3)').allTextContents();
    expect(labels.length).toBeGreaterThan(0);
    for (const l of labels) expect(['healthy', 'imbalance', 'bearing']).toContain(l.trim());
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toMatch(/^(A|BUTTON)$/);
    // A device the indexer does not know (yet: the onboarding page comes to a device's page
    // right after its registration) is said to be looked for again, not an error.
    await page.goto(`${app.url}#/device/${Keypair.generate().publicKey.toBase58()}`);
    await page.getByRole('status').filter({ hasText: 'not indexed yet' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
