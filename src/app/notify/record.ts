import { newId } from '../accounts/secrets.js';
import { InputError } from '../../model/errors.js';
import { NotificationEventSchema, type NotificationEventInput } from '../../model/notifications.js';
import type { OpenedStore } from '../../store/index.js';
import { insertNotificationEvent } from '../../store/notifications/outbox.js';

/**
 * Records a notification event in the outbox, in the caller's transaction: call it with the
 * transaction-bound store a write use case works in (the `tx` of `auditedWrite`), so the event
 * commits with the write or not at all. Nothing is sent here: the team server (or `hindsight notify
 * run`) sends after commit, so a mail server that is down never blocks or fails the write.
 *
 * Recording an event whose dedupe key was recorded before does nothing (returns false): the key
 * defaults to kind, subject and recipients, so give one that changes when the event really differs
 * (e.g. `task.assigned:<taskId>:<assignee>` so a re-assignment to someone else is a new event).
 *
 * Example, when a task is assigned:
 *   await recordNotification(tx, { kind: 'task.assigned', incidentId, subjectId: task.id,
 *     subjectTitle: task.title, actor: write.actor, to: [task.assignee], facts: { Due: task.dueDate ?? 'no due date' } });
 */
export async function recordNotification(store: Pick<OpenedStore, 'db'>, event: NotificationEventInput): Promise<boolean> {
  const parsed = NotificationEventSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).map(String).join('.');
    throw new InputError(`notification: ${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}`, { path: path || undefined });
  }
  const data = parsed.data;
  const to = [...new Set(data.to)].sort();
  const dedupeKey = data.dedupeKey ?? `${data.kind}:${data.subjectId}:${to.join(',')}`;
  return insertNotificationEvent(store.db, newId('ntf'), { ...data, to, dedupeKey }, new Date().toISOString());
}
