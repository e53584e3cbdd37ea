import { resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely';
import { UsageError } from '../model/errors.js';
import { storeErrorOf } from './errors.js';
import { migrate } from './migrate.js';
import { busyTimeoutOf, HindsightSqliteDialect, openSqliteFile } from './sqlite-open.js';
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
  /** How long a SQLite writer waits for the lock (default: HINDSIGHT_BUSY_TIMEOUT_MS, else 60 s). */
  busyTimeoutMs?: number;
  /** The audit trail's key file (default: HINDSIGHT_AUDIT_KEY_FILE, else ~/.config/hindsight/audit.key). */
  auditKeyFile?: string;
}

export interface Connection {
  kind: StoreKind;
  location: string;
  db: Kysely<Database>;
  schema?: string;
  /** The SQLite connection under Kysely (bulk inserts use it directly). */
  sqlite?: BetterSqlite3.Database;
  /** A SQLite file that cannot be written: opened read-only, its reads work and its writes fail. */
  readOnly?: boolean;
  /** How long a SQLite writer waits for the lock. */
  busyTimeoutMs?: number;
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
  const connection = isPostgresUrl(target) ? await connectPostgres(target, options.schema) : await connectSqlite(target, options.cwd, busyTimeoutOf(env, options.busyTimeoutMs));
  try {
    await migrate(connection, connection.readOnly === true);
  } catch (error) {
    await connection.db.destroy().catch(() => undefined);
    throw storeErrorOf(error, connection.location) ?? error;
  }
  // Migrations ran on the database's own names; every query after them uses the typed camelCase
  // names of `Database`, mapped to the snake_case columns.
  return { ...connection, db: connection.db.withPlugin(new CamelCasePlugin()) };
}

async function connectSqlite(target: string, cwd: string | undefined, busyTimeoutMs: number): Promise<Connection> {
  const path = target === ':memory:' ? target : resolve(cwd ?? process.cwd(), target.replace(/^sqlite:(\/\/)?/i, ''));
  const { default: SQLite } = await import('better-sqlite3');
  const { database, readOnly } = openSqliteFile(SQLite, path, busyTimeoutMs);
  const db = new Kysely<Database>({ dialect: new HindsightSqliteDialect({ database: withStatementCache(database) }, readOnly, busyTimeoutMs) });
  return { kind: 'sqlite', location: path, db, sqlite: database, readOnly, busyTimeoutMs };
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
      await createSchema(db, schema);
    } catch (error) {
      await db.destroy().catch(() => undefined);
      throw storeErrorOf(error, redact(target)) ?? new UsageError(`cannot create the PostgreSQL schema ${schema} at ${redact(target)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const location = redact(target);
  return { kind: 'postgres', location, db, ...(schema ? { schema } : {}) };
}

/**
 * `create schema if not exists` run by two processes at once can still fail in one of them (both
 * see no schema, one insert wins): the loser finds the schema made and goes on.
 */
async function createSchema(db: Kysely<Database>, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== '23505' && code !== '42P06') throw error;
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
