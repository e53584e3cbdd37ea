import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/**
 * The SQLite connection as Kysely sees it, with prepared statements kept by their SQL text. Kysely
 * prepares every query it runs; preparing costs more than running the small indexed queries that a
 * page of the team server makes (a dozen per incident review), so the most recently used
 * statements are kept, up to `size`. Long statements (multi-row inserts, long `in` lists) vary with
 * their data and are not kept. Kysely runs one query at a time on the one SQLite connection, so a
 * statement is never in use twice at once.
 */
export function withStatementCache(database: BetterSqlite3.Database, size = 300): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(sql: string) {
      const kept = statements.get(sql);
      if (kept) {
        // Most recently used last.
        statements.delete(sql);
        statements.set(sql, kept);
        return kept;
      }
      const statement = database.prepare(sql);
      if (sql.length <= 2000) {
        statements.set(sql, statement);
        if (statements.size > size) statements.delete(statements.keys().next().value as string);
      }
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
