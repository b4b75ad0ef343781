/**
 * The indexer process (src/main.ts over JSON-RPC, on the local validator) SIGKILLed in the
 * middle of its backfill, and again while it follows live traffic, resumes to a database
 * identical to the one a fresh, uninterrupted indexer builds from the same chain: on PGlite (a
 * data directory) and on Postgres (fresh databases). Small pages
 * (INDEXER_BACKFILL_PAGE_SIZE) make the backfill long enough to be caught half-way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcChain } from '@zkpin/sdk';
import {
  startValidator,
  validatorNetwork,
  type LocalValidator,
  type ValidatorNetwork,
} from '@zkpin/sdk/testing';
import { startIndexer } from '../../src/indexer.ts';
import { spawnIndexer, until, type IndexerProcess } from '../support/indexer-process.ts';
import { STORE_KINDS, testDatabase, type TestDatabase } from '../support/stores.ts';

const DEVICES = 200;
const PAGE = '8';

let validator: LocalValidator;
let net: ValidatorNetwork;

beforeAll(async () => {
  validator = await startValidator();
  net = await validatorNetwork(validator);
  await net.registerDevices(DEVICES, { concurrency: 16 });
}, 120_000);

afterAll(async () => {
  await net?.close();
  await validator?.stop();
});

/** What a fresh indexer, never interrupted, holds once it has read the whole chain. */
async function freshDump(kind: TestDatabase['kind']): Promise<Record<string, unknown[]>> {
  const tdb = await testDatabase(kind);
  const chain = new RpcChain(validator.rpcUrl, { wsUrl: validator.wsUrl });
  try {
    const indexer = await startIndexer({
      chain,
      network: net.setup.network,
      database: tdb.config,
      port: 0,
      pollMs: 0,
    });
    await indexer.backfilled;
    const dump = await indexer.store.dump();
    await indexer.stop();
    return dump;
  } finally {
    await chain.close();
    await tdb.drop();
  }
}

/** Waits until `p` is ok and has applied everything up to the chain's slot now. */
async function caughtUp(p: IndexerProcess): Promise<void> {
  const slot = Number(await net.chain.slot());
  await until(
    async () => {
      const h = await p.health();
      return h?.status === 'ok' && h.indexerSlot >= slot ? true : undefined;
    },
    `the indexer to reach slot ${slot}`,
    { timeoutMs: 60_000 },
  );
}

async function dumpOf(tdb: TestDatabase): Promise<Record<string, unknown[]>> {
  const store = await tdb.open();
  try {
    return await store.dump();
  } finally {
    await store.close();
  }
}

describe.each(STORE_KINDS)('the indexer SIGKILLed on %s', (kind) => {
  let tdb: TestDatabase;
  const spawn = () =>
    spawnIndexer({
      validator,
      network: net.setup.network,
      database: tdb.config,
      env: { INDEXER_BACKFILL_PAGE_SIZE: PAGE, INDEXER_POLL_MS: '200' },
    });

  beforeAll(async () => {
    tdb = await testDatabase(kind);
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('mid-backfill resumes to a database identical to an uninterrupted one', async () => {
    const first = await spawn();
    let seen: { applied: number; total: number };
    try {
      seen = await until(
        async () => {
          const h = await first.health();
          if (h && h.status !== 'starting')
            throw new Error(`the backfill ended (${h.status}) before it could be killed`);
          const b = h?.backfill;
          return b && b.applied > 0 && b.applied < b.total ? b : undefined;
        },
        'backfill progress',
        { everyMs: 10 },
      );
    } finally {
      expect(await first.kill('SIGKILL')).toBeNull();
    }
    const store = await tdb.open();
    const committed = await store.transactionCount(net.setup.network.toBase58());
    await store.close();
    // Progress is real: what health reported applied was committed, and not everything was.
    expect(committed).toBeGreaterThanOrEqual(seen.applied);
    expect(committed).toBeLessThan(seen.total);

    const second = await spawn();
    try {
      await caughtUp(second);
      const h = (await second.health())!;
      expect(h.backfill).toBeNull();
    } finally {
      expect(await second.kill('SIGTERM')).toBe(0);
    }
    expect(await dumpOf(tdb)).toEqual(await freshDump(kind));
  }, 120_000);

  it('while following live traffic resumes to a database identical to an uninterrupted one', async () => {
    const first = await spawn();
    let traffic: Promise<string[]> | undefined;
    try {
      await caughtUp(first);
      const applied = (await first.client.getIndexerSlot()).value;
      traffic = net.registerDevices(40, { concurrency: 4 });
      // Killed once it has applied some of the traffic live.
      await until(
        async () => ((await first.client.getIndexerSlot()).value > applied ? true : undefined),
        'a live transaction applied',
      );
    } finally {
      expect(await first.kill('SIGKILL')).toBeNull();
    }
    const second = await spawn();
    try {
      await traffic;
      await caughtUp(second);
    } finally {
      expect(await second.kill('SIGTERM')).toBe(0);
    }
    expect(await dumpOf(tdb)).toEqual(await freshDump(kind));
  }, 120_000);
});
