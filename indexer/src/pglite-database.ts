/** `Database` on embedded PGlite: a data directory (survives restarts) or memory. */
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Database, SqlClient } from './database.ts';

export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;

  private constructor(private readonly db: PGlite) {}

  static async open(dataDir?: string): Promise<PgliteDatabase> {
    return new PgliteDatabase(await PGlite.create(dataDir === undefined ? {} : { dataDir }));
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.db.query<T>(sql, [...params])).rows;
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.db.transaction((tx: Transaction) =>
      fn({
        query: async <R>(sql: string, params: readonly unknown[] = []) =>
          (await tx.query<R>(sql, [...params])).rows,
      }),
    );
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
