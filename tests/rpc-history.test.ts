/**
 * `RpcChain.historyPages` against the local validator, through the fault proxy: pages come out
 * oldest first, in the order of the one-at-a-time read, with up to 16 getTransaction requests
 * in flight; HTTP 503s are retried with backoff and change nothing; a transaction the node
 * keeps failing to serve stops the read with CHAIN_HISTORY_UNREADABLE (never a page without it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcChain, isChainError, type ChainTransaction, type RpcHistoryOptions } from '@zkpin/sdk';
import {
  RpcFaultProxy,
  startValidator,
  validatorNetwork,
  type LocalValidator,
  type ValidatorNetwork,
} from '@zkpin/sdk/testing';

let validator: LocalValidator;
let net: ValidatorNetwork;
let proxy: RpcFaultProxy;
const chains: RpcChain[] = [];

beforeAll(async () => {
  validator = await startValidator();
  net = await validatorNetwork(validator);
  await net.registerDevices(40, { concurrency: 8 });
  proxy = await RpcFaultProxy.start({ upstream: validator.rpcUrl, upstreamWs: validator.wsUrl });
}, 120_000);

afterAll(async () => {
  for (const c of chains) await c.close();
  await proxy?.close();
  await net?.close();
  await validator?.stop();
});

function chain(history: RpcHistoryOptions): RpcChain {
  const c = new RpcChain(proxy.url, { history });
  chains.push(c);
  return c;
}

async function pages(c: RpcChain, pageSize: number) {
  const out: { transactions: ChainTransaction[]; total: number }[] = [];
  for await (const p of c.historyPages(net.setup.network, { pageSize })) out.push(p);
  return out;
}

const signatures = (txs: ChainTransaction[]) => txs.map((t) => t.signature);

describe('RpcChain.historyPages', () => {
  it('pages oldest first, in the same order as one request at a time', async () => {
    const sequential = await pages(chain({ concurrency: 1 }), 1000);
    expect(sequential).toHaveLength(1);
    const all = sequential[0]!.transactions;
    expect(all.length).toBeGreaterThan(40);
    const slots = all.map((t) => t.slot);
    expect(slots).toEqual([...slots].sort((a, b) => a - b));

    const paged = await pages(chain({ concurrency: 16 }), 7);
    expect(paged.map((p) => p.transactions.length)).toEqual(
      Array.from({ length: Math.ceil(all.length / 7) }, (_, i) => Math.min(7, all.length - i * 7)),
    );
    expect(paged.every((p) => p.total === all.length)).toBe(true);
    expect(signatures(paged.flatMap((p) => p.transactions))).toEqual(signatures(all));

    // `until`: only what came after that signature.
    const after = await chain({}).history(net.setup.network, { until: all[9]!.signature });
    expect(signatures(after)).toEqual(signatures(all.slice(10)));
  });

  it('retries RPC faults with backoff: the same history', async () => {
    const all = await chain({}).history(net.setup.network);
    proxy.resetStats();
    proxy.httpError({ status: 503, methods: ['getTransaction'], count: 6 });
    proxy.httpError({
      status: 429,
      retryAfterS: 0,
      methods: ['getSignaturesForAddress'],
      count: 1,
    });
    const read = await chain({ backoffMs: 10 }).history(net.setup.network);
    expect(proxy.stats.injected['http_503']).toBe(6);
    expect(proxy.stats.injected['http_429']).toBe(1);
    expect(signatures(read)).toEqual(signatures(all));
    proxy.clear();
  });

  it('a transaction that cannot be read stops the read: CHAIN_HISTORY_UNREADABLE', async () => {
    const c = chain({ attempts: 3, backoffMs: 10 });
    const seen: ChainTransaction[] = [];
    const iterator = c.historyPages(net.setup.network, { pageSize: 5 })[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) throw new Error('no history');
    seen.push(...first.value.transactions);
    proxy.httpError({ status: 503, methods: ['getTransaction'] });
    let error: unknown;
    try {
      for (;;) {
        const r = await iterator.next();
        if (r.done) break;
        seen.push(...r.value.transactions);
      }
    } catch (e) {
      error = e;
    } finally {
      proxy.clear();
    }
    expect(isChainError(error) && error.code).toBe('CHAIN_HISTORY_UNREADABLE');
    expect((error as Error).message).toMatch(
      /getTransaction could not read transaction \w+ after 3 attempt/,
    );
    // What came out before is whole: pages of 5, in order, none with a hole.
    const all = await chain({}).history(net.setup.network);
    expect(signatures(seen)).toEqual(signatures(all.slice(0, seen.length)));
    expect(seen.length % 5).toBe(0);
  });
});
