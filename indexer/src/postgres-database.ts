/** `Database` on a PostgreSQL server through a node-postgres pool. */
import pg from 'pg';
import type { Database, SqlClient } from './database.ts';

/**
 * node-postgres sends a Buffer as bytea; a plain Uint8Array would be sent as text. Arrays (the
 * store's multi-row writes pass `bytea[]` columns) are converted element by element.
 */
function param(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(param);
  return v instanceof Uint8Array && !Buffer.isBuffer(v)
    ? Buffer.from(v.buffer, v.byteOffset, v.byteLength)
    : v;
}

export class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;

  private constructor(private readonly pool: pg.Pool) {}

  static async connect(url: string): Promise<PostgresDatabase> {
    const pool = new pg.Pool({ connectionString: url, max: 8 });
    // Fails at start, with the server's reason, when the database cannot be reached.
    const client = await pool.connect();
    client.release();
    return new PostgresDatabase(pool);
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params.map(param))).rows as T[];
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn({
        query: async <R>(sql: string, params: readonly unknown[] = []) =>
          (await client.query(sql, params.map(param))).rows as R[],
      });
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
