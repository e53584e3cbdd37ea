import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Incident, StoredIncident } from '../model/index.js';
import { auditKeyFileOf } from './audit/keyring.js';
import { connect, type OpenStoreOptions } from './connect.js';
import { getIncident, IncidentImporter, listIncidents, techniqueCounts } from './incidents/index.js';
import type { Database } from './database.js';
import type { ImportOptions, ImportResult, IncidentFilter, IncidentListItem, IncidentStore, StoreKind, TechniqueCount } from './types.js';

export type * from './database.js';
export type * from './types.js';
export { defaultDatabasePath } from './connect.js';
export type { OpenStoreOptions } from './connect.js';
export { incidentId, alertId } from './ids.js';
export { storeErrorOf } from './errors.js';
export { backfillObservables } from './observables/backfill.js';

export type OpenedStore = IncidentStore & {
  /** The file of the audit trail's MAC keys, outside the database (HINDSIGHT_AUDIT_KEY_FILE or the default). */
  readonly auditKeyFile: string;
  /** Every table, typed (camelCase names, mapped to the snake_case columns). */
  db: Kysely<Database>;
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
  // `env` names where DATABASE_URL is read; the key file is the process's unless `env` names one.
  const auditKeyFile = options.auditKeyFile ?? auditKeyFileOf({ ...process.env, ...options.env });
  return new KyselyIncidentStore(connection.kind, connection.location, connection.db, auditKeyFile, connection.sqlite);
}

class KyselyIncidentStore implements OpenedStore {
  constructor(
    readonly kind: StoreKind,
    readonly location: string,
    readonly db: Kysely<Database>,
    readonly auditKeyFile: string,
    private readonly sqlite?: BetterSqlite3.Database,
  ) {}

  importIncidents(incidents: Incident[], options?: ImportOptions): Promise<ImportResult> {
    return this.importIncidentBatches([incidents], options);
  }

  importIncidentBatches(batches: Iterable<Incident[]> | AsyncIterable<Incident[]>, options: ImportOptions = {}): Promise<ImportResult> {
    const now = new Date().toISOString();
    return this.transaction(async (tx) => {
      const importer = new IncidentImporter(tx.db, this.kind, now, this.sqlite, options.derivePartial);
      for await (const batch of batches) await importer.importBatch(batch);
      return importer.finish();
    });
  }

  transaction<T>(work: (store: OpenedStore) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    if (this.db.isTransaction) return work(this);
    const bound = (trx: Kysely<Database>) => work(new KyselyIncidentStore(this.kind, this.location, trx, this.auditKeyFile, this.sqlite));
    if (!options.bulk || this.kind !== 'sqlite') return this.db.transaction().execute(bound);
    // SQLite ignores a change of foreign_keys inside a transaction: it is set on the held connection
    // before BEGIN and restored after COMMIT or ROLLBACK.
    return this.db.connection().execute(async (connection) => {
      const before = Number((await sql<{ foreignKeys: number }>`pragma foreign_keys`.execute(connection)).rows[0]?.foreignKeys ?? 1);
      await sql`pragma foreign_keys = off`.execute(connection);
      try {
        return await connection.transaction().execute(bound);
      } finally {
        await sql.raw(`pragma foreign_keys = ${before ? 'on' : 'off'}`).execute(connection);
      }
    });
  }

  listIncidents(filter?: IncidentFilter): Promise<IncidentListItem<'determination'>[]> {
    return listIncidents(this.db, filter);
  }

  getIncident(ref: string): Promise<StoredIncident | undefined> {
    return getIncident(this.db, ref);
  }

  techniqueCounts(filter?: Pick<IncidentFilter, 'since'>): Promise<TechniqueCount[]> {
    return techniqueCounts(this.db, filter);
  }

  async close(): Promise<void> {
    // A store bound to a transaction shares the connection of the store that opened it.
    if (this.db.isTransaction) return;
    await this.db.destroy();
  }
}
