/**
 * The stores every indexer test runs against: real PGlite (a fresh data directory) and a
 * real PostgreSQL server (a fresh database `zkpin_idx_<random>` on DATABASE_URL's server,
 * default postgres://postgres@127.0.0.1:5432/postgres, dropped after).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DatabaseConfig } from '../../src/database.ts';
import { IndexerStore } from '../../src/store.ts';

export const POSTGRES_URL =
  process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type StoreKind = 'pglite' | 'postgres';
export const STORE_KINDS: StoreKind[] = ['pglite', 'postgres'];

/** A fresh, empty database of `kind`; `open()` may be called again after `close` (restarts). */
export interface TestDatabase {
  kind: StoreKind;
  config: DatabaseConfig;
  open(): Promise<IndexerStore>;
  /** Removes the database (the store must be closed). */
  drop(): Promise<void>;
}

export async function testDatabase(kind: StoreKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'zkpin-idx-'));
    const config: DatabaseConfig = { kind: 'pglite', dataDir: dir };
    return {
      kind,
      config,
      open: async () => IndexerStore.open(await openDatabase(config)),
      drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  const name = `zkpin_idx_${randomBytes(6).toString('hex')}`;
  const admin = await openDatabase({ kind: 'postgres', url: POSTGRES_URL });
  try {
    await admin.exec(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const config: DatabaseConfig = { kind: 'postgres', url: url.toString() };
  return {
    kind,
    config,
    open: async () => IndexerStore.open(await openDatabase(config)),
    drop: async () => {
      const a = await openDatabase({ kind: 'postgres', url: POSTGRES_URL });
      try {
        await a.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.close();
      }
    },
  };
}
