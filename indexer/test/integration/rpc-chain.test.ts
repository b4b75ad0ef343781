/**
 * The indexer over JSON-RPC (RpcChain) against the local validator (zkpin-validator, built
 * by scripts/setup.sh) with device_registry, on PGlite and on Postgres: the history backfilled
 * from getSignaturesForAddress/getTransaction, live registrations through the logs
 * subscription (or the poll), device proofs that IndexerClient checks against the tree
 * account, and a restart that reads only the transactions after the cursor.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndexerClient, RpcChain, fromHex, toHex, treeAccountRoot } from '@zkpin/sdk';
import {
  REPO_ROOT,
  startValidator,
  validatorNetwork,
  type LocalValidator,
  type ValidatorNetwork,
} from '@zkpin/sdk/testing';
import { PublicKey } from '@solana/web3.js';
import { startIndexer, type RunningIndexer } from '../../src/indexer.ts';
import { STORE_KINDS, testDatabase } from '../support/stores.ts';

let validator: LocalValidator;
let net: ValidatorNetwork;

beforeAll(async () => {
  validator = await startValidator();
  net = await validatorNetwork(validator);
  await net.registerDevices(3);
});

afterAll(async () => {
  await net?.close();
  await validator?.stop();
});

describe.each(STORE_KINDS)('indexer over JSON-RPC on %s', (kind) => {
  it('backfills, follows, proves, and resumes after a restart', async () => {
    const tdb = await testDatabase(kind);
    const chains: RpcChain[] = [];
    const run = async (): Promise<RunningIndexer> => {
      const chain = new RpcChain(validator.rpcUrl, { wsUrl: validator.wsUrl });
      chains.push(chain);
      const i = await startIndexer({
        chain,
        network: net.setup.network,
        database: tdb.config,
        port: 0,
        pollMs: 200,
      });
      await i.backfilled;
      return i;
    };
    let indexer = await run();
    try {
      const client = new IndexerClient(indexer.url, { chain: net.chain });
      const owner = net.authority.publicKey.toBase58();
      const before = await client.getDevicesByOwner({ owner });
      expect(before.value.items.length).toBeGreaterThanOrEqual(3);

      const added = await net.registerDevices(2);
      const slot = Number(await net.chain.slot());
      // Read-your-writes: wait for the indexer to reach the chain's slot.
      const after = await client.getDevicesByOwner({ owner, minContextSlot: slot });
      expect(after.context.slot).toBeGreaterThanOrEqual(slot);
      const keys = after.value.items.map((d) => d.device);
      for (const hex of added) expect(keys).toContain(new PublicKey(fromHex(hex)).toBase58());

      const device = new PublicKey(fromHex(added[1]!)).toBase58();
      const proof = await client.getDeviceProof({ device, minContextSlot: slot });
      const info = (await net.chain.getAccountInfo(net.setup.deviceTree))!;
      expect(proof.value.proof.root).toBe(toHex(treeAccountRoot(info.data)));
      expect((await client.getIndexerHealth()).value.status).toBe('ok');
      const total = await indexer.store.transactionCount(net.setup.network.toBase58());
      await indexer.stop();

      await net.registerDevices(1);
      indexer = await run();
      expect(indexer.ingest.stats.backfillTransactions).toBe(1);
      expect(await indexer.store.transactionCount(net.setup.network.toBase58())).toBe(total + 1);
      expect(indexer.ingest.stats.rootMismatches).toBe(0);
    } finally {
      await indexer.stop();
      for (const c of chains) await c.close();
      await tdb.drop();
    }
  });
});

describe('zkpin-indexer (src/main.ts) as a process', () => {
  it('starts from its environment, serves, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkpin-idx-main-'));
    // node itself (not npx, which would take the signal), with tsx as its loader.
    const child = spawn(process.execPath, ['--import', 'tsx', 'indexer/src/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NETWORK: net.setup.network.toBase58(),
        SOLANA_RPC_URL: validator.rpcUrl,
        SOLANA_WS_URL: validator.wsUrl,
        INDEXER_DATA_DIR: dir,
        INDEXER_PORT: '0',
        DATABASE_URL: '',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout });
        lines.on('line', (l) => {
          const entry = JSON.parse(l) as { msg?: string; url?: string };
          if (entry.msg === 'indexer running' && entry.url) resolve(entry.url);
        });
        child.once('exit', (code) => reject(new Error(`zkpin-indexer exited with ${code}`)));
      });
      const client = new IndexerClient(url);
      // It listens while the backfill runs (health `starting`), then turns ok.
      await expect
        .poll(async () => (await client.getIndexerHealth()).value.status, { timeout: 30_000 })
        .toBe('ok');
      const devices = await client.getDevicesByOwner({ owner: net.authority.publicKey.toBase58() });
      expect(devices.value.items.length).toBeGreaterThanOrEqual(3);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
