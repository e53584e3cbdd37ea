import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { ActionItem, ActionStatus } from '../../model/review.js';
import { compiledRead } from '../compiled-read.js';
import type { Database, ReviewActionItemsTable } from '../database.js';
import { contentOf, recordChanges } from './changes.js';
import { checkVersion, conflictError, guardedUpdate, type ReviewWriteStamp } from './guard.js';

/** An action item as stored: `overdue` depends on the day it is read, and is added by the reader. */
export type StoredActionItem = Omit<ActionItem, 'overdue'>;

/** What a person writes about a new action item (the rest is its lifecycle and stamps). */
export type ActionItemContent = Pick<ActionItem, 'type' | 'title' | 'description' | 'findingId' | 'owner' | 'team' | 'dueDate' | 'priority' | 'closureCriteria'>;

export interface ActionItemQuery {
  incidentId?: string;
  status?: readonly ActionStatus[];
  owner?: string;
  /** Only items exported to this tracker (`github`, `jira`); `null`: only items not exported. */
  externalSystem?: string | null;
  /** Only items due before this day (YYYY-MM-DD) and not in one of `closedStatuses`. */
  dueBefore?: { day: string; closedStatuses: readonly ActionStatus[] };
  /** Only items due from `from` to `to` (YYYY-MM-DD, both included) and not in one of `closedStatuses`. */
  dueBetween?: { from: string; to: string; closedStatuses: readonly ActionStatus[] };
}

/** Action items across all incidents (or one), oldest first. */
const actionItemsOf = compiledRead((db, incidentId: string) => db.selectFrom('reviewActionItems').selectAll().where('incidentId', '=', incidentId).orderBy('createdAt').orderBy('id'), ['']);

export async function listActionItems(db: Kysely<Database>, filter: ActionItemQuery = {}): Promise<StoredActionItem[]> {
  // One incident's items, the review page's read, is compiled once.
  const { incidentId, ...others } = filter;
  if (incidentId && Object.values(others).every((v) => v === undefined)) return actionItemsOf(db, incidentId);
  let query = db.selectFrom('reviewActionItems').selectAll();
  if (filter.incidentId) query = query.where('incidentId', '=', filter.incidentId);
  if (filter.status?.length) query = query.where('status', 'in', filter.status);
  if (filter.owner) query = query.where('owner', '=', filter.owner);
  if (filter.externalSystem === null) query = query.where('externalSystem', 'is', null);
  else if (filter.externalSystem) query = query.where('externalSystem', '=', filter.externalSystem);
  if (filter.dueBefore) query = query.where('dueDate', '<', filter.dueBefore.day).where('status', 'not in', filter.dueBefore.closedStatuses);
  if (filter.dueBetween) query = query.where('dueDate', '>=', filter.dueBetween.from).where('dueDate', '<=', filter.dueBetween.to).where('status', 'not in', filter.dueBetween.closedStatuses);
  return query.orderBy('createdAt').orderBy('id').execute();
}

export async function getActionItem(db: Kysely<Database>, id: string): Promise<StoredActionItem | undefined> {
  return db.selectFrom('reviewActionItems').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The incident a finding belongs to, or undefined when there is no such finding. */
export async function incidentOfFinding(db: Kysely<Database>, findingId: string): Promise<string | undefined> {
  return (await db.selectFrom('reviewFindings').select('incidentId').where('id', '=', findingId).executeTakeFirst())?.incidentId;
}

/** Adds an open action item (version 1); its whole content is one change in the history. */
export async function insertActionItem(db: Kysely<Database>, incidentId: string, content: ActionItemContent, write: ReviewWriteStamp): Promise<StoredActionItem> {
  const row: Selectable<ReviewActionItemsTable> = {
    id: `act_${randomBytes(6).toString('hex')}`,
    incidentId,
    findingId: content.findingId,
    type: content.type,
    title: content.title,
    description: content.description,
    owner: content.owner,
    team: content.team,
    dueDate: content.dueDate,
    priority: content.priority,
    status: 'open',
    wontDoReason: null,
    closureCriteria: content.closureCriteria,
    verifiedBy: null,
    verifiedAt: null,
    verificationMethod: null,
    verificationEvidence: null,
    externalSystem: null,
    externalKey: null,
    externalUrl: null,
    externalState: null,
    syncedAt: null,
    version: 1,
    createdBy: write.actor,
    createdAt: write.at,
    updatedBy: write.actor,
    updatedAt: write.at,
  };
  await db.insertInto('reviewActionItems').values(row).execute();
  await recordChanges(db, [{ incidentId, entityType: 'action-item', entityId: row.id, field: '*', before: null, after: contentOf(row), actor: write.actor, at: write.at, version: 1 }]);
  return row;
}

/** Writes the named fields of an action item, guarded by its version. */
export function updateActionItem<T extends StoredActionItem>(db: Kysely<Database>, current: T, next: T, fields: readonly (keyof StoredActionItem & string)[], write: ReviewWriteStamp): Promise<T> {
  return guardedUpdate(
    db,
    {
      label: `action item ${current.id}`,
      incidentId: current.incidentId,
      entityType: 'action-item',
      entityId: current.id,
      current,
      next,
      fields,
      update: async (a, stamp, basedOn) =>
        (
          await db
            .updateTable('reviewActionItems')
            .set({
              findingId: a.findingId,
              type: a.type,
              title: a.title,
              description: a.description,
              owner: a.owner,
              team: a.team,
              dueDate: a.dueDate,
              priority: a.priority,
              status: a.status,
              wontDoReason: a.wontDoReason,
              closureCriteria: a.closureCriteria,
              verifiedBy: a.verifiedBy,
              verifiedAt: a.verifiedAt,
              verificationMethod: a.verificationMethod,
              verificationEvidence: a.verificationEvidence,
              externalSystem: a.externalSystem,
              externalKey: a.externalKey,
              externalUrl: a.externalUrl,
              externalState: a.externalState,
              syncedAt: a.syncedAt,
              ...stamp,
            })
            .where('id', '=', current.id)
            .where('version', '=', basedOn)
            .executeTakeFirst()
        ).numUpdatedRows,
      readStamp: () => db.selectFrom('reviewActionItems').select(['version', 'updatedBy', 'updatedAt']).where('id', '=', current.id).executeTakeFirst(),
    },
    write,
  );
}

/** The action items that address a finding (to unlink them before the finding is deleted). */
export async function actionItemsOfFinding(db: Kysely<Database>, findingId: string): Promise<StoredActionItem[]> {
  return db.selectFrom('reviewActionItems').selectAll().where('findingId', '=', findingId).orderBy('createdAt').orderBy('id').execute();
}

/** Deletes an action item still at its version; the deletion is one change in the history. */
export async function deleteActionItem(db: Kysely<Database>, current: StoredActionItem, write: ReviewWriteStamp): Promise<void> {
  const label = `action item ${current.id}`;
  checkVersion(label, current, write.expectedVersion);
  const deleted = await db.deleteFrom('reviewActionItems').where('id', '=', current.id).where('version', '=', current.version).executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) {
    const other = await db.selectFrom('reviewActionItems').select(['version', 'updatedBy', 'updatedAt']).where('id', '=', current.id).executeTakeFirst();
    throw conflictError(label, current.version, other?.version ?? current.version, other?.updatedBy ?? null, other?.updatedAt ?? null);
  }
  await recordChanges(db, [{ incidentId: current.incidentId, entityType: 'action-item', entityId: current.id, field: '*', before: contentOf(current), after: null, actor: write.actor, at: write.at, version: current.version + 1 }]);
}

/** The titles of the named incidents, by id (for lists across incidents). */
export async function incidentTitles(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  const unique = [...new Set(ids)];
  // Bounded IN lists: both dialects take a few hundred parameters at once comfortably.
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db.selectFrom('incidents').select(['id', 'title']).where('id', 'in', unique.slice(i, i + 500)).execute();
    for (const row of rows) titles.set(row.id, row.title);
  }
  return titles;
}
