/**
 * The deployment manifest: what `migrations/deploy.ts` deployed to one cluster (program ids,
 * network, makers, models with their verifying-key hashes, trees, the relayer's lookup
 * table). Every service reads it (`ZKPIN_DEPLOYMENT`) instead of separate variables, and the
 * app can load it in a browser: this module is isomorphic (parsing only, no file access).
 */
import { PublicKey } from '@solana/web3.js';
import { z } from 'zod';
import type { ProgramIds } from './program-ids.ts';
import type { TreeShape } from './tree-account.ts';
import { MAX_CLASSES, MAX_WINDOW, MIN_CLASSES } from './model-shape.ts';

export const DEPLOYMENT_MANIFEST_VERSION = 1;

const address = z
  .string()
  .regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'expected a base58 address')
  .refine((s) => {
    try {
      return new PublicKey(s).toBase58() === s;
    } catch {
      return false;
    }
  }, 'not a 32-byte address');
const hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits');

const programSchema = z.strictObject({
  id: address,
  programData: address,
  /** null once the program is immutable. */
  upgradeAuthority: address.nullable(),
  /** sha256 of the deployed `.so` (built for this deployment's ids). */
  sha256: hex32,
});

const treeSchema = z.strictObject({
  address,
  maxDepth: z.number().int().min(1).max(30),
  maxBufferSize: z.number().int().min(1),
  canopyDepth: z.number().int().min(0),
});

export const deploymentManifestSchema = z.strictObject({
  version: z.literal(DEPLOYMENT_MANIFEST_VERSION),
  cluster: z.strictObject({
    /** `local`, `devnet`, `mainnet-beta`, or a name the operator chose. */
    name: z.string().min(1),
    rpcUrl: z.string().url(),
    /** Tells one cluster from another (a local validator's changes when its ledger is reset). */
    genesisHash: z.string().min(32),
  }),
  programs: z.strictObject({
    deviceRegistry: programSchema,
    inferenceAttestation: programSchema,
  }),
  network: z.strictObject({
    address,
    authority: address,
    permissionless: z.boolean(),
    oracles: z.array(address),
  }),
  makers: z.array(z.strictObject({ address, authority: address, name: z.string() })),
  models: z.array(
    z.strictObject({
      id: z.number().int().min(0).max(0xffff_ffff),
      address,
      version: z.number().int().min(0),
      /** `verifyingKeyHash` of the registered key (sha256 of its encoding). */
      vkHash: hex32,
      onnxSha256: hex32,
      circuitSha256: hex32,
      /** Readings per inference (the model account's `window`). */
      window: z.number().int().min(1).max(MAX_WINDOW),
      /** Number of classes (the model account's `classes`). */
      classes: z.number().int().min(MIN_CLASSES).max(MAX_CLASSES),
      /** What each class means (from the artifacts file; absent: apps say `class <n>`). */
      classNames: z.array(z.string().min(1).max(32)).optional(),
      /** Registered from the INSECURE development ceremony (local clusters only). */
      insecureDevKeys: z.boolean(),
    }),
  ),
  /**
   * `device` and `record`: the first tree of each kind; `shards` (absent: just those two):
   * every device tree and record tree of the network, the first ones included.
   */
  trees: z.strictObject({
    device: treeSchema,
    record: treeSchema,
    shards: z
      .strictObject({ device: z.array(treeSchema).min(1), record: z.array(treeSchema).min(1) })
      .optional(),
  }),
  /** The relayer's address lookup table (null: legacy transactions). */
  lookupTable: address.nullable(),
});

export type DeploymentManifest = z.infer<typeof deploymentManifestSchema>;
export type DeploymentTree = z.infer<typeof treeSchema>;

/** Every device tree and record tree of a deployment (the shards; else the two trees). */
export function deploymentTrees(m: Pick<DeploymentManifest, 'trees'>): {
  device: DeploymentTree[];
  record: DeploymentTree[];
} {
  return m.trees.shards ?? { device: [m.trees.device], record: [m.trees.record] };
}

/** A manifest that does not parse; `issues` names each bad field. */
export class DeploymentManifestError extends Error {
  override name = 'DeploymentManifestError';
  readonly code = 'INVALID_DEPLOYMENT_MANIFEST';
  constructor(
    readonly issues: string[],
    source = 'deployment manifest',
  ) {
    super(`${source} is not a valid zkpin deployment manifest:\n  ${issues.join('\n  ')}`);
  }
}

/** Checks a parsed JSON value against the manifest schema. */
export function parseDeploymentManifest(json: unknown, source?: string): DeploymentManifest {
  const r = deploymentManifestSchema.safeParse(json);
  if (r.success) return r.data;
  throw new DeploymentManifestError(
    r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    source,
  );
}

/** The deployment's program ids, for the clients (`deviceRegistryProgram(provider, ids)`, ...). */
export function deploymentProgramIds(m: DeploymentManifest): ProgramIds {
  return {
    deviceRegistry: new PublicKey(m.programs.deviceRegistry.id),
    inferenceAttestation: new PublicKey(m.programs.inferenceAttestation.id),
  };
}

/** The cluster's name from its JSON-RPC URL: local (a loopback host), devnet, testnet, mainnet-beta, or the host. */
export function clusterName(rpcUrl: string): string {
  const host = new URL(rpcUrl).hostname;
  if (host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]')
    return 'local';
  for (const c of ['devnet', 'testnet', 'mainnet-beta'])
    if (host.includes(c.replace('-beta', ''))) return c;
  return host;
}

/**
 * Whether a JSON-RPC URL is a validator on this machine: the one rule for what only a local
 * cluster may have (the INSECURE development keys, airdrops). It reads the URL, not a
 * manifest's `cluster.name`, which is a label the operator chooses.
 */
export function isLocalCluster(rpcUrl: string): boolean {
  return clusterName(rpcUrl) === 'local';
}

export function treeShapeOf(t: DeploymentTree): TreeShape {
  return { maxDepth: t.maxDepth, maxBufferSize: t.maxBufferSize, canopyDepth: t.canopyDepth };
}
