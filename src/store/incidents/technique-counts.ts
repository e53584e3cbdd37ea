import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';
import { normaliseSince } from './list.js';

/** How often one ATT&CK technique (as the source labelled it) appears across stored alerts. */
export interface TechniqueCount {
  techniqueId: string;
  /** Alerts labelled with the technique. */
  alerts: number;
  /** Distinct incidents those alerts belong to. */
  incidents: number;
}

/**
 * Alerts and incidents per technique ID, most frequent first, aggregated in SQL: over incidents
 * created at or after `since`, and leaving out the `hidden` incidents (those restricted to people
 * other than the reader).
 */
export async function techniqueCounts(db: Kysely<Database>, filter: { since?: string; hidden?: ReadonlySet<string> } = {}): Promise<TechniqueCount[]> {
  let query = db
    .selectFrom('alertTechniques as t')
    .select(['t.techniqueId', sql<number>`cast(count(distinct t.alert_id) as integer)`.as('alerts'), sql<number>`cast(count(distinct t.incident_id) as integer)`.as('incidents')])
    .groupBy('t.techniqueId')
    .orderBy('alerts', 'desc')
    .orderBy('t.techniqueId', 'asc');
  if (filter.since !== undefined) {
    const since = normaliseSince(filter.since);
    query = query.innerJoin('incidents as i', 'i.id', 't.incidentId').where('i.createdAt', '>=', since);
  }
  if (filter.hidden && filter.hidden.size > 0) query = query.where('t.incidentId', 'not in', [...filter.hidden]);
  const rows = await query.execute();
  return rows.map((r) => ({ techniqueId: r.techniqueId, alerts: Number(r.alerts), incidents: Number(r.incidents) }));
}
