import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

/**
 * Hindsight's id of the incident a reference names (its id, or the source's own id), without
 * loading it. The same source id could exist under two sources: a full incident wins over a
 * partial one, then the oldest (as getIncident decides).
 */
export async function resolveIncidentRef(db: Kysely<Database>, ref: string): Promise<string | undefined> {
  const byId = await db.selectFrom('incidents').select('id').where('id', '=', ref).executeTakeFirst();
  if (byId) return byId.id;
  const bySource = await db.selectFrom('incidents').select('id').where('sourceId', '=', ref).orderBy('partial', 'asc').orderBy('createdAt', 'asc').orderBy('id', 'asc').executeTakeFirst();
  return bySource?.id ?? (await incidentIdBySentinelNumber(db, ref));
}

/**
 * Hindsight's id of the Sentinel incident with this incident number (the number analysts quote,
 * kept as the tag `sentinel:<number>`), if the reference is a number and one has it.
 */
export async function incidentIdBySentinelNumber(db: Kysely<Database>, ref: string): Promise<string | undefined> {
  if (!/^\d{1,12}$/.test(ref)) return undefined;
  // Tags are stored as a JSON array of strings: the quoted tag matches it exactly, never a longer number.
  const row = await db.selectFrom('incidents').select('id').where(sql<boolean>`${sql.ref('tags')} like ${`%"sentinel:${ref}"%`}`).orderBy('createdAt', 'asc').orderBy('id', 'asc').executeTakeFirst();
  return row?.id;
}
