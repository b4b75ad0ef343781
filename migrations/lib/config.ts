/**
 * What a deployment is made of, read from `<dir>/deploy.json` (all optional; the defaults
 * make a local network), and the deployment directory's keypairs.
 *
 *   {
 *     "cluster": "devnet",                       // default: from SOLANA_RPC_URL
 *     "network": { "permissionless": false },
 *     "oracles": [{ "address": "<base58>" }, { "keypair": "keys/oracle-1.json" }],
 *     "makers": [{ "name": "Acme sensors", "address": "<maker's ed25519 key>" }],
 *     "models": [{ "artifacts": "/path/to/artifacts.json", "version": 1 }],
 *     "trees": { "device": { "maxDepth": 20, "maxBufferSize": 64, "canopyDepth": 10 }, "shards": 5 },
 *     "upgradeAuthority": "<base58>",            // handed over after deploying
 *     "lookupTable": true
 *   }
 *
 * A key given by `keypair` (a Solana CLI JSON file, relative to the directory) is created
 * there when missing; one given by `address` belongs to someone else (a maker who creates its
 * own approval pages, an oracle whose key stays on its machine). `"artifacts": "dev:<model id>"`
 * names the INSECURE development keys of a shipped model (`"dev"`: model 1), refused on any
 * cluster but a local one; without `models`, every shipped model is registered that way.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { Keypair, PublicKey } from '@solana/web3.js';
import { z } from 'zod';
import { DEVICE_TREE_SHAPE, LOCAL_NETWORK_SHARDS, RECORD_TREE_SHAPE } from '@zkpin/sdk';

const address = z
  .string()
  .regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'expected a base58 address')
  .transform((s, ctx) => {
    try {
      return new PublicKey(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a 32-byte address' });
      return z.NEVER;
    }
  });
const keyRef = z.union([
  z.strictObject({ keypair: z.string().min(1) }),
  z.strictObject({ address }),
]);
const shape = z.strictObject({
  maxDepth: z.number().int().min(3).max(30),
  maxBufferSize: z.number().int().min(8).max(2048),
  canopyDepth: z.number().int().min(0).max(17),
});

export const deployConfigSchema = z.strictObject({
  cluster: z.string().min(1).optional(),
  network: z
    .strictObject({
      /** The network authority's keypair (default: the payer). */
      authority: z.string().min(1).optional(),
      permissionless: z.boolean().default(false),
    })
    .default({ permissionless: false }),
  oracles: z
    .array(keyRef)
    .max(8)
    .default([{ keypair: 'keys/oracle.json' }]),
  makers: z
    .array(
      z.union([
        z.strictObject({ name: z.string().min(1).max(32), keypair: z.string().min(1) }),
        z.strictObject({ name: z.string().min(1).max(32), address }),
      ]),
    )
    .default([{ name: 'zkpin devkits', keypair: 'keys/maker.json' }]),
  models: z
    .array(
      z.strictObject({
        artifacts: z.string().min(1),
        version: z.number().int().min(0).default(1),
      }),
    )
    .min(1)
    // The shipped models' development keys (circuits/tools/models.ts: model 1 takes windows of
    // 16 readings, model 2 of 48).
    .default([
      { artifacts: 'dev:1', version: 1 },
      { artifacts: 'dev:2', version: 1 },
    ]),
  trees: z
    .strictObject({
      device: shape.optional(),
      record: shape.optional(),
      /** Device trees and record trees (each kind) the network spreads over (docs/programs.md, "Shards"). */
      shards: z.number().int().min(1).max(64).optional(),
    })
    .default({})
    .transform((t) => ({
      device: t.device ?? DEVICE_TREE_SHAPE,
      record: t.record ?? RECORD_TREE_SHAPE,
      shards: t.shards ?? LOCAL_NETWORK_SHARDS,
    })),
  upgradeAuthority: address.optional(),
  lookupTable: z.boolean().default(true),
});
export type DeployConfig = z.infer<typeof deployConfigSchema>;

export function readDeployConfig(dir: string): DeployConfig {
  const path = join(dir, 'deploy.json');
  let json: unknown = {};
  if (existsSync(path)) {
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new Error(`${path}: not JSON: ${(e as Error).message}`);
    }
  }
  const r = deployConfigSchema.safeParse(json);
  if (!r.success)
    throw new Error(
      `${path}:\n  ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('\n  ')}`,
    );
  return r.data;
}

/** A Solana CLI keypair file (a JSON array of 64 bytes). */
export function readKeypair(path: string): Keypair {
  let bytes: unknown;
  try {
    bytes = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`keypair ${path}: ${(e as Error).message}`);
  }
  if (!Array.isArray(bytes) || bytes.length !== 64)
    throw new Error(`keypair ${path}: expected a JSON array of 64 bytes (solana-keygen's format)`);
  return Keypair.fromSecretKey(Uint8Array.from(bytes as number[]));
}

/** The keypair at `path`, created (owner-only permissions, atomically) when missing. */
export function keypairFile(path: string): { key: Keypair; created: boolean } {
  if (existsSync(path)) return { key: readKeypair(path), created: false };
  const key = Keypair.generate();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(Array.from(key.secretKey)) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
  return { key, created: true };
}

export function resolveIn(dir: string, path: string): string {
  return isAbsolute(path) ? path : join(dir, path);
}

/** A configured key: ours (a keypair file in the directory) or someone else's (an address). */
export type ResolvedKey = { address: PublicKey; keypair?: Keypair; file?: string };

export function resolveKey(
  dir: string,
  ref: { keypair: string } | { address: PublicKey },
): ResolvedKey {
  if ('address' in ref) return { address: ref.address };
  const file = resolveIn(dir, ref.keypair);
  const { key } = keypairFile(file);
  return { address: key.publicKey, keypair: key, file };
}

/** The cluster's name from its URL; the rule lives in the sdk (the oracle applies it too). */
export { clusterName, isLocalCluster } from '@zkpin/sdk';
