/**
 * The follower store of a service (the oracle, the bridge) from its environment:
 *
 * - `INDEXER_URL`: the indexer's snapshot (`IndexerFollowerStore`); snapshots are saved to
 *   `FOLLOWER_STATE` when it is set, which is also what a start reads when the indexer cannot
 *   answer (without it, the whole history).
 * - `FOLLOWER_STATE` alone: the snapshot file (`FileFollowerStore`).
 * - neither: no store, every start reads the network's whole history.
 *
 * Whatever the store answers, the follower checks it against the chain before serving it.
 */
import type { FollowerStore } from '../follower-snapshot.ts';
import { IndexerFollowerStore } from '../indexer-follower-store.ts';
import { FileFollowerStore } from './file-follower-store.ts';

export interface ServiceFollowerStoreOptions {
  /** `INDEXER_URL`. */
  indexerUrl?: string;
  /** `FOLLOWER_STATE`. */
  stateFile?: string;
  /** How long the indexer may take to answer (`INDEXER_TIMEOUT_MS`). */
  timeoutMs?: number;
  /** Called when the indexer's snapshot could not be had, with the reason (to log it). */
  onFallback?: (reason: string) => void;
}

export function serviceFollowerStore(o: ServiceFollowerStoreOptions): FollowerStore | undefined {
  const file = o.stateFile ? new FileFollowerStore(o.stateFile) : undefined;
  if (!o.indexerUrl) return file;
  return new IndexerFollowerStore(o.indexerUrl, {
    local: file,
    timeoutMs: o.timeoutMs,
    onFallback: o.onFallback,
  });
}
