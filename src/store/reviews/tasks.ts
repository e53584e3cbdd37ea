import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { CLOSED_TASK_STATUSES, type ReviewTask, type TaskStatus } from '../../model/tasks.js';
import type { Database, ReviewTasksTable, ReviewTemplatesAppliedTable } from '../database.js';
import { toJsonText } from '../json-text.js';
import { contentOf, recordChanges } from './changes.js';
import { checkVersion, conflictError, guardedUpdate, type ReviewWriteStamp } from './guard.js';

/** A task as stored: `overdue` depends on the day it is read, and is added by the reader. */
export type StoredTask = Omit<ReviewTask, 'overdue'>;

/** What a new task holds (the rest is its status and stamps). */
export type TaskContent = Pick<StoredTask, 'title' | 'description' | 'assignee' | 'role' | 'dueDate' | 'templateId' | 'templateKey'>;

/** The fields a task update may change. */
export const TASK_FIELDS = ['title', 'description', 'assignee', 'role', 'dueDate', 'status'] as const satisfies readonly (keyof StoredTask)[];

export interface TaskQuery {
  incidentId?: string;
  /** Any of these assignees (a username and the person's e-mail address). */
  assignees?: readonly string[];
  status?: readonly TaskStatus[];
}

/** Tasks of one incident or across incidents: by due date (undated last), then creation. */
export async function listTasks(db: Kysely<Database>, query: TaskQuery = {}): Promise<StoredTask[]> {
  let q = db.selectFrom('reviewTasks').selectAll();
  if (query.incidentId) q = q.where('incidentId', '=', query.incidentId);
  if (query.assignees) {
    if (query.assignees.length === 0) return [];
    q = q.where('assignee', 'in', [...query.assignees]);
  }
  if (query.status?.length) q = q.where('status', 'in', [...query.status]);
  const rows = await q.orderBy('createdAt').orderBy('id').execute();
  return rows.sort((a, b) => (a.dueDate ?? '9999-99-99').localeCompare(b.dueDate ?? '9999-99-99'));
}

export async function getTask(db: Kysely<Database>, id: string): Promise<StoredTask | undefined> {
  return db.selectFrom('reviewTasks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** An open or in-progress task due on or before a day, with who it is assigned to (for reminders). */
export interface DueTask {
  id: string;
  incidentId: string;
  title: string;
  assignee: string | null;
  dueDate: string;
  status: TaskStatus;
}

/** Tasks not done or cancelled whose due date is on or before `date` (YYYY-MM-DD), earliest first. */
export async function tasksDueBy(db: Kysely<Database>, date: string): Promise<DueTask[]> {
  const rows = await db
    .selectFrom('reviewTasks')
    .select(['id', 'incidentId', 'title', 'assignee', 'dueDate', 'status'])
    .where('dueDate', 'is not', null)
    .where('dueDate', '<=', date)
    .where('status', 'not in', [...CLOSED_TASK_STATUSES])
    .orderBy('dueDate')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, dueDate: r.dueDate as string }));
}

/** Adds open tasks (version 1); each task's content is one change in the review's history. */
export async function insertTasks(db: Kysely<Database>, incidentId: string, contents: readonly TaskContent[], write: ReviewWriteStamp): Promise<StoredTask[]> {
  if (contents.length === 0) return [];
  const rows: Selectable<ReviewTasksTable>[] = contents.map((c) => ({
    id: `tsk_${randomBytes(6).toString('hex')}`,
    incidentId,
    title: c.title,
    description: c.description,
    assignee: c.assignee,
    role: c.role,
    dueDate: c.dueDate,
    status: 'open',
    templateId: c.templateId,
    templateKey: c.templateKey,
    version: 1,
    createdBy: write.actor,
    createdAt: write.at,
    updatedBy: write.actor,
    updatedAt: write.at,
  }));
  await db.insertInto('reviewTasks').values(rows).execute();
  await recordChanges(db, rows.map((row) => ({ incidentId, entityType: 'task' as const, entityId: row.id, field: '*', before: null, after: contentOf(row), actor: write.actor, at: write.at, version: 1 })));
  return rows;
}

/** Writes the named fields of a task, guarded by its version. */
export function updateTask(db: Kysely<Database>, current: StoredTask, next: StoredTask, write: ReviewWriteStamp): Promise<StoredTask> {
  return guardedUpdate(
    db,
    {
      label: `task ${current.id}`,
      incidentId: current.incidentId,
      entityType: 'task',
      entityId: current.id,
      current,
      next,
      fields: TASK_FIELDS,
      update: async (t, stamp, basedOn) =>
        (
          await db
            .updateTable('reviewTasks')
            .set({ title: t.title, description: t.description, assignee: t.assignee, role: t.role, dueDate: t.dueDate, status: t.status, ...stamp })
            .where('id', '=', current.id)
            .where('version', '=', basedOn)
            .executeTakeFirst()
        ).numUpdatedRows,
      readStamp: () => db.selectFrom('reviewTasks').select(['version', 'updatedBy', 'updatedAt']).where('id', '=', current.id).executeTakeFirst(),
    },
    write,
  );
}

/** Deletes a task at the version it was read at; false when another writer changed or deleted it first. */
export async function deleteTask(db: Kysely<Database>, task: StoredTask, write: ReviewWriteStamp): Promise<boolean> {
  const deleted = await db.deleteFrom('reviewTasks').where('id', '=', task.id).where('version', '=', task.version).executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) return false;
  await recordChanges(db, [{ incidentId: task.incidentId, entityType: 'task', entityId: task.id, field: '*', before: contentOf(task), after: null, actor: write.actor, at: write.at, version: task.version + 1 }]);
  return true;
}

/** The template an incident's review follows, as stored. */
export type AppliedTemplateRow = Selectable<ReviewTemplatesAppliedTable>;

export async function getAppliedTemplate(db: Kysely<Database>, incidentId: string): Promise<AppliedTemplateRow | undefined> {
  return db.selectFrom('reviewTemplatesApplied').selectAll().where('incidentId', '=', incidentId).executeTakeFirst();
}

/** The templates applied to several incidents (for lists). */
export async function appliedTemplateIds(db: Kysely<Database>, incidentIds: readonly string[]): Promise<Map<string, string>> {
  if (incidentIds.length === 0) return new Map();
  const rows = await db.selectFrom('reviewTemplatesApplied').select(['incidentId', 'templateId']).where('incidentId', 'in', [...incidentIds]).execute();
  return new Map(rows.map((r) => [r.incidentId, r.templateId]));
}

/**
 * Records the template a review follows (replacing the one before, guarded by its version), and
 * the change in the review's history.
 */
export async function saveAppliedTemplate(
  db: Kysely<Database>,
  incidentId: string,
  choice: { templateId: string; templateVersion: number; chosenBy: 'rule' | 'hand'; reasons: string[]; snapshot: unknown },
  current: AppliedTemplateRow | undefined,
  write: ReviewWriteStamp,
): Promise<AppliedTemplateRow> {
  if (current) checkVersion(`the template of ${incidentId}`, current, write.expectedVersion);
  const version = (current?.version ?? 0) + 1;
  const row: AppliedTemplateRow = {
    incidentId,
    templateId: choice.templateId,
    templateVersion: choice.templateVersion,
    chosenBy: choice.chosenBy,
    reasons: toJsonText(choice.reasons),
    snapshot: toJsonText(choice.snapshot),
    version,
    updatedBy: write.actor,
    updatedAt: write.at,
  };
  if (current) {
    const updated = await db
      .updateTable('reviewTemplatesApplied')
      .set({ templateId: row.templateId, templateVersion: row.templateVersion, chosenBy: row.chosenBy, reasons: row.reasons, snapshot: row.snapshot, version, updatedBy: row.updatedBy, updatedAt: row.updatedAt })
      .where('incidentId', '=', incidentId)
      .where('version', '=', current.version)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw conflictError(`the template of ${incidentId}`, current.version, current.version + 1, null, null);
  } else await db.insertInto('reviewTemplatesApplied').values(row).execute();
  await recordChanges(db, [
    {
      incidentId,
      entityType: 'template',
      entityId: incidentId,
      field: 'template',
      before: current ? { templateId: current.templateId, templateVersion: current.templateVersion } : null,
      after: { templateId: row.templateId, templateVersion: row.templateVersion, chosenBy: row.chosenBy },
      actor: write.actor,
      at: write.at,
      version,
    },
  ]);
  return row;
}
