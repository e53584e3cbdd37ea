import type BetterSqlite3 from 'better-sqlite3';
import { CamelCasePlugin, sql, type Kysely } from 'kysely';
import type { Incident, StoredIncident } from '../model/index.js';
import { connect, type OpenStoreOptions } from './connect.js';
import { IncidentImporter } from './import.js';
import { getIncident, listIncidents, techniqueCounts } from './read.js';
import type { Database as SnakeDatabase } from './schema.js';
import type { Database } from './database.js';
import type { ImportedIncidentResult, ImportOptions, ImportSummary, IncidentFilter, IncidentListItem, IncidentStore, StoreKind, TechniqueCount } from './types.js';

export type * from './database.js';
export type * from './types.js';
export { defaultDatabasePath } from './connect.js';
export type { OpenStoreOptions } from './connect.js';
export { incidentId, alertId } from './ids.js';

export type OpenedStore = IncidentStore & {
  /** Every table, typed (camelCase names, mapped to the snake_case columns). */
  db: Kysely<Database>;
  /** The same connection with the database's own snake_case names (the older queries; being moved onto `db`). */
  snake: Kysely<SnakeDatabase>;
  /**
   * Runs `work` in one transaction, with the store bound to it: its imports and every query made
   * through its `db` commit together or not at all. Joins the transaction the store is already in.
   */
  transaction<T>(work: (store: OpenedStore) => Promise<T>, options?: TransactionOptions): Promise<T>;
};

export interface TransactionOptions {
  /**
   * A bulk write whose rows are consistent by construction (an import writes every parent before its
   * children): on SQLite the foreign-key checks, two index lookups for every child row, are left out
   * for this transaction and switched on again when it ends. The connection is held for the whole
   * transaction, so no other statement runs without them. PostgreSQL checks as always.
   */
  bulk?: boolean;
}

/**
 * Opens the incident store: `options.db` (a path or a `postgres://` URL), else DATABASE_URL, else
 * `./hindsight.db`. Brings the schema up to date before returning.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const connection = await connect(options);
  return new KyselyIncidentStore(connection.kind, connection.location, connection.db, connection.sqlite);
}

class KyselyIncidentStore implements OpenedStore {
  constructor(
    readonly kind: StoreKind,
    readonly location: string,
    readonly snake: Kysely<SnakeDatabase>,
    private readonly sqlite?: BetterSqlite3.Database,
  ) {
    this.db = camelCased(snake);
  }

  readonly db: Kysely<Database>;

  importIncidents(incidents: Incident[], options?: ImportOptions): Promise<{ summary: ImportSummary; results: ImportedIncidentResult[] }> {
    return this.importIncidentBatches([incidents], options);
  }

  importIncidentBatches(
    batches: Iterable<Incident[]> | AsyncIterable<Incident[]>,
    options: ImportOptions = {},
  ): Promise<{ summary: ImportSummary; results: ImportedIncidentResult[] }> {
    const now = new Date().toISOString();
    const run = async (trx: Kysely<SnakeDatabase>) => {
      const importer = new IncidentImporter(trx, this.kind, now, this.sqlite, options.derivePartial);
      for await (const batch of batches) await importer.importBatch(batch);
      return importer.finish();
    };
    return this.snake.isTransaction ? run(this.snake) : this.snake.transaction().execute(run);
  }

  transaction<T>(work: (store: OpenedStore) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    if (this.snake.isTransaction) return work(this);
    const bound = (trx: Kysely<SnakeDatabase>) => work(new KyselyIncidentStore(this.kind, this.location, trx, this.sqlite));
    if (!options.bulk || this.kind !== 'sqlite') return this.snake.transaction().execute(bound);
    // SQLite ignores a change of foreign_keys inside a transaction: it is set on the held connection
    // before BEGIN and restored after COMMIT or ROLLBACK.
    return this.snake.connection().execute(async (connection) => {
      const before = Number((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(connection)).rows[0]?.foreign_keys ?? 1);
      await sql`pragma foreign_keys = off`.execute(connection);
      try {
        return await connection.transaction().execute(bound);
      } finally {
        await sql.raw(`pragma foreign_keys = ${before ? 'on' : 'off'}`).execute(connection);
      }
    });
  }

  listIncidents(filter?: IncidentFilter): Promise<IncidentListItem[]> {
    return listIncidents(this.snake, filter);
  }

  getIncident(ref: string): Promise<StoredIncident | undefined> {
    return getIncident(this.snake, ref);
  }

  techniqueCounts(filter?: Pick<IncidentFilter, 'since'>): Promise<TechniqueCount[]> {
    return techniqueCounts(this.snake, filter);
  }

  async close(): Promise<void> {
    // A store bound to a transaction shares the connection of the store that opened it.
    if (this.snake.isTransaction) return;
    await this.snake.destroy();
  }
}

/** The typed handle: camelCase names in TypeScript, snake_case in the database. */
function camelCased(db: Kysely<SnakeDatabase>): Kysely<Database> {
  return db.withPlugin(new CamelCasePlugin()) as unknown as Kysely<Database>;
}
