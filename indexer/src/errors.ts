/** The indexer's one error class: a stable `code`, a message that says what to do, a context. */
export type IndexerErrorCode =
  | 'INDEXER_MIGRATIONS'
  | 'INDEXER_CONFIG'
  | 'INDEXER_GAP'
  | 'INDEXER_ROOT_MISMATCH'
  | 'INDEXER_DECODE'
  | 'INDEXER_ROLLED_BACK'
  | 'INDEXER_STOPPED';

export class IndexerError extends Error {
  constructor(
    readonly code: IndexerErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'IndexerError';
  }
}

export function isIndexerError(e: unknown, code?: IndexerErrorCode): e is IndexerError {
  return e instanceof IndexerError && (code === undefined || e.code === code);
}
