/**
 * Follow a network over JSON-RPC: the follower subscribes to the network's transactions,
 * replays their history oldest first (events from inner instructions, so truncated logs hide
 * nothing), or restores a snapshot (the indexer's, INDEXER_URL, or its own file,
 * FOLLOWER_STATE; checked against the chain) and replays only the transactions after its
 * cursor, then applies what arrived meanwhile.
 */
import { PublicKey } from '@solana/web3.js';
import { NetworkFollower, type ProgramIds, type RpcChain } from '@zkpin/sdk';
import { serviceFollowerStore } from '@zkpin/sdk/node';
import type { Logger } from 'pino';

/**
 * @param o.stateFile the follower's snapshot file (`FOLLOWER_STATE`); none: the whole history
 *   at every start
 * @param o.indexerUrl the indexer whose snapshot a start takes first (`INDEXER_URL`), within
 *   `o.indexerTimeoutMs`; when it cannot answer, the file (or the whole history)
 */
export async function followOverRpc(
  chain: RpcChain,
  network: PublicKey,
  log: Logger,
  o: {
    programIds?: ProgramIds;
    stateFile?: string;
    indexerUrl?: string;
    indexerTimeoutMs?: number;
  } = {},
): Promise<{ follower: NetworkFollower; stop: () => Promise<void> }> {
  const follower = new NetworkFollower(chain, network, {
    programIds: o.programIds,
    store: serviceFollowerStore({
      indexerUrl: o.indexerUrl,
      stateFile: o.stateFile,
      timeoutMs: o.indexerTimeoutMs,
      onFallback: (reason) =>
        log.warn(
          { reason, indexer: o.indexerUrl, fallback: o.stateFile ?? 'history' },
          'indexer snapshot not loaded',
        ),
    }),
  });
  follower.onResync((reason) => log.warn({ reason }, 'device registry replica rebuilt'));
  follower.onSaveError((e) =>
    log.error({ err: e, file: o.stateFile }, 'device registry snapshot not saved'),
  );
  await follower.start().ready;
  log.info(
    { devices: follower.devices.size, backfill: follower.backfill },
    'device registry replayed',
  );
  return { follower, stop: () => follower.stop() };
}
