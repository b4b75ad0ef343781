/**
 * serviceFollowerStore (`@zkpin/sdk/node`, the services' INDEXER_URL / FOLLOWER_STATE): no
 * store without either; the file alone; with INDEXER_URL the indexer's snapshot, and when the
 * indexer does not answer (nothing listening, a real closed port) the file's, with the reason;
 * saves go to the file. The indexer's own answers: indexer/test/integration/network-snapshot.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FollowerSnapshot } from '../../src/follower-snapshot.ts';
import { IndexerFollowerStore } from '../../src/indexer-follower-store.ts';
import { FileFollowerStore, serviceFollowerStore } from '../../src/node.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zkpin-service-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const snapshot: FollowerSnapshot = {
  version: 1,
  network: '11111111111111111111111111111111',
  registryProgramId: '11111111111111111111111111111111',
  cursor: {
    signature: '1111111111111111111111111111111111111111111111111111111111111111',
    slot: 7,
  },
  savedAt: new Date(0).toISOString(),
  records: 0,
  trees: [],
  devices: [],
  recorded: [],
};

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('serviceFollowerStore', () => {
  it('is none, the file, or the indexer with the file behind it', () => {
    const file = join(dir, 'f.json');
    expect(serviceFollowerStore({})).toBeUndefined();
    expect(serviceFollowerStore({ stateFile: file })).toBeInstanceOf(FileFollowerStore);
    const store = serviceFollowerStore({ indexerUrl: 'http://127.0.0.1:1/', stateFile: file });
    expect(store).toBeInstanceOf(IndexerFollowerStore);
  });

  it("takes the file's snapshot, saying why, when the indexer does not answer; saves to the file", async () => {
    const file = join(dir, 'f.json');
    const url = `http://127.0.0.1:${await closedPort()}/`;
    const reasons: string[] = [];
    const store = serviceFollowerStore({
      indexerUrl: url,
      stateFile: file,
      timeoutMs: 2_000,
      onFallback: (r) => reasons.push(r),
    }) as IndexerFollowerStore;
    expect(await store.load()).toBeUndefined(); // nothing saved yet: the follower reads the history
    await store.save(snapshot);
    expect(await new FileFollowerStore(file).load()).toEqual(snapshot);
    expect(await store.load()).toEqual(snapshot);
    expect(store.loadedFrom).toBe('local');
    expect(reasons).toHaveLength(2);
    expect(reasons[1]).toMatch(
      new RegExp(
        `^indexer snapshot not loaded: getNetworkSnapshot: the indexer at ${url} did not answer: fetch failed`,
      ),
    );

    // Without a file, the reason is the load's error: the follower rebuilds with it.
    const alone = serviceFollowerStore({ indexerUrl: url })!;
    await expect(alone.load()).rejects.toThrow(/^indexer snapshot not loaded: .*did not answer/);
  });
});
