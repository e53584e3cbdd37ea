import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { ConnectorRun } from '../../model/connectors.js';
import type { Database } from '../database.js';
import type { ConnectorsTable } from '../tables/connectors.js';

export type ConnectorRow = Selectable<ConnectorsTable>;

/** Runs kept per connector: enough for the connectors screen's history, never a growing table. */
const RUNS_KEPT = 20;

export async function listConnectorRows(db: Kysely<Database>): Promise<ConnectorRow[]> {
  return db.selectFrom('connectors').selectAll().orderBy('name').execute();
}

export async function getConnectorRow(db: Kysely<Database>, name: string): Promise<ConnectorRow | undefined> {
  return db.selectFrom('connectors').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function insertConnectorRow(db: Kysely<Database>, row: ConnectorRow): Promise<void> {
  await db.insertInto('connectors').values(row).execute();
}

/** Changes a connector's settings; returns false when there is no such connector. */
export async function updateConnectorRow(db: Kysely<Database>, name: string, patch: Partial<Omit<ConnectorRow, 'name' | 'type' | 'createdAt'>>): Promise<boolean> {
  const result = await db.updateTable('connectors').set(patch).where('name', '=', name).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deletes a connector with its runs and lease; returns false when there is no such connector. */
export async function deleteConnectorRow(db: Kysely<Database>, name: string): Promise<boolean> {
  await db.deleteFrom('connectorRuns').where('connectorName', '=', name).execute();
  await db.deleteFrom('connectorLeases').where('connectorName', '=', name).execute();
  const result = await db.deleteFrom('connectors').where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The newest run of each named connector. */
export async function latestRuns(db: Kysely<Database>, names: readonly string[]): Promise<Map<string, ConnectorRun>> {
  const out = new Map<string, ConnectorRun>();
  if (names.length === 0) return out;
  const rows = await db.selectFrom('connectorRuns').selectAll().where('connectorName', 'in', names).orderBy('startedAt', 'desc').execute();
  for (const row of rows) {
    if (out.has(row.connectorName)) continue;
    out.set(row.connectorName, {
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
      ok: row.ok === 1,
      error: row.error,
      fetched: Number(row.fetched),
      created: Number(row.created),
      updated: Number(row.updated),
      unchanged: Number(row.unchanged),
    });
  }
  return out;
}

/** Records a finished run and drops the connector's oldest runs beyond the ones kept. */
export async function recordRun(db: Kysely<Database>, name: string, run: ConnectorRun): Promise<void> {
  await db
    .insertInto('connectorRuns')
    .values({ id: randomUUID(), connectorName: name, ...run, ok: run.ok ? 1 : 0 })
    .execute();
  const old = await db.selectFrom('connectorRuns').select('id').where('connectorName', '=', name).orderBy('startedAt', 'desc').offset(RUNS_KEPT).limit(1000).execute();
  if (old.length) await db.deleteFrom('connectorRuns').where('id', 'in', old.map((r) => r.id)).execute();
}

export async function setCheckpoint(db: Kysely<Database>, name: string, checkpoint: string): Promise<void> {
  await db.updateTable('connectors').set({ checkpoint }).where('name', '=', name).execute();
}

export async function setNextRun(db: Kysely<Database>, name: string, nextRunAt: string | null): Promise<void> {
  await db.updateTable('connectors').set({ nextRunAt }).where('name', '=', name).execute();
}

/**
 * Takes the connector's lease for `holder` until `expiresAt`, if nobody holds an unexpired one.
 * Each statement is atomic on its own (no transaction needed): an expired lease is removed, then
 * the insert succeeds for exactly one of the processes racing for it (the primary key decides).
 */
export async function acquireLease(db: Kysely<Database>, name: string, holder: string, now: string, expiresAt: string): Promise<boolean> {
  await db.deleteFrom('connectorLeases').where('connectorName', '=', name).where('expiresAt', '<=', now).execute();
  const result = await db
    .insertInto('connectorLeases')
    .values({ connectorName: name, holder, expiresAt })
    .onConflict((oc) => oc.column('connectorName').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Extends a lease its holder still has; false when it was lost (expired and taken by another). */
export async function renewLease(db: Kysely<Database>, name: string, holder: string, expiresAt: string): Promise<boolean> {
  const result = await db.updateTable('connectorLeases').set({ expiresAt }).where('connectorName', '=', name).where('holder', '=', holder).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function releaseLease(db: Kysely<Database>, name: string, holder: string): Promise<void> {
  await db.deleteFrom('connectorLeases').where('connectorName', '=', name).where('holder', '=', holder).execute();
}
