import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type Kysely } from 'kysely';
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

export class BulkInserter {
  /** Statement text by table, column list (the caller's array) and row count. */
  private readonly statements = new Map<string, Map<readonly string[], Map<number, string>>>();
  private readonly prepared = new Map<string, BetterSqlite3.Statement>();

  /**
   * With `sqlite` (the connection Kysely's transaction runs on), statements are prepared once and
   * reused; otherwise they go through Kysely (PostgreSQL).
   */
  constructor(
    private readonly kind: StoreKind,
    private readonly sqlite?: BetterSqlite3.Database,
  ) {}

  /** Inserts `rows` (each an array of values in `columns` order) into `table`. */
  async insert<DB>(db: Kysely<DB>, table: string, columns: readonly string[], rows: SqlValue[][]): Promise<void> {
    if (rows.length === 0) return;
    const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS[this.kind] / columns.length)));
    const columnCount = columns.length;
    let start = 0;
    while (start < rows.length) {
      // Statements come in a few sizes (full, then 32 and 1 rows for the rest), so a handful of
      // prepared statements serve any number of rows.
      const left = rows.length - start;
      const size = left >= perStatement ? perStatement : left >= TAIL_ROWS ? TAIL_ROWS : 1;
      const chunk = start === 0 && size === rows.length ? rows : rows.slice(start, start + size);
      start += size;
      const text = this.statement(table, columns, size);
      if (this.sqlite) {
        // better-sqlite3 binds the values of array arguments in order: the rows go in as they are.
        for (const row of chunk) if (row.length !== columnCount) throw new Error(`a row for ${table} has ${row.length} values, expected ${columnCount}`);
        let statement = this.prepared.get(text);
        if (!statement) this.prepared.set(text, (statement = this.sqlite.prepare(text)));
        statement.run(...chunk);
      } else {
        const params: SqlValue[] = new Array<SqlValue>(chunk.length * columnCount);
        let i = 0;
        for (const row of chunk) {
          for (let c = 0; c < columnCount; c++) params[i++] = row[c] ?? null;
        }
        await db.executeQuery(CompiledQuery.raw(text, params));
      }
    }
  }

  private statement(table: string, columns: readonly string[], rowCount: number): string {
    let byColumns = this.statements.get(table);
    if (!byColumns) this.statements.set(table, (byColumns = new Map()));
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
    const text = head + tuples.join(', ');
    byCount.set(rowCount, text);
    return text;
  }
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
