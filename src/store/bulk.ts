import type BetterSqlite3 from 'better-sqlite3';
import { CamelCasePlugin, CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { StoreKind } from './types.js';

/**
 * Multi-row INSERTs built as plain SQL text with bound parameters: one statement per chunk of rows,
 * sized under the dialect's limit on bound parameters (SQLite 32,766; PostgreSQL 65,535). Building
 * the statement text directly avoids Kysely's per-value query tree, which dominates when hundreds
 * of thousands of rows go in.
 */
const MAX_PARAMETERS: Record<StoreKind, number> = { sqlite: 32_000, postgres: 60_000 };
const MAX_ROWS_PER_STATEMENT = 500;
const TAIL_ROWS = 32;

export type SqlValue = string | number | null;

export interface InsertOptions {
  /** Rows that would duplicate a unique key are left out instead of failing the statement. */
  ignoreDuplicates?: boolean;
}

/** The database's snake_case names, exactly as the store's Kysely instance maps the camelCase ones. */
class SnakeCaseNames extends CamelCasePlugin {
  of(name: string): string {
    return this.snakeCase(name);
  }
}
const snakeCase = new SnakeCaseNames();

export class BulkInserter {
  /** Statement text by table, column list (the caller's array) and row count. */
  private readonly statements = new Map<string, Map<readonly string[], Map<number, string>>>();
  private readonly prepared = new Map<string, BetterSqlite3.Statement>();
  /** The column list of each table and order of row keys seen, in snake_case. */
  private readonly columnLists = new Map<string, readonly string[]>();

  /**
   * With `sqlite` (the connection Kysely's transaction runs on), statements are prepared once and
   * reused; otherwise they go through Kysely (PostgreSQL).
   */
  constructor(
    private readonly kind: StoreKind,
    private readonly sqlite?: BetterSqlite3.Database,
  ) {}

  /**
   * Inserts rows built by a typed mapping (objects whose keys are the table's camelCase column
   * names, all in the same order) into `table`: the columns are the keys of the rows.
   */
  async insertRows<T extends keyof Database>(db: Kysely<Database>, table: T, rows: readonly Database[T][], options: InsertOptions = {}): Promise<void> {
    const first = rows[0];
    if (first === undefined) return;
    const keys = Object.keys(first);
    const signature = `${table}(${keys.join(',')})`;
    let columns = this.columnLists.get(signature);
    if (!columns) this.columnLists.set(signature, (columns = keys.map((k) => snakeCase.of(k))));
    const count = keys.length;
    await this.write(db, snakeCase.of(table), columns, rows.length, options, (from, size, params) => {
      let i = 0;
      for (let r = from; r < from + size; r++) {
        const values = rows[r] as Record<string, SqlValue>;
        for (const key in values) params[i++] = values[key] ?? null;
        if (i !== (r - from + 1) * count) throw new Error(`a row for ${table} has ${i - (r - from) * count} values, expected ${count}`);
      }
    });
  }

  /** Inserts `rows` (each an array of values in `columns` order, snake_case names) into `table`. */
  async insert<DB>(db: Kysely<DB>, table: string, columns: readonly string[], rows: readonly SqlValue[][], options: InsertOptions = {}): Promise<void> {
    const count = columns.length;
    await this.write(db, table, columns, rows.length, options, (from, size, params) => {
      for (let r = 0; r < size; r++) {
        const values = rows[from + r] as SqlValue[];
        if (values.length !== count) throw new Error(`a row for ${table} has ${values.length} values, expected ${count}`);
        for (let c = 0; c < count; c++) params[r * count + c] = values[c] ?? null;
      }
    });
  }

  /** Writes `rowCount` rows, `fill` putting the values of rows [from, from + size) into `params`, row after row. */
  private async write<DB>(db: Kysely<DB>, table: string, columns: readonly string[], rowCount: number, options: InsertOptions, fill: (from: number, size: number, params: SqlValue[]) => void): Promise<void> {
    const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS[this.kind] / columns.length)));
    const columnCount = columns.length;
    let start = 0;
    while (start < rowCount) {
      // Statements come in a few sizes (full, then 32 and 1 rows for the rest), so a handful of
      // prepared statements serve any number of rows.
      const left = rowCount - start;
      const size = left >= perStatement ? perStatement : left >= TAIL_ROWS ? TAIL_ROWS : 1;
      const params = new Array<SqlValue>(size * columnCount);
      fill(start, size, params);
      start += size;
      const text = this.statement(table, columns, size, options.ignoreDuplicates === true);
      if (this.sqlite) {
        let statement = this.prepared.get(text);
        if (!statement) this.prepared.set(text, (statement = this.sqlite.prepare(text)));
        statement.run(params);
      } else {
        await db.executeQuery(CompiledQuery.raw(text, params));
      }
    }
  }

  private statement(table: string, columns: readonly string[], rowCount: number, ignoreDuplicates: boolean): string {
    const name = ignoreDuplicates ? `${table} ignore` : table;
    let byColumns = this.statements.get(name);
    if (!byColumns) this.statements.set(name, (byColumns = new Map()));
    let byCount = byColumns.get(columns);
    if (!byCount) byColumns.set(columns, (byCount = new Map()));
    const cached = byCount.get(rowCount);
    if (cached) return cached;
    const head = `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values `;
    const tuples: string[] = [];
    let n = 0;
    for (let r = 0; r < rowCount; r++) {
      const marks: string[] = [];
      for (let c = 0; c < columns.length; c++) marks.push(this.kind === 'postgres' ? `$${++n}` : '?');
      tuples.push(`(${marks.join(', ')})`);
    }
    // Both dialects skip a row that would break a unique index (SQLite 3.24+, PostgreSQL 9.5+).
    const text = head + tuples.join(', ') + (ignoreDuplicates ? ' on conflict do nothing' : '');
    byCount.set(rowCount, text);
    return text;
  }
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
