/**
 * Finality: the indexer applies `confirmed` transactions and says, in every answer's
 * `context.finalizedSlot`, up to where the cluster had finalized them. On the embedded chain
 * (no forks) everything applied is final at once; on the validator `finalizedSlot` follows
 * the cluster's finalized slot and never passes a transaction the cluster has not finalized.
 * A transaction the cluster stops holding (a fork abandoned after the indexer applied it, as
 * an RPC proxy that forgets it shows the indexer) stops ingest: health `failed`, the
 * signature named, the finalized slot left before it.
 */
import { PublicKey } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndexerClient, RpcChain, fromHex, isFinal } from '@zkpin/sdk';
import {
  RpcFaultProxy,
  localNetwork,
  startValidator,
  validatorNetwork,
  type LocalValidator,
  type ValidatorNetwork,
} from '@zkpin/sdk/testing';
import { startIndexer as startIndexerService } from '../../src/indexer.ts';
import { startIndexer } from '../support/indexer.ts';
import { testDatabase } from '../support/stores.ts';

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('finality on the embedded chain', () => {
  it('every applied transaction is final at once: context.finalizedSlot is context.slot', async () => {
    const net = await localNetwork();
    const tdb = await testDatabase('pglite');
    const store = await tdb.open();
    const idx = await startIndexer(net.embedded, store, net.setup.network);
    try {
      const d = await net.registerDevice();
      await idx.ingest.poll();
      const device = d.leaf.device.toBase58();
      const answer = await idx.client.getDevice({ device });
      expect(answer.context.finalizedSlot).toBe(answer.context.slot);
      expect(isFinal(answer.value.slot, answer.context)).toBe(true);
      expect((await idx.client.getIndexerHealth()).value.finalizedSlot).toBe(idx.ingest.slot);
      expect(await store.finalizedSlot(net.setup.network.toBase58())).toBe(idx.ingest.slot);
    } finally {
      await idx.stop();
      await store.close();
      await tdb.drop();
      await net.close();
    }
  }, 60_000);
});

describe('finality on the validator', () => {
  let validator: LocalValidator;
  let net: ValidatorNetwork;
  let proxy: RpcFaultProxy;

  beforeAll(async () => {
    validator = await startValidator();
    net = await validatorNetwork(validator);
    proxy = await RpcFaultProxy.start({ upstream: validator.rpcUrl, upstreamWs: validator.wsUrl });
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    await net?.close();
    await validator?.stop();
  });

  it('labels confirmed data until the cluster finalizes it; a rolled-back transaction stops ingest', async () => {
    const tdb = await testDatabase('pglite');
    const chain = new RpcChain(proxy.url, { wsUrl: proxy.wsUrl });
    const indexer = await startIndexerService({
      chain,
      network: net.setup.network,
      database: tdb.config,
      port: 0,
      pollMs: 100,
    });
    try {
      const client = new IndexerClient(indexer.url);
      const [hex] = await net.registerDevices(1);
      const device = new PublicKey(fromHex(hex!)).toBase58();
      const slot = Number(await net.chain.slot());
      const first = await client.getDevice({ device, minContextSlot: slot });
      // Never ahead of what the cluster finalized, nor of what the indexer applied.
      expect(first.context.finalizedSlot).toBeLessThanOrEqual(first.context.slot);
      expect(first.context.finalizedSlot).toBeLessThanOrEqual(Number(await chain.finalizedSlot()));
      const final = await until(
        'the registration to be final',
        () => client.getDevice({ device }),
        (a) => isFinal(a.value.slot, a.context),
      );
      expect((await chain.signatureStatuses([final.value.signature]))[0]).toBe('finalized');

      // A transaction applied as confirmed, then abandoned by the cluster.
      const [lostHex] = await net.registerDevices(1);
      const lost = new PublicKey(fromHex(lostHex!)).toBase58();
      const seen = await client.getDevice({
        device: lost,
        minContextSlot: Number(await net.chain.slot()),
      });
      proxy.forget([seen.value.signature]);
      const health = await until(
        'health to fail',
        () => client.getIndexerHealth(),
        (h) => h.value.status === 'failed',
      );
      expect(health.value.reason).toContain(seen.value.signature);
      expect(health.value.reason).toContain('rolled back');
      expect(health.value.finalizedSlot).toBeLessThan(seen.value.slot);
      expect(indexer.ingest.stats.rolledBack).toBe(1);
      const metrics = await (await fetch(new URL('/metrics', indexer.url))).text();
      expect(metrics).toMatch(/^zkpin_indexer_rolled_back_total 1$/m);
      // What it served before stays labelled as not final.
      const after = await client.getDevice({ device: lost });
      expect(isFinal(after.value.slot, after.context)).toBe(false);
    } finally {
      proxy.clear();
      await indexer.stop();
      await chain.close();
      await tdb.drop();
    }
  }, 120_000);
});
