/**
 * The NetworkFollower over JSON-RPC against the local validator (zkpin-validator) with
 * device_registry: a follower with a snapshot file, stopped and started again after more
 * registrations, knows every device, reads only the new signatures (getTransaction calls
 * counted on its connection) and holds the on-chain roots; a follower started after the
 * registrations without a snapshot reads the whole history and knows them all too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NetworkFollower,
  RpcChain,
  treeAccountRoot,
  treeAccountSequenceNumber,
  type FollowerSnapshot,
} from '@zkpin/sdk';
import { FileFollowerStore } from '@zkpin/sdk/node';
import {
  startValidator,
  validatorNetwork,
  type LocalValidator,
  type ValidatorNetwork,
} from '@zkpin/sdk/testing';

let dir: string;
let validator: LocalValidator;
let net: ValidatorNetwork;
const chains: RpcChain[] = [];
const followers: NetworkFollower[] = [];

/** A chain of its own for each follower, counting the transactions it reads. */
function countingChain(): { chain: RpcChain; reads: () => number } {
  const c = new RpcChain(validator.rpcUrl, { wsUrl: validator.wsUrl });
  chains.push(c);
  let reads = 0;
  const getTransaction = c.connection.getTransaction.bind(c.connection);
  c.connection.getTransaction = (...args: Parameters<typeof getTransaction>) => {
    reads += 1;
    return getTransaction(...args);
  };
  return { chain: c, reads: () => reads };
}

function follower(c: RpcChain, store?: FileFollowerStore): NetworkFollower {
  const f = new NetworkFollower(c, net.setup.network, { store });
  followers.push(f);
  return f.start();
}

const register = (n: number) => net.registerDevices(n);

/** Every tree of `f` has the on-chain root and sequence number. */
async function expectChainRoots(f: NetworkFollower): Promise<void> {
  expect(f.trees.size).toBe(2);
  for (const t of f.trees.values()) {
    const info = await net.chain.getAccountInfo(t.address);
    expect(Buffer.from(t.replica.root)).toEqual(Buffer.from(treeAccountRoot(info!.data)));
    expect(t.seq).toBe(treeAccountSequenceNumber(info!.data));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zkpin-follower-rpc-'));
  validator = await startValidator({ ledger: join(dir, 'ledger') });
  net = await validatorNetwork(validator);
}, 300_000);

afterAll(async () => {
  for (const f of followers) await f.stop();
  for (const c of chains) await c.close();
  await net?.close();
  await validator?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('NetworkFollower over JSON-RPC (zkpin-validator)', () => {
  it('restarts from its snapshot file: reads only the signatures after its cursor, knows every device, holds the on-chain roots', async () => {
    const first = await register(6);
    const path = join(dir, 'follower.json');
    const a = countingChain();
    const before = follower(a.chain, new FileFollowerStore(path));
    await before.ready;
    expect(before.backfill?.from).toBe('history');
    expect(a.reads()).toBe(before.backfill!.transactions);
    for (const hex of first) expect(before.device(hex)).toBeDefined();
    await before.stop();
    const saved = (await new FileFollowerStore(path).load()) as FollowerSnapshot;
    expect(saved.devices).toHaveLength(6);

    const second = await register(4);
    const b = countingChain();
    const after = follower(b.chain, new FileFollowerStore(path));
    await after.ready;
    expect(after.backfill).toMatchObject({ from: 'snapshot', transactions: 4 });
    expect(b.reads()).toBe(4);
    expect(after.resyncs).toBe(0);
    expect(after.devices.size).toBe(10);
    for (const hex of [...first, ...second]) expect(after.device(hex)).toBeDefined();
    await expectChainRoots(after);

    // It follows on live (logsSubscribe).
    const [live] = await register(1);
    const deadline = Date.now() + 20_000;
    while (!after.device(live!) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(after.device(live!)?.leafIndex).toBe(10);
    await expectChainRoots(after);
  }, 300_000);

  it('a follower started after the devices were registered (no snapshot) knows them all', async () => {
    const c = countingChain();
    const f = follower(c.chain);
    await f.ready;
    expect(f.backfill?.from).toBe('history');
    expect(f.devices.size).toBe(11);
    expect(c.reads()).toBe(f.backfill!.transactions);
    await expectChainRoots(f);
  }, 300_000);
});
