/**
 * Techniques a post-incident review confirmed for an incident (table review_confirmed_techniques,
 * migration 0006), and the incident aggregate coverage analysis reads: counted in SQL so that it
 * scales with the alert history.
 */
import { sql, type Kysely } from 'kysely';
import type { ConfirmedTechnique, IncidentCoverageAggregate } from '../model/coverage.js';
import { InputError } from '../model/errors.js';
import type { Database } from './schema.js';

const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/;

export interface ConfirmOptions {
  confirmedBy?: string | null;
  note?: string | null;
  /** ISO time; default now. */
  at?: string;
}

/**
 * Records that the review of `incidentId` (Hindsight's id) confirmed these techniques. Confirming a
 * technique again updates who, when and the note. All or nothing: one bad ID refuses the lot.
 */
export async function confirmTechniques(
  db: Kysely<Database>,
  incidentId: string,
  techniqueIds: readonly string[],
  options: ConfirmOptions = {},
): Promise<ConfirmedTechnique[]> {
  const ids = [...new Set(techniqueIds.map((t) => t.trim().toUpperCase()))];
  ids.forEach((id, i) => {
    if (!TECHNIQUE_ID.test(id)) throw new InputError(`technique ${i + 1}: "${techniqueIds[i]}" is not an ATT&CK technique ID (T1234 or T1234.001)`);
  });
  const at = options.at ?? new Date().toISOString();
  const rows = ids.map((technique_id) => ({
    incident_id: incidentId,
    technique_id,
    confirmed_by: options.confirmedBy ?? null,
    confirmed_at: at,
    note: options.note ?? null,
  }));
  if (rows.length > 0) {
    await db
      .insertInto('review_confirmed_techniques')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['incident_id', 'technique_id']).doUpdateSet((eb) => ({
          confirmed_by: eb.ref('excluded.confirmed_by'),
          confirmed_at: eb.ref('excluded.confirmed_at'),
          note: eb.ref('excluded.note'),
        })),
      )
      .execute();
  }
  return listConfirmedTechniques(db, incidentId);
}

/** Removes confirmations; returns how many were removed. */
export async function unconfirmTechniques(db: Kysely<Database>, incidentId: string, techniqueIds: readonly string[]): Promise<number> {
  const ids = techniqueIds.map((t) => t.trim().toUpperCase());
  if (ids.length === 0) return 0;
  const result = await db.deleteFrom('review_confirmed_techniques').where('incident_id', '=', incidentId).where('technique_id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}

/** The techniques the review confirmed for one incident, in ID order. */
export async function listConfirmedTechniques(db: Kysely<Database>, incidentId: string): Promise<ConfirmedTechnique[]> {
  const rows = await db.selectFrom('review_confirmed_techniques').selectAll().where('incident_id', '=', incidentId).orderBy('technique_id').execute();
  return rows.map((r) => ({
    incidentId: r.incident_id,
    techniqueId: r.technique_id,
    confirmedBy: r.confirmed_by,
    confirmedAt: r.confirmed_at,
    note: r.note,
  }));
}

/**
 * The incident side of coverage, aggregated in SQL: alerts and incidents per technique ID (as the
 * alerts wrote it), every confirmed technique, and the technique IDs carried by the alerts of the
 * incidents that have confirmations (reviews are few; alerts are many).
 */
export async function coverageAggregate(
  db: Kysely<Database>,
  /** Incidents left out (restricted incidents the reader may not see). */
  exclude: ReadonlySet<string> = new Set(),
): Promise<IncidentCoverageAggregate> {
  const hidden = [...exclude];
  let countsQuery = db
    .selectFrom('alert_techniques')
    .select([
      'technique_id',
      sql<number>`count(distinct alert_id)`.as('alerts'),
      sql<number>`count(distinct incident_id)`.as('incidents'),
    ])
    .groupBy('technique_id');
  if (hidden.length) countsQuery = countsQuery.where('incident_id', 'not in', hidden);
  const counts = await countsQuery.execute();
  let confirmedQuery = db.selectFrom('review_confirmed_techniques').select(['incident_id', 'technique_id']);
  if (hidden.length) confirmedQuery = confirmedQuery.where('incident_id', 'not in', hidden);
  const confirmed = await confirmedQuery.orderBy('incident_id').orderBy('technique_id').execute();
  let confirmedIncidents = db.selectFrom('review_confirmed_techniques').select('incident_id');
  if (hidden.length) confirmedIncidents = confirmedIncidents.where('incident_id', 'not in', hidden);
  const carried = await db
    .selectFrom('alert_techniques')
    .select(['incident_id', 'technique_id', sql<number>`count(distinct alert_id)`.as('alerts')])
    .where('incident_id', 'in', confirmedIncidents)
    .groupBy(['incident_id', 'technique_id'])
    .execute();
  return {
    alertTechniques: counts.map((r) => ({ techniqueId: r.technique_id, alerts: Number(r.alerts), incidents: Number(r.incidents) })),
    confirmed: confirmed.map((r) => ({ incidentId: r.incident_id, techniqueId: r.technique_id })),
    alertTechniquesOfConfirmedIncidents: carried.map((r) => ({ incidentId: r.incident_id, techniqueId: r.technique_id, alerts: Number(r.alerts) })),
  };
}
