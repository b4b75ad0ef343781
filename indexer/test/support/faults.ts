/** Faults for ingest tests: a chain whose live feed withholds transactions, a database that dies mid-write. */
import type { Chain, ChainTransaction } from '@zkpin/sdk';
import type { Database, SqlClient } from '../../src/database.ts';

/** `chain`, except that `onTransaction` never delivers the transactions `withhold` picks. */
export function withholdingChain(chain: Chain, withhold: (tx: ChainTransaction) => boolean): Chain {
  return new Proxy(chain, {
    get(target, prop, receiver) {
      if (prop === 'onTransaction')
        return (
          address: Parameters<Chain['onTransaction']>[0],
          fn: (tx: ChainTransaction) => void,
        ) =>
          target.onTransaction(address, (tx) => {
            if (!withhold(tx)) fn(tx);
          });
      // historyNow would let a consumer bypass the withheld feed; ingest does not use it.
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * `db`, except that the `failAt`-th query run inside a transaction throws (the transaction
 * is then rolled back, as a process killed mid-write leaves it).
 */
export function dyingDatabase(db: Database, failAt: number): Database & { queries: number } {
  let n = 0;
  const wrapped = {
    kind: db.kind,
    queries: 0,
    query: db.query.bind(db),
    exec: db.exec.bind(db),
    close: db.close.bind(db),
    transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      return db.transaction((tx) =>
        fn({
          query: <R>(sql: string, params?: readonly unknown[]) => {
            n += 1;
            wrapped.queries = n;
            if (n === failAt) return Promise.reject(new Error(`killed at query ${n}`));
            return tx.query<R>(sql, params);
          },
        }),
      );
    },
  };
  return wrapped;
}

/**
 * `chain`, except that `historyPages` serves pages of `pageSize` and holds each page after the
 * first until `release()`: a backfill stopped half-way, for as long as a test looks at it.
 */
export function gatedHistoryChain(
  chain: Chain,
  pageSize: number,
): { chain: Chain; release: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const gated = new Proxy(chain, {
    get(target, prop, receiver) {
      if (prop === 'historyPages')
        return async function* (...args: Parameters<Chain['historyPages']>) {
          const all: ChainTransaction[] = [];
          for await (const p of target.historyPages(...args)) all.push(...p.transactions);
          for (let i = 0; i < all.length; i += pageSize) {
            if (i > 0) await gate;
            yield { transactions: all.slice(i, i + pageSize), total: all.length };
          }
        };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { chain: gated, release: () => open() };
}
