import { ConflictError, NotFoundError, UsageError } from '../../model/errors.js';
import { CLOSED_TASK_STATUSES, TaskInputSchema, TaskPatchSchema, type ReviewTask, type TaskInput, type TaskPatch, type TaskStatus } from '../../model/tasks.js';
import type { OpenedStore } from '../../store/index.js';
import { checkVersion } from '../../store/reviews/guard.js';
import * as tasks from '../../store/reviews/tasks.js';
import { auditedWrite, type AuditedOperation } from '../audit.js';
import { recordNotification } from '../notify/record.js';
import { namesOf, resolvePerson } from '../people.js';
import { definedOnly, ensureReviewRecord, parseReviewInput, stampOf, type ReviewWrite } from './write.js';

/**
 * The tasks of a review: who does what by when. Every write is audited and recorded in the
 * review's history; an assignee is a user of Hindsight or an e-mail address, and is told (a
 * `task.assigned` notification, recorded in the same transaction) when a task becomes theirs.
 */

/** The task as a reader sees it on `now`'s day: overdue when past its due date and not done or cancelled. */
export function withTaskOverdue(task: tasks.StoredTask, now: Date = new Date()): ReviewTask {
  const today = now.toISOString().slice(0, 10);
  return { ...task, overdue: task.dueDate !== null && task.dueDate < today && !CLOSED_TASK_STATUSES.includes(task.status) };
}

/** One incident's tasks, by due date. */
export async function listTasks(store: OpenedStore, incidentId: string, filter: { status?: TaskStatus[] } = {}): Promise<ReviewTask[]> {
  const now = new Date();
  return (await tasks.listTasks(store.db, { incidentId, status: filter.status })).map((t) => withTaskOverdue(t, now));
}

/** Tasks across incidents (or of one), by due date: by status, and by assignee (a user name also finds tasks given to the user's address). */
export async function findTasks(store: OpenedStore, filter: { incidentId?: string; status?: TaskStatus[]; assignee?: string } = {}): Promise<ReviewTask[]> {
  const now = new Date();
  const assignees = filter.assignee === undefined ? undefined : (await namesOf(store, filter.assignee.trim())).names;
  return (await tasks.listTasks(store.db, { incidentId: filter.incidentId, status: filter.status, assignees })).map((t) => withTaskOverdue(t, now));
}

export async function getTask(store: OpenedStore, id: string): Promise<ReviewTask | undefined> {
  const task = await tasks.getTask(store.db, id);
  return task ? withTaskOverdue(task) : undefined;
}

/** Adds an open task to an incident's review (its review record is created when missing). */
export async function addTask(store: OpenedStore, incidentId: string, input: TaskInput, write: ReviewWrite): Promise<ReviewTask> {
  const data = parseReviewInput(TaskInputSchema, input, 'task');
  return auditedWrite(store, { actor: write.actor, operation: 'task.add' }, async (tx) => {
    const stamp = stampOf(write);
    await ensureReviewRecord(tx, incidentId, stamp);
    const assignee = data.assignee === null ? null : await resolvePerson(tx, data.assignee, 'assignee');
    const [stored] = await tasks.insertTasks(tx.db, incidentId, [{ ...data, assignee, templateId: null, templateKey: null }], stamp);
    const task = withTaskOverdue(stored as tasks.StoredTask);
    await notifyAssigned(tx, task, write.actor);
    return { result: task, entityId: task.id, before: null, after: task };
  });
}

/** Changes a task's fields and status (any status to any other: a task has no sign-off). */
export async function updateTask(store: OpenedStore, id: string, patch: TaskPatch, write: ReviewWrite): Promise<ReviewTask> {
  const data = parseReviewInput(TaskPatchSchema, patch, 'task');
  if (Object.keys(definedOnly(data)).length === 0) throw new UsageError('nothing to update: give a field to change');
  return auditedTaskWrite(store, 'task.edit', id, write, async (tx, current) => {
    const changes = definedOnly(data);
    if (changes.assignee !== undefined && changes.assignee !== null) changes.assignee = await resolvePerson(tx, changes.assignee, 'assignee');
    const next = { ...current, ...changes };
    const saved = withTaskOverdue(await tasks.updateTask(tx.db, current, next, stampOf(write)));
    if (saved.assignee !== null && saved.assignee !== current.assignee) await notifyAssigned(tx, saved, write.actor);
    return saved;
  });
}

/** Deletes a task (audited, and recorded in the review's history with what it held). */
export async function removeTask(store: OpenedStore, id: string, write: ReviewWrite): Promise<ReviewTask> {
  return auditedWrite(store, { actor: write.actor, operation: 'task.delete' }, async (tx) => {
    const current = await readTask(tx, id);
    checkVersion(`task ${id}`, current, write.expectedVersion);
    if (!(await tasks.deleteTask(tx.db, current, stampOf(write)))) throw new ConflictError(`task ${id} was changed or deleted by another writer since version ${current.version}; nothing was deleted: reload it`);
    return { result: current, entityId: id, before: current, after: null };
  });
}

/** The incident a task belongs to (for access checks before a write), or undefined when there is no such task. */
export async function incidentOfTask(store: OpenedStore, id: string): Promise<string | undefined> {
  return (await tasks.getTask(store.db, id))?.incidentId;
}

async function readTask(tx: OpenedStore, id: string): Promise<ReviewTask> {
  const stored = await tasks.getTask(tx.db, id);
  if (!stored) throw new NotFoundError(`no task "${id}" (run \`hindsight tasks list INCIDENT\` to list them)`);
  return withTaskOverdue(stored);
}

function auditedTaskWrite(store: OpenedStore, operation: AuditedOperation, id: string, write: ReviewWrite, work: (tx: OpenedStore, current: ReviewTask) => Promise<ReviewTask>): Promise<ReviewTask> {
  return auditedWrite(store, { actor: write.actor, operation }, async (tx) => {
    const current = await readTask(tx, id);
    const result = await work(tx, current);
    return { result, entityId: id, before: current, after: result };
  });
}

/** Tells the assignee a task is theirs (unless they gave it to themselves), in the write's transaction. */
export async function notifyAssigned(tx: OpenedStore, task: ReviewTask, actor: string): Promise<void> {
  if (task.assignee === null || task.assignee === actor) return;
  await recordNotification(tx, {
    kind: 'task.assigned',
    incidentId: task.incidentId,
    subjectId: task.id,
    subjectTitle: task.title,
    actor,
    to: [task.assignee],
    dedupeKey: `task.assigned:${task.id}:${task.assignee}:${task.version}`,
    facts: { Due: task.dueDate ?? 'no due date', ...(task.role ? { Role: task.role } : {}) },
  });
}
