/**
 * What a device's firmware does at provisioning and onboarding, for a simulated device:
 *
 * - `npm run bundle -- --owner <address> [--deployment deployments/local] [--keys FILE] [--model ID]`
 *   creates the device's keys (ed25519 identity + BabyJubJub; saved to --keys, default a new
 *   file under the deployment's devices/, so the device can publish readings later), has the
 *   deployment's maker approve them (the maker key in keys/maker.json, as a maker's
 *   provisioning line would), signs the claim naming the owner, and prints the onboarding
 *   bundle as JSON and as a QR code in the terminal. The owner scans or pastes it (or the
 *   file) into the app's "Add a device" page.
 * - `--request [--keys FILE]`: creates the keys and prints only the device's provisioning
 *   request line, `<device> <bjjKeyHash>`, for a maker to approve (the app's maker page).
 * - `--approvals FILE --keys FILE --owner <address>`: the device, provisioned from its keys
 *   file, takes its approval from a maker's approvals file and prints its bundle for `owner`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { PublicKey } from '@solana/web3.js';
import QRCode from 'qrcode';
import {
  DeviceEd25519Key,
  bjjKeyHashBytes,
  findDeviceApproval,
  fromHex,
  onboardingBundle,
  provisioningRequestLine,
  signApproval,
  signClaim,
  toHex,
  type DeploymentManifest,
} from '@zkpin/sdk';
import { generateDeviceKeys, readDeploymentManifest } from '@zkpin/sdk/node';
import { REPO_ROOT } from '@zkpin/sdk/testing';
import { readKeypair } from '../migrations/lib/config.ts';

const { values: args } = parseArgs({
  options: {
    owner: { type: 'string' },
    deployment: { type: 'string', default: join(REPO_ROOT, 'deployments', 'local') },
    keys: { type: 'string' },
    serial: { type: 'string' },
    'valid-days': { type: 'string', default: '30' },
    request: { type: 'boolean', default: false },
    approvals: { type: 'string' },
    model: { type: 'string' },
  },
});

type Keys = Awaited<ReturnType<typeof generateDeviceKeys>>;

/** Saves a device's keys (mode 0600): its firmware's secret. */
function saveKeys(file: string, keys: Keys): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify(
      {
        device: new PublicKey(keys.ed25519.publicKey).toBase58(),
        ed25519Seed: toHex(keys.ed25519.seed),
        babyJubPrivateKey: toHex(keys.babyJub.privateKey),
      },
      null,
      2,
    ) + '\n',
    { mode: 0o600 },
  );
}

async function loadKeys(file: string): Promise<Keys> {
  const k = JSON.parse(readFileSync(file, 'utf8')) as {
    ed25519Seed?: string;
    babyJubPrivateKey?: string;
  };
  if (!k.ed25519Seed || !k.babyJubPrivateKey)
    throw new Error(`${file}: not a device keys file (ed25519Seed, babyJubPrivateKey)`);
  return generateDeviceKeys({
    ed25519: fromHex(k.ed25519Seed),
    babyJub: fromHex(k.babyJubPrivateKey),
  });
}

async function printBundle(json: string): Promise<void> {
  process.stdout.write(`${await QRCode.toString(json, { type: 'terminal', small: true })}\n`);
  process.stdout.write(`${json}\n`);
}

async function main(): Promise<void> {
  const dir = args.deployment;
  if (args.request) {
    const keys = await generateDeviceKeys();
    const device = new PublicKey(keys.ed25519.publicKey);
    const keysFile = args.keys ?? join(dir, 'devices', `${device.toBase58()}.json`);
    saveKeys(keysFile, keys);
    process.stdout.write(
      `${provisioningRequestLine(device, bjjKeyHashBytes(keys.babyJub.publicKey))}\n`,
    );
    process.stderr.write(`device ${device.toBase58()}: keys in ${keysFile} (keep them secret)\n`);
    return;
  }
  if (!args.owner) throw new Error('--owner <address>: the wallet that will own the device');
  const owner = new PublicKey(args.owner);
  if (args.approvals) {
    if (!args.keys) throw new Error('--approvals needs --keys: the device the approval is for');
    const keys = await loadKeys(args.keys);
    const approval = findDeviceApproval(
      readFileSync(args.approvals, 'utf8'),
      new PublicKey(keys.ed25519.publicKey),
    );
    await printBundle(
      JSON.stringify(
        onboardingBundle(approval, signClaim(keys.ed25519, approval, owner.toBytes()), owner),
      ),
    );
    return;
  }
  const manifest: DeploymentManifest = readDeploymentManifest(join(dir, 'manifest.json'));
  const maker = manifest.makers[0];
  const model = args.model
    ? manifest.models.find((m) => m.id === Number(args.model))
    : manifest.models[0];
  if (!maker || !model)
    throw new Error(
      args.model
        ? `${dir}: the deployment has no model ${args.model} (models ${manifest.models.map((m) => m.id).join(', ')})`
        : `${dir}: the deployment has no maker or no model`,
    );
  const makerKey = readKeypair(join(dir, 'keys', 'maker.json'));
  const keys = await generateDeviceKeys();
  const approval = signApproval(new DeviceEd25519Key(makerKey.secretKey.slice(0, 32)), {
    network: new PublicKey(manifest.network.address).toBytes(),
    maker: new PublicKey(maker.address).toBytes(),
    device: keys.ed25519.publicKey,
    bjjKeyHash: bjjKeyHashBytes(keys.babyJub.publicKey),
    modelId: model.id,
    // A serial this maker has not used: random within the first approval page.
    serial: args.serial ? Number(args.serial) : 1_000 + Math.floor(Math.random() * 60_000),
    expiresAt: BigInt(Math.floor(Date.now() / 1000) + Number(args['valid-days']) * 86_400),
  });
  const device = new PublicKey(keys.ed25519.publicKey).toBase58();
  const keysFile = args.keys ?? join(dir, 'devices', `${device}.json`);
  saveKeys(keysFile, keys);
  await printBundle(
    JSON.stringify(
      onboardingBundle(approval, signClaim(keys.ed25519, approval, owner.toBytes()), owner),
    ),
  );
  process.stderr.write(`device ${device}: keys in ${keysFile} (keep them secret)\n`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
