import type { Kysely } from 'kysely';
import type { ActionStatus } from '../../model/review.js';
import type { Database, DetectionEvidence, DetectionVerificationState } from '../database.js';
import { parseJsonText, toJsonText } from '../json-text.js';

/**
 * The techniques a detection-engineering action item must cover and where its verification against
 * the rule inventory stands (table action_item_detections, migration 0019).
 */

type Db = Kysely<Database>;

export interface DetectionItem {
  actionItemId: string;
  incidentId: string;
  title: string;
  owner: string | null;
  status: ActionStatus;
  techniques: string[];
  state: DetectionVerificationState;
  evidence: DetectionEvidence | null;
  importId: string | null;
  checkedAt: string;
}

/** Names the techniques of an item (state back to pending until the next check). */
export async function setDetectionTechniques(db: Db, actionItemId: string, techniques: readonly string[], at: string): Promise<void> {
  await db
    .insertInto('actionItemDetections')
    .values({ actionItemId, techniques: toJsonText([...techniques]), state: 'pending', evidence: null, importId: null, checkedAt: at })
    .onConflict((oc) => oc.column('actionItemId').doUpdateSet({ techniques: toJsonText([...techniques]), state: 'pending', evidence: null, importId: null, checkedAt: at }))
    .execute();
}

/** Every detection item with its action item's incident, title, owner and status. */
export async function listDetectionItems(db: Db, actionItemId?: string): Promise<DetectionItem[]> {
  let query = db
    .selectFrom('actionItemDetections as d')
    .innerJoin('reviewActionItems as a', 'a.id', 'd.actionItemId')
    .select(['d.actionItemId', 'a.incidentId', 'a.title', 'a.owner', 'a.status', 'd.techniques', 'd.state', 'd.evidence', 'd.importId', 'd.checkedAt']);
  if (actionItemId) query = query.where('d.actionItemId', '=', actionItemId);
  const rows = await query.orderBy('a.createdAt').orderBy('d.actionItemId').execute();
  return rows.map((r) => ({ ...r, techniques: parseJsonText(r.techniques), evidence: r.evidence === null ? null : parseJsonText(r.evidence) }));
}

/** Records the outcome of one check. */
export async function writeDetectionState(db: Db, actionItemId: string, state: DetectionVerificationState, evidence: DetectionEvidence | null, importId: string | null, at: string): Promise<void> {
  await db
    .updateTable('actionItemDetections')
    .set({ state, evidence: evidence === null ? null : toJsonText(evidence), importId, checkedAt: at })
    .where('actionItemId', '=', actionItemId)
    .execute();
}
