import { sql, type Kysely } from 'kysely';
import type { ConfirmedTechnique, IncidentCoverageAggregate } from '../../model/coverage.js';
import { InputError } from '../../model/errors.js';
import { compiledRead } from '../compiled-read.js';
import type { Database } from '../database.js';

/**
 * Techniques a post-incident review confirmed for an incident (table review_confirmed_techniques,
 * migration 0006), and the incident aggregate coverage analysis reads: counted in SQL so that it
 * scales with the alert history.
 */

type Db = Kysely<Database>;

const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/;

export interface ConfirmOptions {
  confirmedBy?: string | null;
  note?: string | null;
  /** ISO time; default now. */
  at?: string;
}

/** Technique IDs as stored: trimmed, upper-case, each once, in the order given. */
export function normaliseTechniqueIds(techniqueIds: readonly string[]): string[] {
  return [...new Set(techniqueIds.map((t) => t.trim().toUpperCase()))];
}

/**
 * Records that the review of `incidentId` (Hindsight's id) confirmed these techniques. Confirming a
 * technique again updates who, when and the note. All or nothing: one bad ID refuses the lot.
 * Returns every confirmation of the incident afterwards.
 */
export async function confirmTechniques(db: Db, incidentId: string, techniqueIds: readonly string[], options: ConfirmOptions = {}): Promise<ConfirmedTechnique[]> {
  const ids = normaliseTechniqueIds(techniqueIds);
  ids.forEach((id, i) => {
    if (!TECHNIQUE_ID.test(id)) throw new InputError(`technique ${i + 1}: "${techniqueIds[i]}" is not an ATT&CK technique ID (T1234 or T1234.001)`);
  });
  const at = options.at ?? new Date().toISOString();
  const rows = ids.map((techniqueId) => ({ incidentId, techniqueId, confirmedBy: options.confirmedBy ?? null, confirmedAt: at, note: options.note ?? null }));
  if (rows.length > 0) {
    await db
      .insertInto('reviewConfirmedTechniques')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['incidentId', 'techniqueId']).doUpdateSet((eb) => ({
          confirmedBy: eb.ref('excluded.confirmedBy'),
          confirmedAt: eb.ref('excluded.confirmedAt'),
          note: eb.ref('excluded.note'),
        })),
      )
      .execute();
  }
  return listConfirmedTechniques(db, incidentId);
}

/** Removes these confirmations of an incident; returns the ones removed, in ID order. */
export async function unconfirmTechniques(db: Db, incidentId: string, techniqueIds: readonly string[]): Promise<ConfirmedTechnique[]> {
  const ids = normaliseTechniqueIds(techniqueIds);
  if (ids.length === 0) return [];
  const rows = await db
    .deleteFrom('reviewConfirmedTechniques')
    .where('incidentId', '=', incidentId)
    .where('techniqueId', 'in', ids)
    .returningAll()
    .execute();
  return rows.map(toConfirmed).sort((a, b) => a.techniqueId.localeCompare(b.techniqueId));
}

/** The techniques the review confirmed for one incident, in ID order. */
const confirmedOf = compiledRead((db, incidentId: string) => db.selectFrom('reviewConfirmedTechniques').selectAll().where('incidentId', '=', incidentId).orderBy('techniqueId'), ['']);

export async function listConfirmedTechniques(db: Db, incidentId: string): Promise<ConfirmedTechnique[]> {
  const rows = await confirmedOf(db, incidentId);
  return rows.map(toConfirmed);
}

function toConfirmed(r: Database['reviewConfirmedTechniques']): ConfirmedTechnique {
  return { incidentId: r.incidentId, techniqueId: r.techniqueId, confirmedBy: r.confirmedBy, confirmedAt: r.confirmedAt, note: r.note };
}

/**
 * The incident side of coverage, aggregated in SQL: alerts and incidents per technique ID (as the
 * alerts wrote it), every confirmed technique, and the technique IDs carried by the alerts of the
 * incidents that have confirmations (reviews are few; alerts are many).
 */
export async function coverageAggregate(
  db: Db,
  /** Incidents left out (restricted incidents the reader may not see). */
  exclude: ReadonlySet<string> = new Set(),
): Promise<IncidentCoverageAggregate> {
  const hidden = [...exclude];
  let countsQuery = db
    .selectFrom('alertTechniques')
    .select(['techniqueId', sql<number>`count(distinct alert_id)`.as('alerts'), sql<number>`count(distinct incident_id)`.as('incidents')])
    .groupBy('techniqueId');
  if (hidden.length) countsQuery = countsQuery.where('incidentId', 'not in', hidden);
  const counts = await countsQuery.execute();
  let confirmedQuery = db.selectFrom('reviewConfirmedTechniques').select(['incidentId', 'techniqueId']);
  if (hidden.length) confirmedQuery = confirmedQuery.where('incidentId', 'not in', hidden);
  const confirmed = await confirmedQuery.orderBy('incidentId').orderBy('techniqueId').execute();
  let confirmedIncidents = db.selectFrom('reviewConfirmedTechniques').select('incidentId');
  if (hidden.length) confirmedIncidents = confirmedIncidents.where('incidentId', 'not in', hidden);
  const carried = await db
    .selectFrom('alertTechniques')
    .select(['incidentId', 'techniqueId', sql<number>`count(distinct alert_id)`.as('alerts')])
    .where('incidentId', 'in', confirmedIncidents)
    .groupBy(['incidentId', 'techniqueId'])
    .execute();
  return {
    alertTechniques: counts.map((r) => ({ techniqueId: r.techniqueId, alerts: Number(r.alerts), incidents: Number(r.incidents) })),
    confirmed: confirmed.map((r) => ({ incidentId: r.incidentId, techniqueId: r.techniqueId })),
    alertTechniquesOfConfirmedIncidents: carried.map((r) => ({ incidentId: r.incidentId, techniqueId: r.techniqueId, alerts: Number(r.alerts) })),
  };
}
