import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

/** An incident in which alerts showed a technique, with how many of its alerts did. */
export interface TechniqueIncident {
  id: string;
  title: string;
  severity: string;
  status: string;
  createdAt: string;
  alerts: number;
}

/**
 * The incidents whose alerts carry `techniqueId` or one of its sub-techniques (`T1059` also finds
 * `T1059.001`), newest first, at most `limit`, leaving out the `hidden` incidents; and how many
 * there are in all.
 */
export async function incidentsWithTechnique(db: Kysely<Database>, techniqueId: string, options: { hidden?: ReadonlySet<string>; limit?: number } = {}): Promise<{ total: number; incidents: TechniqueIncident[] }> {
  let matches = db
    .selectFrom('alertTechniques as t')
    .select(['t.incidentId', sql<number>`cast(count(distinct t.alert_id) as integer)`.as('alerts')])
    .where((eb) => eb.or([eb('t.techniqueId', '=', techniqueId), eb('t.techniqueId', 'like', `${techniqueId}.%`)]))
    .groupBy('t.incidentId');
  if (options.hidden && options.hidden.size > 0) matches = matches.where('t.incidentId', 'not in', [...options.hidden]);
  const rows = await db
    .selectFrom(matches.as('m'))
    .innerJoin('incidents as i', 'i.id', 'm.incidentId')
    .select(['i.id', 'i.title', 'i.severity', 'i.status', 'i.createdAt', 'm.alerts'])
    .orderBy('i.createdAt', 'desc')
    .orderBy('i.id')
    .execute();
  const limit = options.limit ?? 50;
  return { total: rows.length, incidents: rows.slice(0, limit).map((r) => ({ ...r, alerts: Number(r.alerts) })) };
}
