/**
 * Versioned SQL migrations (indexer/migrations/NNNN_name.sql), applied in order, each in its
 * own transaction with its row in `schema_migrations`, so a crash mid-migration leaves the
 * previous version. A database that holds a version this build does not know is refused.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.ts';
import { IndexerError } from './errors.ts';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f, i) => {
      const version = Number(f.slice(0, 4));
      if (version !== i + 1)
        throw new IndexerError('INDEXER_MIGRATIONS', `migration ${f} is out of order`, { file: f });
      return { version, name: f.slice(5, -4), sql: readFileSync(join(dir, f), 'utf8') };
    });
}

/** Applies the migrations `db` lacks; returns the versions applied now. */
export async function migrate(db: Database, migrations = readMigrations()): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((r) => Number(r.version)));
  const newest = Math.max(0, ...applied);
  if (newest > migrations.length)
    throw new IndexerError(
      'INDEXER_MIGRATIONS',
      `the database is at schema version ${newest}, this indexer knows ${migrations.length}: run a newer indexer`,
      { database: newest, known: migrations.length },
    );
  const now: number[] = [];
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    await db.transaction(async (tx) => {
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
    });
    now.push(m.version);
  }
  return now;
}

/** The statements of a migration script (no semicolons inside strings or bodies here). */
function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('--'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
