import { PostgresAdapter, type Kysely } from 'kysely';
import type { StoreKind } from './types.js';

/**
 * Where SQLite and PostgreSQL differ, decided one way: by the adapter of the connection a query
 * runs on (a transaction's connection answers like the store's).
 */
export function dialectOf<DB>(db: Kysely<DB>): StoreKind {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

export function isPostgres<DB>(db: Kysely<DB>): boolean {
  return dialectOf(db) === 'postgres';
}
