/** Opening a SQLite file: writers that wait their turn, and read-only files that can still be read. */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
import { UsageError } from '../model/errors.js';

/** How long a writer waits for another writer's lock by default: longer than a large import. */
export const DEFAULT_BUSY_TIMEOUT_MS = 60_000;

/**
 * The busy timeout: HINDSIGHT_BUSY_TIMEOUT_MS (milliseconds, 0 or more) when set, else 60 s.
 * A value that is not a whole number is refused rather than silently replaced.
 */
export function busyTimeoutOf(env: NodeJS.ProcessEnv, explicit?: number): number {
  if (explicit !== undefined) return explicit;
  const raw = env.HINDSIGHT_BUSY_TIMEOUT_MS?.trim();
  if (!raw) return DEFAULT_BUSY_TIMEOUT_MS;
  if (!/^\d{1,9}$/.test(raw)) throw new UsageError(`HINDSIGHT_BUSY_TIMEOUT_MS must be a whole number of milliseconds, not "${raw}"`);
  return Number(raw);
}

/** How long one attempt at the write lock blocks before the next (the process stays responsive between). */
const LOCK_POLL_MS = 25;

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * Transactions begin IMMEDIATE: the write lock is taken at BEGIN, where the writer can wait for it.
 * A deferred transaction that reads first and then writes cannot wait (SQLite refuses the upgrade
 * at once, to avoid a deadlock), which made parallel writers fail within a second.
 *
 * The wait is made of short attempts with the event loop free between them, up to the busy
 * timeout: SQLite's own busy handler would block the whole process (the team server would stop
 * answering while a command-line import holds the lock).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly readOnly: boolean,
    private readonly busyTimeoutMs: number,
  ) {
    super(config);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // A read-only file cannot take the write lock; its transactions only read.
    if (this.readOnly) return void (await connection.executeQuery(CompiledQuery.raw('begin')));
    const deadline = Date.now() + this.busyTimeoutMs;
    await connection.executeQuery(CompiledQuery.raw(`pragma busy_timeout = ${Math.min(LOCK_POLL_MS, this.busyTimeoutMs)}`));
    try {
      for (;;) {
        try {
          await connection.executeQuery(CompiledQuery.raw('begin immediate'));
          return;
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY')) throw error;
          if (Date.now() >= deadline) throw Object.assign(error as Error, { waitedMs: this.busyTimeoutMs });
          await sleep(Math.min(LOCK_POLL_MS, Math.max(0, deadline - Date.now())));
        }
      }
    } finally {
      await connection.executeQuery(CompiledQuery.raw(`pragma busy_timeout = ${this.busyTimeoutMs}`));
    }
  }
}

export class HindsightSqliteDialect extends SqliteDialect {
  constructor(
    private readonly settings: SqliteDialectConfig,
    private readonly readOnly: boolean,
    private readonly busyTimeoutMs: number,
  ) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings, this.readOnly, this.busyTimeoutMs);
  }
}

/**
 * Whether the file is to be opened read-only: its mode grants no write permission, or it cannot be
 * written, or its directory cannot be (SQLite needs to create the -wal and -shm files beside it).
 * The mode bits are read too, so a file made read-only (0444) is honoured even by an account that
 * could write it anyway.
 */
export function isReadOnlyFile(path: string): boolean {
  if (path === ':memory:' || !existsSync(path)) return false;
  const writable = (target: string) => {
    try {
      if ((statSync(target).mode & 0o222) === 0) return false;
      accessSync(target, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  };
  return !writable(path) || !writable(dirname(path));
}

/** Opens the file (read-only when it cannot be written), with the pragmas every connection uses. */
export function openSqliteFile(SQLite: typeof BetterSqlite3, path: string, busyTimeoutMs: number): { database: BetterSqlite3.Database; readOnly: boolean } {
  const readOnly = isReadOnlyFile(path);
  let database: BetterSqlite3.Database;
  try {
    // `timeout` is SQLite's busy timeout, set before the first statement (switching to WAL takes a lock too).
    database = readOnly ? openReadOnly(SQLite, path, busyTimeoutMs) : new SQLite(path, { timeout: busyTimeoutMs });
  } catch (error) {
    throw new UsageError(`cannot open the SQLite database ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    // Reading the header first: a file that is not a database is named here, before any pragma writes.
    database.pragma('schema_version');
    if (!readOnly) {
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
      // A large import grows the write-ahead log to the size of its transaction; once checkpointed the
      // file is cut back to 64 MB instead of keeping that size on disk.
      database.pragma('journal_size_limit = 67108864');
    }
    database.pragma('foreign_keys = ON');
    // Imports write large transactions with random-order keys: a bigger page cache keeps the B-trees in memory.
    database.pragma('cache_size = -131072');
    database.pragma('temp_store = MEMORY');
    // Reads through a memory map rather than a read call and a copy per page: an incident's rows are
    // scattered over the file, and a detail view reads a few dozen pages (half the query time measured).
    database.pragma('mmap_size = 1073741824');
  } catch (error) {
    database.close();
    throw new UsageError(`${path} is not a usable Hindsight database: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { database, readOnly };
}

/**
 * A read-only open. A WAL database needs its -shm file; in a directory that cannot be written and
 * without that file, the database is opened as immutable (nobody can be writing it there either).
 */
function openReadOnly(SQLite: typeof BetterSqlite3, path: string, busyTimeoutMs: number): BetterSqlite3.Database {
  try {
    const database = new SQLite(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    database.pragma('schema_version');
    return database;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'SQLITE_CANTOPEN' && code !== 'SQLITE_READONLY' && code !== 'SQLITE_READONLY_CANTINIT') throw error;
    return new SQLite(`file:${encodeURI(path)}?immutable=1`, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
  }
}
