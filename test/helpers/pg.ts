/**
 * One PostgreSQL schema per test store, so suites running in parallel never see each other's
 * rows; every schema made is dropped when the suite ends.
 */
import pg from 'pg';

export interface PostgresSchemas {
  /** A database URL naming a fresh schema (the store creates it and runs its migrations there). */
  next(): string;
  /** The schema names handed out so far. */
  readonly names: readonly string[];
  /** Drops every schema handed out. */
  dropAll(): Promise<void>;
}

export function postgresSchemas(url: string, prefix: string): PostgresSchemas {
  const base = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
  const names: string[] = [];
  return {
    names,
    next() {
      const schema = `${base}_${names.length + 1}`;
      names.push(schema);
      return `${url}?schema=${schema}`;
    },
    async dropAll() {
      if (names.length === 0) return;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const schema of names) await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
