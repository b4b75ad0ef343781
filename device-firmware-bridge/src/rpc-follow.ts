/**
 * Follow a network over JSON-RPC from its start: subscribe to device_registry's logs
 * (buffered), replay the program's history oldest first, then apply the buffered live logs
 * that the history did not contain.
 */
import { PublicKey } from '@solana/web3.js';
import { DEVICE_REGISTRY_PROGRAM_ID, NetworkFollower, type RpcChain } from '@zkpin/sdk';
import type { Logger } from 'pino';

export async function followOverRpc(
  chain: RpcChain,
  network: PublicKey,
  log: Logger,
): Promise<{ follower: NetworkFollower; stop: () => void }> {
  const follower = new NetworkFollower(chain, network);
  const seen = new Set<string>();
  let buffered: { logs: string[]; signature: string }[] | undefined = [];
  const apply = (logs: string[], signature: string) => {
    if (seen.has(signature)) return;
    seen.add(signature);
    try {
      follower.applyLogs(logs);
    } catch (e) {
      log.error({ err: (e as Error).message, signature }, 'could not apply device_registry events');
    }
  };
  const off = chain.onLogs(DEVICE_REGISTRY_PROGRAM_ID, (logs, signature) => {
    if (buffered) buffered.push({ logs, signature });
    else apply(logs, signature);
  });

  const history: string[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await chain.connection.getSignaturesForAddress(
      DEVICE_REGISTRY_PROGRAM_ID,
      { before, limit: 1000 },
      'confirmed',
    );
    for (const s of page) if (!s.err) history.push(s.signature);
    if (page.length < 1000) break;
    before = page[page.length - 1]!.signature;
  }
  history.reverse();
  for (const sig of history) {
    const tx = await chain.connection.getTransaction(sig, {
      commitment: 'confirmed',
      maxSupportedTransactionVersion: 0,
    });
    apply(tx?.meta?.logMessages ?? [], sig);
  }
  const live = buffered;
  buffered = undefined;
  for (const b of live) apply(b.logs, b.signature);
  log.info(
    { transactions: history.length, devices: follower.devices.size },
    'device registry replayed',
  );
  return { follower, stop: off };
}
