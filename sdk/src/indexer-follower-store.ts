/**
 * A `FollowerStore` whose snapshot comes from the indexer (`getNetworkSnapshot`, INDEXER_URL):
 * a service starts from the indexer's state and reads only the transactions after the
 * indexer's cursor, instead of the network's whole history. The snapshot is as untrusted as a
 * file's: the follower decodes it (every device leaf must hash to its tree's leaf) and checks
 * every tree's root and sequence number against the chain, and rebuilds from the history,
 * with the reason, when it does not match.
 *
 * The indexer is asked once per `load`, with a timeout. When it cannot answer (down, slow, no
 * cursor yet, a wrong answer), `load` falls back to the `local` store (the service's
 * FOLLOWER_STATE file) and says why through `onFallback`; without one it throws, and the
 * follower reads the whole history with that reason. `save` goes to `local` (nothing without
 * one): the indexer is never written to. Isomorphic (fetch only).
 */
import type { FollowerSnapshot, FollowerStore } from './follower-snapshot.ts';
import { IndexerClient } from './indexer-api.ts';

/** How long the indexer may take to answer a snapshot, by default. */
export const DEFAULT_INDEXER_SNAPSHOT_TIMEOUT_MS = 15_000;

export interface IndexerFollowerStoreOptions {
  /** Where snapshots are saved, and loaded from when the indexer cannot answer. */
  local?: FollowerStore;
  /** Default `DEFAULT_INDEXER_SNAPSHOT_TIMEOUT_MS`. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Called when the indexer's snapshot could not be had, with the reason, before `local` is read. */
  onFallback?: (reason: string) => void;
}

export class IndexerFollowerStore implements FollowerStore {
  private readonly client: IndexerClient;
  /** Where the last `load` took its answer from (undefined before the first). */
  loadedFrom: 'indexer' | 'local' | undefined;
  /** Why the last `load` did not take the indexer's snapshot. */
  fallbackReason: string | undefined;

  constructor(
    readonly url: string,
    private readonly o: IndexerFollowerStoreOptions = {},
  ) {
    this.client = new IndexerClient(url, {
      fetch: o.fetch,
      timeoutMs: o.timeoutMs ?? DEFAULT_INDEXER_SNAPSHOT_TIMEOUT_MS,
    });
  }

  async load(): Promise<unknown> {
    this.fallbackReason = undefined;
    try {
      const answer = await this.client.getNetworkSnapshot();
      this.loadedFrom = 'indexer';
      return answer.value;
    } catch (e) {
      const reason = `indexer snapshot not loaded: ${e instanceof Error ? e.message : String(e)}`;
      this.fallbackReason = reason;
      if (!this.o.local) throw new Error(reason, { cause: e });
      this.o.onFallback?.(reason);
      this.loadedFrom = 'local';
      return this.o.local.load();
    }
  }

  save(snapshot: FollowerSnapshot): Promise<void> {
    return this.o.local ? this.o.local.save(snapshot) : Promise.resolve();
  }
}
