import { sql, type Kysely } from 'kysely';
import { compiledRead } from '../compiled-read.js';
import type { Database } from '../database.js';

/**
 * The stored attribution of incidents (table `incident_attribution`, migration 0008): one answer per
 * incident, with what it was computed from. The answer itself is opaque JSON text here; the use
 * case that computes it reads and writes its shape.
 */

/** An incident's row version: its content hash and import time (a re-import that changes it changes this). */
const incidentVersion = sql<string>`i.content_hash || ':' || i.imported_at`;

export interface StoredAttribution {
  /** The version of the incident row now, or null when the incident does not exist. */
  currentVersion: string | null;
  /** The stored answer, if any, and what it was computed for. */
  stored: { incidentVersion: string; inputKey: string; model: string; actors: string } | null;
}

/** The incident's current row version and its stored attribution. */
// Read for every review document: compiled once.
const attributionOf = compiledRead(
  (db, incidentId: string) =>
    db
      .selectFrom('incidents as i')
      .leftJoin('incidentAttribution as a', 'a.incidentId', 'i.id')
      .select(['i.contentHash', 'i.importedAt', 'a.inputKey', 'a.model', 'a.actors', 'a.incidentVersion'])
      .where('i.id', '=', incidentId),
  [''],
);

export async function readAttribution(db: Kysely<Database>, incidentId: string): Promise<StoredAttribution> {
  const row = (await attributionOf(db, incidentId))[0];
  if (!row) return { currentVersion: null, stored: null };
  const currentVersion = `${row.contentHash}:${row.importedAt}`;
  const stored = row.actors !== null && row.inputKey !== null && row.model !== null && row.incidentVersion !== null ? { incidentVersion: row.incidentVersion, inputKey: row.inputKey, model: row.model, actors: row.actors } : null;
  return { currentVersion, stored };
}

/** Stores (or replaces) the attribution of an incident. */
export async function writeAttribution(db: Kysely<Database>, row: { incidentId: string; incidentVersion: string; inputKey: string; model: string; actors: string }): Promise<void> {
  const computedAt = new Date().toISOString();
  await db
    .insertInto('incidentAttribution')
    .values({ ...row, computedAt })
    .onConflict((oc) => oc.column('incidentId').doUpdateSet({ incidentVersion: row.incidentVersion, inputKey: row.inputKey, model: row.model, actors: row.actors, computedAt }))
    .execute();
}

/** A position in the newest-first order of incidents (for paging). */
export interface IncidentCursor {
  createdAt: string;
  id: string;
}

/**
 * Incidents whose stored attribution is missing, computed by another model, or computed for an
 * earlier version of the incident; newest first, after `after`.
 */
export async function staleAttributions(db: Kysely<Database>, model: string, limit: number, after?: IncidentCursor): Promise<IncidentCursor[]> {
  let query = db
    .selectFrom('incidents as i')
    .leftJoin('incidentAttribution as a', 'a.incidentId', 'i.id')
    .select(['i.id', 'i.createdAt'])
    .where((eb) => eb.or([eb('a.incidentId', 'is', null), eb('a.model', '<>', model), eb('a.incidentVersion', '<>', incidentVersion)]));
  if (after) query = query.where((eb) => eb.or([eb('i.createdAt', '<', after.createdAt), eb.and([eb('i.createdAt', '=', after.createdAt), eb('i.id', '>', after.id)])]));
  return query.orderBy('i.createdAt', 'desc').orderBy('i.id').limit(limit).execute();
}
