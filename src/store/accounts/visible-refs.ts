/**
 * References resolved with the reader's access in the query itself. An incident restricted to
 * others is filtered out by the same statements that look for it, so a reference to it and a
 * reference to nothing run the same queries, find nothing, and answer the same not-found in the
 * same time: there is no second step (load, then check) whose cost could tell them apart.
 */
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Database } from '../database.js';

/** The incident (`incidents.id`, or the id column named) is unrestricted or names this user. */
function visibleTo(eb: ExpressionBuilder<Database, 'incidents'>, username: string) {
  return eb.or([
    eb.not(eb.exists(eb.selectFrom('incidentAccess').select('incidentAccess.incidentId').whereRef('incidentAccess.incidentId', '=', 'incidents.id'))),
    eb.exists(eb.selectFrom('incidentAccess').select('incidentAccess.incidentId').whereRef('incidentAccess.incidentId', '=', 'incidents.id').where('incidentAccess.username', '=', username)),
  ]);
}

/**
 * Hindsight's id of the incident a reference names (its id, the source's own id, or a Sentinel
 * incident number), among the incidents this user may see; resolved as resolveIncidentRef does.
 */
export async function visibleIncidentRef(db: Kysely<Database>, ref: string, username: string): Promise<string | undefined> {
  const byId = await db.selectFrom('incidents').select('id').where('id', '=', ref).where((eb) => visibleTo(eb, username)).executeTakeFirst();
  if (byId) return byId.id;
  const bySource = await db
    .selectFrom('incidents')
    .select('id')
    .where('sourceId', '=', ref)
    .where((eb) => visibleTo(eb, username))
    .orderBy('partial', 'asc')
    .orderBy('createdAt', 'asc')
    .orderBy('id', 'asc')
    .executeTakeFirst();
  if (bySource) return bySource.id;
  if (!/^\d{1,12}$/.test(ref)) return undefined;
  const bySentinelNumber = await db
    .selectFrom('incidents')
    .select('id')
    .where(sql<boolean>`${sql.ref('tags')} like ${`%"sentinel:${ref}"%`}`)
    .where((eb) => visibleTo(eb, username))
    .orderBy('createdAt', 'asc')
    .orderBy('id', 'asc')
    .executeTakeFirst();
  return bySentinelNumber?.id;
}

/** Whether a finding or action item with this id exists on an incident this user may see (one query). */
export async function visibleReviewRecord(db: Kysely<Database>, table: 'reviewFindings' | 'reviewActionItems', id: string, username: string): Promise<boolean> {
  const row = await db
    .selectFrom('incidents')
    .select('incidents.id')
    .where((eb) => eb.exists(eb.selectFrom(table).select(`${table}.id`).whereRef(`${table}.incidentId`, '=', 'incidents.id').where(`${table}.id`, '=', id)))
    .where((eb) => visibleTo(eb, username))
    .executeTakeFirst();
  return row !== undefined;
}
