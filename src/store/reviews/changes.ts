import { randomBytes } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { ReviewChange, ReviewEntityType } from '../../model/review.js';
import type { Database, ReviewChangesTable } from '../database.js';

/** One change to record: who changed which field of what, from what to what, at which version. */
export type ReviewChangeInput = Omit<ReviewChange, 'id'>;

/** 10 columns a row: a chunk stays well under either database's limit on bound parameters. */
const CHUNK = 500;

/** Records changes in the review's history (one multi-row insert per chunk). */
export async function recordChanges(db: Kysely<Database>, changes: readonly ReviewChangeInput[]): Promise<void> {
  const rows = changes.map(changeRow);
  for (let i = 0; i < rows.length; i += CHUNK) await db.insertInto('reviewChanges').values(rows.slice(i, i + CHUNK)).execute();
}

/** The review's history, oldest first, optionally of one kind of entity or one entity. */
export async function listChanges(db: Kysely<Database>, incidentId: string, filter: { entityType?: ReviewEntityType; entityId?: string } = {}): Promise<ReviewChange[]> {
  let query = db.selectFrom('reviewChanges').selectAll().where('incidentId', '=', incidentId);
  if (filter.entityType) query = query.where('entityType', '=', filter.entityType);
  if (filter.entityId) query = query.where('entityId', '=', filter.entityId);
  const rows = await query.orderBy('id').execute();
  return rows.map((row) => ({ ...row, before: jsonOrNull(row.before), after: jsonOrNull(row.after) }));
}

/** An entity's content as its creation or deletion records it: without version and authorship stamps. */
export function contentOf(value: object): Record<string, unknown> {
  const { version: _v, createdBy: _cb, createdAt: _ca, updatedBy: _ub, updatedAt: _ua, overdue: _o, ...rest } = value as Record<string, unknown>;
  return rest;
}

function changeRow(change: ReviewChangeInput): Insertable<ReviewChangesTable> {
  return {
    id: changeId(),
    incidentId: change.incidentId,
    entityType: change.entityType,
    entityId: change.entityId,
    field: change.field,
    before: change.before === null || change.before === undefined ? null : JSON.stringify(change.before),
    after: change.after === null || change.after === undefined ? null : JSON.stringify(change.after),
    actor: change.actor,
    at: change.at,
    version: change.version,
  };
}

function jsonOrNull(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

let changeCounter = 0;

/** Sortable change ids: time, then a per-process counter, then randomness. */
function changeId(): string {
  changeCounter = (changeCounter + 1) % 1_000_000;
  return `chg_${String(Date.now()).padStart(14, '0')}_${String(changeCounter).padStart(6, '0')}_${randomBytes(3).toString('hex')}`;
}

/** Who wrote the review's content (sections, answers, timeline, findings, action items): its authors, by name. */
export async function reviewAuthors(db: Kysely<Database>, incidentId: string): Promise<string[]> {
  const rows = await db.selectFrom('reviewChanges').select('actor').distinct().where('incidentId', '=', incidentId).where('entityType', '!=', 'review').orderBy('actor').execute();
  return rows.map((r) => r.actor);
}
