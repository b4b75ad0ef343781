/** deploy.json, the deployment directory's keys, and what a non-local cluster refuses. */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVICE_TREE_SHAPE } from '@zkpin/sdk';
import { clusterName, keypairFile, readDeployConfig } from '../lib/config.ts';
import { loadModel } from '../lib/deploy-network.ts';

const dir = mkdtempSync(join(tmpdir(), 'zkpin-deploy-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('deploy.json', () => {
  it('defaults make a local network: one oracle and one maker of ours, the dev model', () => {
    const c = readDeployConfig(dir);
    expect(c.oracles).toEqual([{ keypair: 'keys/oracle.json' }]);
    expect(c.makers).toEqual([{ name: 'zkpin devkits', keypair: 'keys/maker.json' }]);
    expect(c.models).toEqual([
      { artifacts: 'dev:1', version: 1 },
      { artifacts: 'dev:2', version: 1 },
    ]);
    expect(c.trees.device).toEqual(DEVICE_TREE_SHAPE);
    expect(c.trees.shards).toBe(5); // LOCAL_NETWORK_SHARDS device trees and record trees
    expect(c.lookupTable).toBe(true);
  });

  it('names each bad field', () => {
    const d = mkdtempSync(join(dir, 'bad-'));
    writeFileSync(
      join(d, 'deploy.json'),
      JSON.stringify({
        oracles: [{ address: 'nope' }],
        trees: { device: { maxDepth: 99, maxBufferSize: 64, canopyDepth: 0 }, shards: 0 },
        typo: 1,
      }),
    );
    expect(() => readDeployConfig(d)).toThrow(/oracles\.0/);
    expect(() => readDeployConfig(d)).toThrow(/trees\.device\.maxDepth/);
    expect(() => readDeployConfig(d)).toThrow(/trees\.shards/);
    expect(() => readDeployConfig(d)).toThrow(/typo/);
  });

  it('keys are created once, owner-only, and read back', () => {
    const path = join(dir, 'keys', 'k.json');
    const a = keypairFile(path);
    expect(a.created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const b = keypairFile(path);
    expect(b.created).toBe(false);
    expect(b.key.publicKey.equals(a.key.publicKey)).toBe(true);
  });

  it('cluster names from URLs', () => {
    expect(clusterName('http://127.0.0.1:8899')).toBe('local');
    expect(clusterName('https://api.devnet.solana.com')).toBe('devnet');
    expect(clusterName('https://api.mainnet-beta.solana.com')).toBe('mainnet-beta');
    expect(clusterName('https://rpc.example.org')).toBe('rpc.example.org');
  });

  it('the INSECURE development keys are refused outside a local cluster', async () => {
    await expect(loadModel(dir, 'devnet', { artifacts: 'dev', version: 1 })).rejects.toThrow(
      /INSECURE development ceremony .* refused on devnet/,
    );
    await expect(
      loadModel(dir, 'mainnet-beta', { artifacts: 'dev:2', version: 1 }),
    ).rejects.toThrow(/"dev:2" names the INSECURE development ceremony .* refused on mainnet-beta/);
    await expect(
      loadModel(dir, 'mainnet-beta', { artifacts: 'missing.json', version: 1 }),
    ).rejects.toThrow(/artifacts file .*missing\.json/);
  });
});
