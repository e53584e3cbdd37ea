import type { Kysely } from 'kysely';
import type { Database } from '../database.js';

/** Inferred techniques an analyst dismissed for an incident (table inference_dismissals, migration 0019). */

type Db = Kysely<Database>;

export interface InferenceDismissal {
  incidentId: string;
  techniqueId: string;
  dismissedBy: string;
  dismissedAt: string;
  reason: string | null;
}

export async function listDismissals(db: Db, incidentId: string): Promise<InferenceDismissal[]> {
  return db.selectFrom('inferenceDismissals').selectAll().where('incidentId', '=', incidentId).orderBy('techniqueId').execute();
}

/** Dismisses (or dismisses again, updating who, when and why). */
export async function dismissTechnique(db: Db, row: InferenceDismissal): Promise<void> {
  await db
    .insertInto('inferenceDismissals')
    .values(row)
    .onConflict((oc) => oc.columns(['incidentId', 'techniqueId']).doUpdateSet({ dismissedBy: row.dismissedBy, dismissedAt: row.dismissedAt, reason: row.reason }))
    .execute();
}

/** Takes a dismissal back; true when there was one. */
export async function undismissTechnique(db: Db, incidentId: string, techniqueId: string): Promise<boolean> {
  const r = await db.deleteFrom('inferenceDismissals').where('incidentId', '=', incidentId).where('techniqueId', '=', techniqueId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
