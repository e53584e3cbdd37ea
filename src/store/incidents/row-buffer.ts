import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { BulkInserter } from '../bulk.js';
import type { Database } from '../database.js';
import type { StoreKind } from '../types.js';

/** The tables an import writes, in the order their buffered rows are written (parents before children). */
const TABLES = ['incidents', 'alerts', 'alertTechniques', 'entities', 'comments', 'statusChanges', 'observables', 'observableSightings'] as const;
type ImportTable = (typeof TABLES)[number];

/** Rows waiting to be written, by table. */
type Buffers = { [T in ImportTable]: Database[T][] };

/** Tables whose rows may already be stored (an observable seen before): a duplicate is skipped, not an error. */
const IGNORE_DUPLICATES = new Set<ImportTable>(['observables', 'observableSightings']);

/** Buffered rows past which the buffers are written between chunks of records. */
const FLUSH_AT_ROWS = 20_000;

/**
 * The new rows of an import, buffered and written as multi-row INSERTs (statements prepared once
 * on SQLite). Rows are written parents first, so a child never waits for its parent.
 */
export class RowBuffer {
  private buffers: Buffers = emptyBuffers();
  private buffered = 0;
  private readonly bulk: BulkInserter;

  constructor(
    private readonly db: Kysely<Database>,
    kind: StoreKind,
    sqlite?: BetterSqlite3.Database,
  ) {
    this.bulk = new BulkInserter(kind, sqlite);
  }

  push<T extends ImportTable>(table: T, row: Database[T]): void {
    this.buffers[table].push(row);
    this.buffered++;
  }

  /** Whether enough is buffered to be worth writing now. */
  get full(): boolean {
    return this.buffered >= FLUSH_AT_ROWS;
  }

  /** Writes every buffered row. */
  async flush(): Promise<void> {
    if (this.buffered === 0) return;
    const buffers = this.buffers;
    this.buffers = emptyBuffers();
    this.buffered = 0;
    for (const table of TABLES) await this.bulk.insertRows(this.db, table, buffers[table], { ignoreDuplicates: IGNORE_DUPLICATES.has(table) });
  }
}

function emptyBuffers(): Buffers {
  return { incidents: [], alerts: [], alertTechniques: [], entities: [], comments: [], statusChanges: [], observables: [], observableSightings: [] };
}
