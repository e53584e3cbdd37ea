import type { Kysely } from 'kysely';
import type { ActionStatus, ReviewRecord, ReviewState } from '../../model/review.js';
import type { Database } from '../database.js';
import type { StoredActionItem } from './action-items.js';

/** The reads behind "my work": what is assigned to a person across incidents, with the incidents' titles. */

/** Action items owned by any of `owners` (a username and its e-mail address), not in `closed`, oldest first. */
export async function actionItemsOwnedBy(db: Kysely<Database>, owners: readonly string[], closed: readonly ActionStatus[]): Promise<StoredActionItem[]> {
  if (owners.length === 0) return [];
  return db.selectFrom('reviewActionItems').selectAll().where('owner', 'in', [...owners]).where('status', 'not in', [...closed]).orderBy('createdAt').orderBy('id').execute();
}

/** Review records in any of `states`, with their incidents' titles. */
export async function reviewsInStates(db: Kysely<Database>, states: readonly ReviewState[]): Promise<Array<ReviewRecord & { title: string }>> {
  if (states.length === 0) return [];
  return db
    .selectFrom('reviews')
    .innerJoin('incidents', 'incidents.id', 'reviews.incidentId')
    .selectAll('reviews')
    .select('incidents.title')
    .where('reviews.state', 'in', [...states])
    .orderBy('reviews.updatedAt')
    .execute();
}

/** The titles of incidents by id. */
export async function incidentTitles(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  const out = new Map<string, string>();
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db.selectFrom('incidents').select(['id', 'title']).where('id', 'in', unique.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.id, r.title);
  }
  return out;
}
