/**
 * The SQL connection the store runs on: embedded PGlite (Postgres compiled to WASM, a data
 * directory, no server) or a PostgreSQL server (`DATABASE_URL`, node-postgres). Both run the
 * same SQL; rows come back with bigint and numeric columns cast to text by the queries, so
 * the two drivers' differing int8 parsers never matter.
 */
import { PgliteDatabase } from './pglite-database.ts';
import { PostgresDatabase } from './postgres-database.ts';

export interface SqlClient {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface Database extends SqlClient {
  readonly kind: 'pglite' | 'postgres';
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type DatabaseConfig =
  | { kind: 'postgres'; url: string }
  /** `dataDir` undefined: in memory (tests). */
  | { kind: 'pglite'; dataDir?: string };

export async function openDatabase(c: DatabaseConfig): Promise<Database> {
  return c.kind === 'postgres' ? PostgresDatabase.connect(c.url) : PgliteDatabase.open(c.dataDir);
}
