/**
 * A cursor-paged list from the indexer: first page on change of `key`, then "Load more". With
 * `refreshMs`, the first page is read again every `refreshMs` while it is the only page shown
 * and the page is visible (new records and devices appear without a reload; no "Loading…"
 * flicker, and a failed refresh keeps what is shown). Once "Load more" added a page, the list
 * holds still.
 */
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
  opts: { refreshMs?: number } = {},
): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const generation = useRef(0);
  // Pages shown since the first: only a list of one page refreshes itself.
  const pages = useRef(0);
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
        pages.current = reset ? 1 : pages.current + 1;
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
    pages.current = 0;
    if (key !== null) void load(undefined, true);
  }, [key, load]);

  const refreshMs = opts.refreshMs;
  useEffect(() => {
    if (key === null || refreshMs === undefined) return;
    const timer = setInterval(() => {
      if (pages.current !== 1 || document.visibilityState !== 'visible') return;
      const g = generation.current;
      fetchRef.current(undefined).then(
        (page) => {
          // A load started meanwhile (another key, "Load more") wins.
          if (g !== generation.current || pages.current !== 1) return;
          setItems(page.items);
          setCursor(page.cursor);
          setMore(page.items.length === limit);
        },
        () => undefined,
      );
    }, refreshMs);
    return () => clearInterval(timer);
  }, [key, refreshMs, limit]);

  return {
    items,
    loading,
    error,
    more,
    loadMore: () => void load(cursor ?? undefined, false),
    reload: () => void load(undefined, true),
  };
}
