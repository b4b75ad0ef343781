/**
 * getSignaturesForDevice on real PGlite and real Postgres: the transactions that touched a
 * device (registration, two real attestations, a transfer, a revocation) in the chain's order,
 * none of another device's; pages in both orders that neither skip nor repeat, including one
 * asked with the cursor of an empty page after a transaction was appended; a foreign cursor
 * is INVALID_PARAMS.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import BN from 'bn.js';
import { Keypair } from '@solana/web3.js';
import { INDEXER_ERROR_CODES } from '@zkpin/sdk';
import { AttestedNetwork } from '../../../bench/attestation-scenario.ts';
import type { IndexerStore } from '../../src/store.ts';
import { post, startIndexer, type TestIndexer } from '../support/indexer.ts';
import { STORE_KINDS, testDatabase, type TestDatabase } from '../support/stores.ts';

describe.each(STORE_KINDS)('getSignaturesForDevice on %s', (kind) => {
  let tdb: TestDatabase;
  let store: IndexerStore;
  let indexer: TestIndexer | undefined;
  let n: AttestedNetwork;

  beforeEach(async () => {
    tdb = await testDatabase(kind);
    store = await tdb.open();
    n = await AttestedNetwork.create();
  });

  afterEach(async () => {
    await indexer?.stop();
    indexer = undefined;
    await store.close();
    await tdb.drop();
    await n.net.close();
  });

  it("lists a device's transactions in order, pages without skips or repeats", async () => {
    indexer = await startIndexer(n.net.embedded, store, n.setup.network);
    const client = indexer.client;
    const s1 = await n.submit();
    n.track({ ...n.leaf, seq: new BN(n.vector.seq.toString()) });
    const s2 = await n.submit(n.nextParams());
    const other = await n.net.registerDevice();
    const hex = Buffer.from(n.deviceKey.publicKey).toString('hex');
    const newOwner = Keypair.generate();
    n.net.chain.airdrop(newOwner.publicKey, 10);
    const transfer = await n.net.transferDevice(hex, newOwner.publicKey);
    await indexer.ingest.idle();
    const device = n.leaf.device.toBase58();
    const [registration] = await store.deviceVersions(device);

    const expected = [registration!.signature, s1.signature, s2.signature, transfer.signature];
    const all = await client.getSignaturesForDevice({ device });
    expect(all.value.items.map((i) => i.signature)).toEqual(expected);
    const slots = all.value.items.map((i) => i.slot);
    expect(slots).toEqual([...slots].sort((a, b) => a - b));
    expect(all.context.slot).toBeGreaterThanOrEqual(slots[slots.length - 1]!);
    const others = await client.getSignaturesForDevice({ device: other.leaf.device.toBase58() });
    expect(others.value.items.map((i) => i.signature)).toEqual([other.result.signature]);

    // Pages of 3, oldest first, up to an empty page: its cursor is the one it was asked with.
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await client.getSignaturesForDevice({ device, limit: 3, cursor });
      seen.push(...page.value.items.map((i) => i.signature));
      if (page.value.items.length === 0) {
        expect(page.value.cursor).toBe(cursor);
        break;
      }
      cursor = page.value.cursor!;
    }
    expect(seen).toEqual(expected);
    // A transaction appended later is on the next page asked with that cursor, alone.
    const revoke = await n.net.revokeDevice(hex, { signer: newOwner });
    await indexer.ingest.idle();
    const next = await client.getSignaturesForDevice({ device, limit: 3, cursor });
    expect(next.value.items.map((i) => i.signature)).toEqual([revoke.signature]);

    // Newest first, in pages of 2.
    const down: string[] = [];
    cursor = undefined;
    for (;;) {
      const page = await client.getSignaturesForDevice({ device, limit: 2, order: 'desc', cursor });
      down.push(...page.value.items.map((i) => i.signature));
      if (page.value.items.length < 2) break;
      cursor = page.value.cursor!;
    }
    expect(down).toEqual([...expected, revoke.signature].reverse());

    const bad = await post(indexer.url, {
      jsonrpc: '2.0',
      id: 1,
      method: 'getSignaturesForDevice',
      params: { device, cursor: 'v1:abc' },
    });
    expect((bad.json as { error: { code: number } }).error.code).toBe(
      INDEXER_ERROR_CODES.INVALID_PARAMS,
    );
  });
});
