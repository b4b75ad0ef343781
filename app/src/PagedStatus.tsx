/** What a paged list says before and around its items: the indexer's error with a retry, loading, empty. */
import type { Paged } from './usePaged.ts';

export function PagedStatus<T>({
  list,
  loading,
  empty,
}: {
  list: Paged<T>;
  loading: string;
  empty: string;
}) {
  if (list.error)
    return (
      <p role="alert" className="error">
        The indexer did not answer: {list.error}{' '}
        <button type="button" onClick={list.reload}>
          Retry
        </button>
      </p>
    );
  if (list.items.length > 0) return null;
  return <p className="muted">{list.loading ? loading : empty}</p>;
}
