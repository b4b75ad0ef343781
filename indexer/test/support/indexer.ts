/** An indexer (store, ingest, JSON-RPC server) on a local network's embedded chain, for tests. */
import type { PublicKey } from '@solana/web3.js';
import { IndexerClient, type Chain, type IndexerClientOptions } from '@zkpin/sdk';
import { Ingest } from '../../src/ingest.ts';
import { IndexerMetrics } from '../../src/metrics.ts';
import { RpcServer, type RpcServerOptions } from '../../src/rpc-server.ts';
import type { IndexerStore } from '../../src/store.ts';

export interface TestIndexer {
  ingest: Ingest;
  server: RpcServer;
  url: string;
  client: IndexerClient;
  stop(): Promise<void>;
}

export async function startIndexer(
  chain: Chain,
  store: IndexerStore,
  network: PublicKey,
  o: RpcServerOptions & { client?: IndexerClientOptions; maxLagSlots?: number } = {},
): Promise<TestIndexer> {
  const ingest = new Ingest(chain, store, network, { pollMs: 0 });
  await ingest.start();
  const server = new RpcServer(
    { store, ingest, maxLagSlots: o.maxLagSlots ?? 20 },
    { metrics: new IndexerMetrics(ingest), ...o },
  );
  const url = await server.listen(0);
  return {
    ingest,
    server,
    url,
    client: new IndexerClient(url, o.client),
    stop: async () => {
      await server.close();
      await ingest.stop();
    },
  };
}

/** POSTs `body` (a string is sent as it is) and returns the HTTP status and parsed JSON. */
export async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}
