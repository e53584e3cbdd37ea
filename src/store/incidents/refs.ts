import type { Kysely } from 'kysely';
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
  return bySource?.id;
}
