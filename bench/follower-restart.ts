/**
 * `npx tsx bench/follower-restart.ts [devices] [newDevices]`: what a NetworkFollower's snapshot
 * saves on a restart over JSON-RPC (a local zkpin-validator, 400 ms slots). A network with
 * `devices` registrations (default 200) is followed once with a snapshot file and stopped;
 * `newDevices` more (default 20) are registered; then a follower restarts from the snapshot
 * and another reads the whole history; then the indexer (PGlite, same validator) is started,
 * and a follower starts from its network snapshot (`IndexerFollowerStore`, INDEXER_URL).
 * Reports, for each, the time until `ready` and the transactions read (getTransaction calls),
 * and the snapshots' sizes (printed as JSON and saved to bench/results/follower-restart.json).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IndexerFollowerStore, NetworkFollower, RpcChain, type FollowerStore } from '@zkpin/sdk';
import { FileFollowerStore } from '@zkpin/sdk/node';
import { startValidator, validatorNetwork } from '@zkpin/sdk/testing';
import { startIndexer } from '../indexer/src/indexer.ts';
import { report } from './report.ts';

async function main() {
  const devices = Number(process.argv[2] ?? 200);
  const newDevices = Number(process.argv[3] ?? 20);
  const dir = mkdtempSync(join(tmpdir(), 'zkpin-bench-follower-'));
  const validator = await startValidator({ ledger: join(dir, 'ledger') });
  const net = await validatorNetwork(validator);
  const chains: RpcChain[] = [];
  try {
    const follow = async (store?: FollowerStore) => {
      const chain = new RpcChain(validator.rpcUrl, { wsUrl: validator.wsUrl });
      chains.push(chain);
      let reads = 0;
      const getTransaction = chain.connection.getTransaction.bind(chain.connection);
      chain.connection.getTransaction = (...args: Parameters<typeof getTransaction>) => {
        reads += 1;
        return getTransaction(...args);
      };
      const t0 = performance.now();
      const f = new NetworkFollower(chain, net.setup.network, { store }).start();
      await f.ready;
      const ms = performance.now() - t0;
      if (f.devices.size === 0) throw new Error('the follower knows no device');
      return { f, ms, reads };
    };
    const t0 = performance.now();
    await net.registerDevices(devices, { concurrency: 8 });
    const registerSeconds = (performance.now() - t0) / 1000;
    const path = join(dir, 'follower.json');
    const first = await follow(new FileFollowerStore(path));
    await first.f.stop();
    const snapshotBytes = statSync(path).size;
    await net.registerDevices(newDevices, { concurrency: 8 });
    const restart = await follow(new FileFollowerStore(path));
    const full = await follow();
    if (
      restart.f.devices.size !== devices + newDevices ||
      full.f.devices.size !== devices + newDevices
    )
      throw new Error('a follower misses devices');
    await restart.f.stop();
    await full.f.stop();
    // The indexer's backfill is its own (once per network, not per service): not timed here.
    const ichain = new RpcChain(validator.rpcUrl, { wsUrl: validator.wsUrl });
    chains.push(ichain);
    const indexer = await startIndexer({
      chain: ichain,
      network: net.setup.network,
      database: { kind: 'pglite', dataDir: join(dir, 'indexer') },
      port: 0,
    });
    let fromIndexer: Awaited<ReturnType<typeof follow>>;
    let indexerSnapshotBytes: number;
    let indexerSnapshotMs: number;
    try {
      const t1 = performance.now();
      const answer = await fetch(indexer.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getNetworkSnapshot' }),
      });
      indexerSnapshotBytes = (await answer.text()).length;
      indexerSnapshotMs = performance.now() - t1;
      fromIndexer = await follow(new IndexerFollowerStore(indexer.url));
      if (fromIndexer.f.backfill?.from !== 'snapshot')
        throw new Error('the follower did not start from the indexer');
      if (fromIndexer.f.devices.size !== devices + newDevices)
        throw new Error('the follower from the indexer misses devices');
      await fromIndexer.f.stop();
    } finally {
      await indexer.stop();
    }
    report('follower-restart', {
      devices,
      new_devices: newDevices,
      register_seconds: Number(registerSeconds.toFixed(1)),
      snapshot_bytes: snapshotBytes,
      restart_from_snapshot_ms: Math.round(restart.ms),
      restart_transactions_read: restart.reads,
      restart_backfill: restart.f.backfill?.from ?? 'none',
      full_history_ms: Math.round(full.ms),
      full_history_transactions_read: full.reads,
      indexer_snapshot_bytes: indexerSnapshotBytes,
      indexer_snapshot_ms: Math.round(indexerSnapshotMs),
      from_indexer_ms: Math.round(fromIndexer.ms),
      from_indexer_transactions_read: fromIndexer.reads,
    });
  } finally {
    for (const c of chains) await c.close();
    await net.close();
    await validator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Exits at once: web3.js's WebSocket client would keep reconnecting to the stopped validator.
main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
