/**
 * Follow a network over JSON-RPC from its start: the follower subscribes to the network's
 * transactions, replays their history oldest first (events from inner instructions, so
 * truncated logs hide nothing), then applies what arrived meanwhile.
 */
import { PublicKey } from '@solana/web3.js';
import { NetworkFollower, type ProgramIds, type RpcChain } from '@zkpin/sdk';
import type { Logger } from 'pino';

export async function followOverRpc(
  chain: RpcChain,
  network: PublicKey,
  log: Logger,
  programIds?: ProgramIds,
): Promise<{ follower: NetworkFollower; stop: () => void }> {
  const follower = new NetworkFollower(chain, network, { programIds }).start();
  follower.onResync((reason) => log.warn({ reason }, 'device registry replica rebuilt'));
  await follower.ready;
  log.info({ devices: follower.devices.size }, 'device registry replayed');
  return { follower, stop: () => follower.stop() };
}
