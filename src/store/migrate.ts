/**
 * Bringing a database's schema up to date, one process at a time. Several processes opening a new
 * database at once take turns: the first migrates under an exclusive lock, the others wait for the
 * lock, find the schema current and go on. A database written by a newer Hindsight is refused.
 */
import { Migrator, sql, type Kysely } from 'kysely';
import { HindsightError, UsageError } from '../model/errors.js';
import { migrationProvider, migrations } from './migrations/index.js';
import type { Connection } from './connect.js';

/** PostgreSQL advisory lock key held while migrating (any constant not used elsewhere). */
const MIGRATION_LOCK_KEY = 47004711;

/** The number a migration's name starts with ("0011-audit-mac" -> 11). */
function schemaNumber(name: string): number {
  const n = Number.parseInt(name, 10);
  return Number.isFinite(n) ? n : 0;
}

/** This Hindsight's schema number: the highest migration it knows. */
export const CURRENT_SCHEMA = Math.max(...Object.keys(migrations).map(schemaNumber));

/** The names of the migrations already run (none when the database is new). */
async function appliedMigrations(connection: Connection): Promise<string[]> {
  const db = connection.db as unknown as Kysely<Record<string, { name: string }>>;
  const exists =
    connection.kind === 'sqlite'
      ? await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = 'kysely_migration'`.execute(db)
      : await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name = 'kysely_migration' and table_schema = ${connection.schema ?? 'public'}`.execute(db);
  if (Number(exists.rows[0]?.n ?? 0) === 0) return [];
  const table = connection.kind === 'postgres' ? sql.id(connection.schema ?? 'public', 'kysely_migration') : sql.id('kysely_migration');
  const rows = await sql<{ name: string }>`select name from ${table}`.execute(db);
  return rows.rows.map((r) => r.name);
}

/** Refuses a schema this Hindsight does not know (a newer one); true when nothing is left to run. */
function isCurrent(applied: string[]): boolean {
  const unknown = applied.filter((name) => !(name in migrations));
  if (unknown.length > 0) {
    const schema = Math.max(...unknown.map(schemaNumber));
    throw new UsageError(`this database was created by a newer version of Hindsight (schema ${schema}); upgrade Hindsight`);
  }
  return Object.keys(migrations).every((name) => applied.includes(name));
}

/** Brings the schema up to date (or checks that it is, on a read-only database). */
export async function migrate(connection: Connection, readOnly: boolean): Promise<void> {
  if (isCurrent(await appliedMigrations(connection))) return;
  if (readOnly) throw new UsageError(`${connection.location} is read-only and its schema is older than this Hindsight's: open it once where it can be written to upgrade it`);
  if (connection.kind === 'sqlite') return migrateSqlite(connection);
  return migratePostgres(connection);
}

async function migrateSqlite(connection: Connection): Promise<void> {
  const sqlite = connection.sqlite;
  if (!sqlite) throw new Error('a SQLite connection without its database handle');
  // BEGIN EXCLUSIVE waits (up to the busy timeout) for any other process migrating or writing;
  // every migration then runs in this one transaction, so a failed one leaves the schema as it was.
  try {
    await beginExclusive(sqlite, connection.busyTimeoutMs ?? 60_000);
  } catch (error) {
    throw busyWhile(error, connection, 'upgrading its schema');
  }
  try {
    if (!isCurrent(await appliedMigrations(connection))) await runMigrator(connection);
    sqlite.exec('commit');
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec('rollback');
    throw error;
  }
}

/**
 * Takes the exclusive lock in short attempts with the event loop free between them: a connection
 * of the same process holding the lock (several stores opened at once) can then finish and let go.
 */
async function beginExclusive(sqlite: NonNullable<Connection['sqlite']>, busyTimeoutMs: number): Promise<void> {
  const deadline = Date.now() + busyTimeoutMs;
  sqlite.pragma('busy_timeout = 25');
  try {
    for (;;) {
      try {
        sqlite.exec('begin exclusive');
        return;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw error;
        await new Promise((done) => setTimeout(done, 25));
      }
    }
  } finally {
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
  }
}

async function migratePostgres(connection: Connection): Promise<void> {
  // A session-level advisory lock held on one pooled connection while the migrator runs on others:
  // a second process waits here, then finds the schema current. Kysely's own lock is taken only
  // after it has created its tables, which two first opens would otherwise race to do.
  await connection.db.connection().execute(async (held) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(held);
    try {
      // Kysely reads the catalog of every schema before migrating; a schema dropped by someone else
      // meanwhile fails that read. The migrations of a failed attempt were rolled back: try again.
      for (let attempt = 1; ; attempt++) {
        try {
          if (!isCurrent(await appliedMigrations(connection))) await runMigrator(connection);
          break;
        } catch (error) {
          if (attempt >= 3 || error instanceof UsageError) throw error;
          await new Promise((done) => setTimeout(done, 100 * attempt));
        }
      }
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(held);
    }
  });
}

async function runMigrator(connection: Connection): Promise<void> {
  const migrator = new Migrator({
    db: connection.db,
    provider: migrationProvider,
    // 0008 and 0009 were written side by side: a store may have run 0009 first. Each migration
    // stands alone, so the ones not yet run are run in order whatever ran before them.
    allowUnorderedMigrations: true,
    ...(connection.kind === 'postgres' ? { migrationTableSchema: connection.schema ?? 'public' } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const reason = error instanceof Error ? error.message : String(error);
    throw new HindsightError(`database migration ${failed ? `"${failed.migrationName}" ` : ''}failed on ${connection.location}: ${reason}`);
  }
}

/** The one-line error of a lock that could not be had within the busy timeout. */
export function busyWhile(error: unknown, connection: Pick<Connection, 'location'>, what: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) {
    return new HindsightError(`the database is busy: ${connection.location} stayed locked by another writer while ${what} for the whole busy timeout (HINDSIGHT_BUSY_TIMEOUT_MS); nothing was written`);
  }
  return error;
}
