/**
 * A NetworkFollower with a snapshot file (`FileFollowerStore`) on the embedded chain with both
 * programs: a restart restores the snapshot and reads only the transactions after its cursor,
 * ending with the same devices, leaves and roots as a follower that read everything (and as
 * the chain); transactions that arrive during that backfill are kept; a snapshot that cannot
 * be read or used, or does not match the chain, is a full rebuild with the reason, never a
 * crash and never a stale replica.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keypair } from '@solana/web3.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEVICE_STATUS_REVOKED,
  DeviceEd25519Key,
  NetworkFollower,
  deviceLeafHash,
  type Chain,
  type FollowerSnapshot,
  type NetworkFollowerOptions,
} from '@zkpin/sdk';
import { FileFollowerStore } from '@zkpin/sdk/node';
import { EmbeddedChain, localNetwork, type LocalNetwork } from '@zkpin/sdk/testing';
import { randomBjjKeyHash } from './helpers.ts';

let dir: string;
const closers: (() => Promise<unknown>)[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zkpin-follower-'));
});
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

async function network(): Promise<LocalNetwork> {
  const net = await localNetwork();
  closers.push(() => net.close());
  return net;
}

async function register(net: LocalNetwork, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = await net.registerDevice({
      deviceKey: new DeviceEd25519Key(),
      bjjKeyHash: randomBjjKeyHash(),
    });
    out.push(d.hex);
  }
  return out;
}

/** A started follower of `net` and the reasons of its rebuilds. */
function follow(net: LocalNetwork, o: NetworkFollowerOptions & { chain?: Chain } = {}) {
  const f = new NetworkFollower(o.chain ?? net.embedded, net.setup.network, o);
  const reasons: string[] = [];
  f.onResync((r) => reasons.push(r));
  closers.push(() => f.stop());
  return { f: f.start(), reasons };
}

/** The newest signature that mentions the network. */
function newestSignature(net: LocalNetwork): string {
  return net.embedded.historyNow(net.setup.network).at(-1)!.signature;
}

/** `f` holds what the fixture's follower (fed since the network began) holds, and the chain's roots. */
async function expectSameReplica(f: NetworkFollower, net: LocalNetwork): Promise<void> {
  const ref = net.follower;
  expect([...f.devices.keys()].sort()).toEqual([...ref.devices.keys()].sort());
  for (const [hex, d] of ref.devices) {
    const e = f.device(hex)!;
    expect([e.tree.toBase58(), e.leafIndex]).toEqual([d.tree.toBase58(), d.leafIndex]);
    expect(Buffer.from(deviceLeafHash(net.setup.network, e.leaf))).toEqual(
      Buffer.from(deviceLeafHash(net.setup.network, d.leaf)),
    );
  }
  expect([...f.trees.keys()]).toEqual([...ref.trees.keys()]);
  for (const [key, t] of ref.trees) {
    const u = f.trees.get(key)!;
    expect(u.seq).toBe(t.seq);
    expect(Buffer.from(u.replica.root)).toEqual(Buffer.from(t.replica.root));
    expect(await f.rootMatchesChain(t.address)).toBe(true);
  }
  expect(f.records).toBe(ref.records);
}

describe('NetworkFollower snapshot (embedded chain)', () => {
  it('restarts from its snapshot: reads only the transactions after the cursor, same replica as a full read', async () => {
    const net = await network();
    await register(net, 3);
    const store = new FileFollowerStore(join(dir, 'follower.json'));

    const first = follow(net, { store });
    await first.f.ready;
    expect(first.reasons).toEqual(['start']); // no snapshot yet: the whole history
    expect(first.f.backfill?.from).toBe('history');
    const live = await register(net, 2);
    await net.revokeDevice(live[0]!);
    expect(first.f.device(live[0]!)!.leaf.status).toBe(DEVICE_STATUS_REVOKED);
    await first.f.stop();
    const saved = (await store.load()) as FollowerSnapshot;
    expect(saved.cursor.signature).toBe(newestSignature(net));
    expect(saved.devices).toHaveLength(5);

    // While it is down: two registrations and a transfer.
    const later = await register(net, 2);
    await net.transferDevice(later[0]!, Keypair.generate().publicKey);

    const second = follow(net, { store });
    await second.f.ready;
    expect(second.reasons).toEqual([]);
    expect(second.f.resyncs).toBe(0);
    expect(second.f.backfill).toMatchObject({ from: 'snapshot', transactions: 3 });
    await expectSameReplica(second.f, net);
    const proof = second.f.proof(later[0]!)!;
    expect(proof.nodes.map((n) => Buffer.from(n))).toEqual(
      net.follower.proof(later[0]!)!.nodes.map((n) => Buffer.from(n)),
    );
    // And it follows on: the proof it builds is accepted by the program.
    const [next] = await register(net, 1);
    expect(second.f.device(next!)?.leafIndex).toBe(7);
    await net.revokeDevice(later[1]!);
    expect(second.f.isActive(later[1]!)).toBe(false);
    await expectSameReplica(second.f, net);
  });

  it('keeps the transactions that arrive while it reads the history after its cursor', async () => {
    const net = await network();
    await register(net, 2);
    const store = new FileFollowerStore(join(dir, 'follower.json'));
    const first = follow(net, { store });
    await first.f.ready;
    await first.f.stop();
    await register(net, 1);

    // Two registrations land after the history was read and before the replica is checked:
    // they reach the follower only through its live feed.
    const chain = new HistoryHookChain(net.embedded);
    let arrived: string[] = [];
    chain.afterHistory = async () => {
      chain.afterHistory = undefined;
      arrived = await register(net, 2);
    };
    const second = follow(net, { store, chain });
    await second.f.ready;
    expect(arrived).toHaveLength(2);
    expect(second.reasons).toEqual([]);
    expect(second.f.backfill).toMatchObject({ from: 'snapshot', transactions: 1 });
    for (const hex of arrived) expect(second.f.device(hex)).toBeDefined();
    await expectSameReplica(second.f, net);
    await second.f.stop();
    expect(((await store.load()) as FollowerSnapshot).cursor.signature).toBe(newestSignature(net));
  });

  it('saves once at start and then at most once per interval; stop saves the rest', async () => {
    const net = await network();
    await register(net, 1);
    const store = new FileFollowerStore(join(dir, 'follower.json'));
    const { f } = follow(net, { store, saveIntervalMs: 60_000 });
    await f.ready;
    await until(() => f.snapshotsSaved === 1);
    await register(net, 3);
    await new Promise((r) => setTimeout(r, 200));
    expect(f.snapshotsSaved).toBe(1);
    expect(((await store.load()) as FollowerSnapshot).devices).toHaveLength(1);
    await f.stop();
    expect(f.snapshotsSaved).toBe(2);
    const saved = (await store.load()) as FollowerSnapshot;
    expect(saved.devices).toHaveLength(4);
    expect(saved.cursor.signature).toBe(newestSignature(net));
  });

  it('rebuilds from the whole history, with the reason, when the snapshot cannot be used', async () => {
    const net = await network();
    const other = await localNetwork({ chain: net.chain }); // a second network, same chain
    closers.push(() => other.close());
    await register(net, 3);
    await register(other, 1);
    const path = join(dir, 'follower.json');
    const store = new FileFollowerStore(path);
    const first = follow(net, { store });
    await first.f.ready;
    await first.f.stop();
    const good = (await store.load()) as FollowerSnapshot;
    const goodFile = readFileSync(path, 'utf8');
    const otherPath = join(dir, 'other.json');
    const o = follow(other, { store: new FileFollowerStore(otherPath) });
    await o.f.ready;
    await o.f.stop();
    await register(net, 2); // device tree: change 3 in the snapshot, 5 on the chain
    const newest = newestSignature(net);
    const beforeNewest = net.embedded.historyNow(net.setup.network).at(-2)!.signature;

    const cases: [string, () => Promise<void> | void, RegExp][] = [
      [
        'a damaged file',
        () => writeFileSync(path, goodFile.replace('"version":1', '"version":3')),
        /^snapshot not restored: .*sha256 differs/,
      ],
      [
        'a truncated file',
        () => writeFileSync(path, goodFile.slice(0, goodFile.length / 2)),
        /^snapshot not restored: .*truncated/,
      ],
      [
        "another network's snapshot",
        () => writeFileSync(path, readFileSync(otherPath)),
        /^snapshot unusable: it is of network/,
      ],
      [
        'a later version',
        () => store.save({ ...good, version: 2 }),
        /^snapshot unusable: version 2/,
      ],
      [
        'a changed device leaf',
        () =>
          store.save({
            ...good,
            devices: good.devices.map(
              ([t, i, leaf]) => [t, i, flip(leaf)] as [number, number, string],
            ),
          }),
        /^snapshot unusable: device 0: the leaf does not hash/,
      ],
      [
        'a tree that is not on the chain',
        () =>
          store.save({
            ...good,
            trees: good.trees.map((t, i) =>
              i === 1 ? { ...t, address: Keypair.generate().publicKey.toBase58() } : t,
            ),
          }),
        /^snapshot does not match the chain: tree \w+ is not on the chain/,
      ],
      [
        'a replica that claims a later change than it holds',
        () =>
          store.save({
            ...good,
            cursor: { signature: newest, slot: good.cursor.slot + 10 },
            trees: good.trees.map((t) => (t.kind === 0 ? { ...t, seq: '5' } : t)),
          }),
        /^snapshot does not match the chain: tree \w+: the root after change 5 differs/,
      ],
      [
        'a cursor one transaction past the replica',
        () =>
          store.save({ ...good, cursor: { signature: beforeNewest, slot: good.cursor.slot + 5 } }),
        /^snapshot does not match the chain: tree \w+ jumped from change 3 to 5$/,
      ],
      [
        'a cursor past the replica (changes missing before it)',
        () => store.save({ ...good, cursor: { signature: newest, slot: good.cursor.slot + 10 } }),
        /^snapshot does not match the chain: tree \w+: the replica is at change 3, the chain at 5$/,
      ],
    ];
    for (const [what, corrupt, reason] of cases) {
      await corrupt();
      const { f, reasons } = follow(net, { store, verifyWaitMs: 300 });
      await f.ready;
      expect(reasons, what).toHaveLength(1);
      expect(reasons[0], what).toMatch(reason);
      expect(f.resyncs, what).toBe(1);
      expect(f.backfill?.from, what).toBe('history');
      await expectSameReplica(f, net);
      await f.stop(); // and it saves a good snapshot again
      const fresh = follow(net, { store });
      await fresh.f.ready;
      expect(fresh.reasons, what).toEqual([]);
      expect(fresh.f.backfill, what).toMatchObject({ from: 'snapshot', transactions: 0 });
      await fresh.f.stop();
    }
  });
});

/** The embedded chain, with a hook that runs after `history()` has answered. */
class HistoryHookChain implements Chain {
  readonly kind = 'embedded' as const;
  afterHistory: (() => Promise<void>) | undefined;
  constructor(private readonly inner: EmbeddedChain) {}
  send(...args: Parameters<Chain['send']>) {
    return this.inner.send(...args);
  }
  getAccountInfo(...args: Parameters<Chain['getAccountInfo']>) {
    return this.inner.getAccountInfo(...args);
  }
  onTransaction(...args: Parameters<Chain['onTransaction']>) {
    return this.inner.onTransaction(...args);
  }
  async history(...args: Parameters<Chain['history']>) {
    const h = await this.inner.history(...args);
    await this.afterHistory?.();
    return h;
  }
  historyPages(...args: Parameters<Chain['historyPages']>) {
    return this.inner.historyPages(...args);
  }
  slot() {
    return this.inner.slot();
  }
  recentSlot() {
    return this.inner.recentSlot();
  }
  waitPastSlot(slot: bigint) {
    return this.inner.waitPastSlot(slot);
  }
  finalizedSlot() {
    return this.inner.finalizedSlot();
  }
  signatureStatuses(...args: Parameters<Chain['signatureStatuses']>) {
    return this.inner.signatureStatuses(...args);
  }
  close() {
    return Promise.resolve();
  }
}

/** A base64 device leaf with one bit of its owner flipped. */
function flip(leaf64: string): string {
  const b = Buffer.from(leaf64, 'base64');
  b[40]! ^= 1;
  return b.toString('base64');
}

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
