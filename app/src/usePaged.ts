/** A cursor-paged list from the indexer: first page on change of `key`, then "Load more". */
import { useCallback, useEffect, useRef, useState } from 'react';
import { message } from './format.ts';

export interface Paged<T> {
  items: T[];
  loading: boolean;
  error: string | null;
  /** The last page was full: there may be more. */
  more: boolean;
  loadMore: () => void;
  reload: () => void;
}

export function usePaged<T>(
  key: string | null,
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; cursor: string | null }>,
  limit: number,
): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const generation = useRef(0);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;

  const load = useCallback(
    async (after: string | undefined, reset: boolean) => {
      const g = ++generation.current;
      setLoading(true);
      setError(null);
      try {
        const page = await fetchRef.current(after);
        if (g !== generation.current) return;
        setItems((old) => (reset ? page.items : [...old, ...page.items]));
        setCursor(page.cursor);
        setMore(page.items.length === limit);
      } catch (e) {
        if (g === generation.current) setError(message(e));
      } finally {
        if (g === generation.current) setLoading(false);
      }
    },
    [limit],
  );

  useEffect(() => {
    setItems([]);
    setMore(false);
    if (key !== null) void load(undefined, true);
  }, [key, load]);

  return {
    items,
    loading,
    error,
    more,
    loadMore: () => void load(cursor ?? undefined, false),
    reload: () => void load(undefined, true),
  };
}
