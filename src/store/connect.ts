import { resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { CamelCasePlugin, Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { UsageError } from '../model/errors.js';
import { migrationProvider } from './migrations/index.js';
import { withStatementCache } from './statement-cache.js';
import type { Database } from './database.js';
import type { StoreKind } from './types.js';

export interface OpenStoreOptions {
  /** A file path (SQLite) or a `postgres://` / `postgresql://` URL. */
  db?: string;
  /** Where DATABASE_URL is read when `db` is not given (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** PostgreSQL schema to use (created if missing); also read from a `?schema=` URL parameter. */
  schema?: string;
  /** Directory `./hindsight.db` is resolved against when neither `db` nor DATABASE_URL is set. */
  cwd?: string;
}

export interface Connection {
  kind: StoreKind;
  location: string;
  db: Kysely<Database>;
  schema?: string;
  /** The SQLite connection under Kysely (bulk inserts use it directly). */
  sqlite?: BetterSqlite3.Database;
}

/** `./hindsight.db` in `cwd`, as an absolute path. */
export function defaultDatabasePath(cwd: string = process.cwd()): string {
  return resolve(cwd, 'hindsight.db');
}

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** Opens the database the options name and brings its schema up to date. */
export async function connect(options: OpenStoreOptions): Promise<Connection> {
  const env = options.env ?? process.env;
  const target = options.db?.trim() || env.DATABASE_URL?.trim() || defaultDatabasePath(options.cwd);
  const connection = isPostgresUrl(target) ? await connectPostgres(target, options.schema) : await connectSqlite(target, options.cwd);
  try {
    await migrate(connection);
  } catch (error) {
    await connection.db.destroy().catch(() => undefined);
    throw error;
  }
  // Migrations ran on the database's own names; every query after them uses the typed camelCase
  // names of `Database`, mapped to the snake_case columns.
  return { ...connection, db: connection.db.withPlugin(new CamelCasePlugin()) };
}

async function connectSqlite(target: string, cwd: string | undefined): Promise<Connection> {
  const path = target === ':memory:' ? target : resolve(cwd ?? process.cwd(), target.replace(/^sqlite:(\/\/)?/i, ''));
  const { default: SQLite } = await import('better-sqlite3');
  let database: InstanceType<typeof SQLite>;
  try {
    database = new SQLite(path);
  } catch (error) {
    throw new UsageError(`cannot open the SQLite database ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  // A large import grows the write-ahead log to the size of its transaction; once checkpointed the
  // file is cut back to 64 MB instead of keeping that size on disk.
  database.pragma('journal_size_limit = 67108864');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // Imports write large transactions with random-order keys: a bigger page cache keeps the B-trees in memory.
  database.pragma('cache_size = -131072');
  database.pragma('temp_store = MEMORY');
  // Reads through a memory map rather than a read call and a copy per page: an incident's rows are
  // scattered over the file, and a detail view reads a few dozen pages (half the query time measured).
  database.pragma('mmap_size = 1073741824');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return { kind: 'sqlite', location: path, db, sqlite: database };
}

async function connectPostgres(target: string, schemaOption: string | undefined): Promise<Connection> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UsageError(`the database URL is not a valid URL: ${redact(target)}`);
  }
  const schema = schemaOption ?? (url.searchParams.get('schema') || undefined);
  url.searchParams.delete('schema');
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new UsageError(`the PostgreSQL schema name "${schema}" must be letters, digits and underscores`);
  }
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: 4,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  if (schema) {
    try {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    } catch (error) {
      await db.destroy().catch(() => undefined);
      throw new UsageError(`cannot reach PostgreSQL at ${redact(target)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const location = redact(target);
  return { kind: 'postgres', location, db, ...(schema ? { schema } : {}) };
}

async function migrate(connection: Connection): Promise<void> {
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
    throw new Error(`database migration ${failed ? `"${failed.migrationName}" ` : ''}failed on ${connection.location}: ${reason}`);
  }
}

/** The URL without its password. */
export function redact(target: string): string {
  try {
    const url = new URL(target);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return target.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}
