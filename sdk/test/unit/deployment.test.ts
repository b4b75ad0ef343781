/** The deployment manifest: what parses, what is refused and why, and how services resolve it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Keypair } from '@solana/web3.js';
import {
  DeploymentManifestError,
  LOCALNET_PROGRAM_IDS,
  deploymentProgramIds,
  deploymentTrees,
  parseDeploymentManifest,
  type DeploymentManifest,
} from '@zkpin/sdk';
import { readDeploymentManifest, serviceDeployment } from '@zkpin/sdk/node';

const key = () => Keypair.generate().publicKey.toBase58();
const hex = 'ab'.repeat(32);
const tree = (depth: number) => ({
  address: key(),
  maxDepth: depth,
  maxBufferSize: 64,
  canopyDepth: 0,
});

function manifest(): DeploymentManifest {
  const program = () => ({ id: key(), programData: key(), upgradeAuthority: key(), sha256: hex });
  return {
    version: 1,
    cluster: { name: 'local', rpcUrl: 'http://127.0.0.1:8899', genesisHash: key() },
    programs: { deviceRegistry: program(), inferenceAttestation: program() },
    network: { address: key(), authority: key(), permissionless: false, oracles: [key()] },
    makers: [{ address: key(), authority: key(), name: 'acme' }],
    models: [
      {
        id: 1,
        address: key(),
        version: 1,
        vkHash: hex,
        onnxSha256: hex,
        circuitSha256: hex,
        window: 16,
        classes: 4,
        insecureDevKeys: true,
      },
    ],
    trees: { device: tree(20), record: tree(24) },
    lookupTable: null,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'zkpin-manifest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('deployment manifest', () => {
  it('lists every tree: trees.shards, else the first tree of each kind', () => {
    const m = manifest();
    expect(deploymentTrees(parseDeploymentManifest(m))).toEqual({
      device: [m.trees.device],
      record: [m.trees.record],
    });
    const sharded = {
      ...m,
      trees: {
        ...m.trees,
        shards: { device: [m.trees.device, tree(20)], record: [m.trees.record, tree(24)] },
      },
    };
    expect(deploymentTrees(parseDeploymentManifest(sharded))).toEqual(sharded.trees.shards);
    const empty = { ...m, trees: { ...m.trees, shards: { device: [], record: [] } } };
    expect(() => parseDeploymentManifest(empty)).toThrow(/trees\.shards\.device/);
  });

  it('parses and gives the program ids', () => {
    const m = manifest();
    const ids = deploymentProgramIds(parseDeploymentManifest(m));
    expect(ids.deviceRegistry.toBase58()).toBe(m.programs.deviceRegistry.id);
    expect(ids.inferenceAttestation.toBase58()).toBe(m.programs.inferenceAttestation.id);
  });

  it('names every bad field', () => {
    const m = manifest();
    const bad = { ...m, version: 2, extra: true } as Record<string, unknown>;
    m.programs.deviceRegistry.id = 'not-base58-0OIl';
    m.trees.record.maxDepth = 0;
    m.models[0]!.window = 466;
    m.models[0]!.classes = 1;
    let err: unknown;
    try {
      parseDeploymentManifest(bad, 'm.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeploymentManifestError);
    const issues = (err as DeploymentManifestError).issues.join('\n');
    expect(issues).toMatch(/^version:/m);
    expect(issues).toMatch(/^programs\.deviceRegistry\.id: expected a base58 address/m);
    expect(issues).toMatch(/^trees\.record\.maxDepth:/m);
    expect(issues).toMatch(/^models\.0\.window:/m);
    expect(issues).toMatch(/^models\.0\.classes:/m);
    expect(issues).toMatch(/extra/);
    expect((err as Error).message).toMatch(/^m\.json is not a valid zkpin deployment manifest/);
  });

  it('refuses a 44-character string that is not a 32-byte address', () => {
    const m = manifest();
    m.network.address = 'z'.repeat(44);
    expect(() => parseDeploymentManifest(m)).toThrow(/network\.address: not a 32-byte address/);
  });

  it('services: the manifest, or NETWORK on the localnet ids; a mismatch is refused', () => {
    const m = manifest();
    const path = join(dir, 'manifest.json');
    writeFileSync(path, JSON.stringify(m));
    const d = serviceDeployment({ deployment: path });
    expect(d.rpcUrl).toBe(m.cluster.rpcUrl);
    expect(d.network.toBase58()).toBe(m.network.address);
    expect(d.programIds.deviceRegistry.toBase58()).toBe(m.programs.deviceRegistry.id);
    expect(serviceDeployment({ deployment: path, rpcUrl: 'http://other:1' }).rpcUrl).toBe(
      'http://other:1',
    );
    expect(() => serviceDeployment({ deployment: path, network: key() })).toThrow(
      /is not the network of ZKPIN_DEPLOYMENT/,
    );
    const plain = serviceDeployment({ network: m.network.address, rpcUrl: 'http://x:1' });
    expect(plain.programIds).toBe(LOCALNET_PROGRAM_IDS);
    expect(() => serviceDeployment({})).toThrow(/set ZKPIN_DEPLOYMENT/);
  });

  it('a missing or broken file says so', () => {
    expect(() => readDeploymentManifest(join(dir, 'nope.json'))).toThrow(
      /cannot read it: .*run migrations\/deploy\.ts/,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"version": 1,');
    expect(() => readDeploymentManifest(bad)).toThrow(/not JSON/);
  });
});
