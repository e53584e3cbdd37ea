import type { Kysely } from 'kysely';
import type { ActionItemFact, FindingFact } from '../../model/learning.js';
import type { ActionStatus } from '../../model/review.js';
import type { Database } from '../database.js';
import { parseJsonText } from '../json-text.js';
import type { TimeRange } from './ranges.js';

/** What trends and skills read of the review workflow: findings and action items, by creation time. */

/** The statuses that close an action item (the same as review/lifecycle.ts `CLOSED_ACTION_STATUSES`). */
const CLOSED: readonly ActionStatus[] = ['done', 'verified', 'wont-do'];

/** Review findings created in the range. */
export async function findingFacts(db: Kysely<Database>, range: TimeRange): Promise<FindingFact[]> {
  let query = db.selectFrom('reviewFindings').select(['incidentId', 'category', 'createdAt', 'techniques']);
  if (range.from !== null) query = query.where('createdAt', '>=', range.from);
  if (range.to !== null) query = query.where('createdAt', '<', range.to);
  const rows = await query.execute();
  return rows.map((r) => ({ incidentId: r.incidentId, category: r.category, createdAt: r.createdAt, techniques: parseJsonText(r.techniques) }));
}

/** Action items opened up to the end of the range (overdue and closed counts need the earlier ones too). */
export async function actionItemFacts(db: Kysely<Database>, range: TimeRange): Promise<ActionItemFact[]> {
  let query = db.selectFrom('reviewActionItems').select(['status', 'createdAt', 'dueDate', 'verifiedAt', 'updatedAt']);
  if (range.to !== null) query = query.where('createdAt', '<', range.to);
  const rows = await query.execute();
  return rows.map((r) => ({
    status: r.status,
    createdAt: r.createdAt,
    dueDate: r.dueDate,
    closedAt: CLOSED.includes(r.status) ? (r.verifiedAt ?? r.updatedAt) : null,
  }));
}
