import { REVIEWERS_RECIPIENT, type NotificationEventInput } from '../../model/notifications.js';
import { CLOSED_ACTION_STATUSES } from '../../review/lifecycle.js';
import type { OpenedStore } from '../../store/index.js';
import { existingEventKeys } from '../../store/notifications/outbox.js';
import { ownedActionItemsDueBy, reviewerOfIncident } from '../../store/notifications/recipients.js';
import { tasksDueBy } from '../../store/reviews/tasks.js';
import type { NotifyConfig } from './config.js';
import { recordNotification } from './record.js';

/** Who the scheduler's events name as their actor. */
export const REMINDER_ACTOR = 'hindsight-scheduler';

const DAY_MS = 86_400_000;

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Something with an owner and a due date: an action item or a task. */
interface DueThing {
  family: 'action' | 'task';
  id: string;
  incidentId: string;
  title: string;
  owner: string;
  dueDate: string;
}

/**
 * The reminders due on `now`'s day (UTC), as events: due soon (within `dueSoonDays`) and overdue to
 * the owner, and once overdue for `escalationDays` days, escalated to the incident's reviewer (who
 * approved its review; while nobody has, every reviewer). Each is keyed by item, due date and
 * owner, so it is recorded once, and again only when the due date or the owner changes.
 */
export async function queueReminders(store: OpenedStore, config: NotifyConfig, now: Date): Promise<number> {
  const today = dayOf(now);
  const horizon = dayOf(new Date(Date.parse(`${today}T00:00:00Z`) + config.dueSoonDays * DAY_MS));
  const things: DueThing[] = [
    ...(await ownedActionItemsDueBy(store.db, horizon, CLOSED_ACTION_STATUSES)).map((a) => ({ family: 'action' as const, id: a.id, incidentId: a.incidentId, title: a.title, owner: a.owner, dueDate: a.dueDate })),
    ...(await tasksDueBy(store.db, horizon)).flatMap((t) => (t.assignee ? [{ family: 'task' as const, id: t.id, incidentId: t.incidentId, title: t.title, owner: t.assignee, dueDate: t.dueDate }] : [])),
  ];
  const events: (NotificationEventInput & { dedupeKey: string })[] = [];
  const reviewers = new Map<string, string>();
  for (const thing of things) {
    const base = { incidentId: thing.incidentId, subjectId: thing.id, subjectTitle: thing.title, actor: REMINDER_ACTOR };
    const late = daysBetween(thing.dueDate, today);
    if (late <= 0) {
      const inDays = -late;
      events.push({ ...base, kind: `${thing.family}.due-soon`, dedupeKey: `${thing.family}.due-soon:${thing.id}:${thing.dueDate}:${thing.owner}`, to: [thing.owner], facts: { Owner: thing.owner, Due: thing.dueDate, 'Due in': inDays === 0 ? 'today' : `${inDays} day${inDays === 1 ? '' : 's'}` } });
      continue;
    }
    const facts = { Owner: thing.owner, Due: thing.dueDate, Overdue: `${late} day${late === 1 ? '' : 's'}` };
    events.push({ ...base, kind: `${thing.family}.overdue`, dedupeKey: `${thing.family}.overdue:${thing.id}:${thing.dueDate}:${thing.owner}`, to: [thing.owner], facts });
    if (late >= config.escalationDays) {
      if (!reviewers.has(thing.incidentId)) reviewers.set(thing.incidentId, (await reviewerOfIncident(store.db, thing.incidentId)) ?? REVIEWERS_RECIPIENT);
      const reviewer = reviewers.get(thing.incidentId) as string;
      events.push({ ...base, kind: `${thing.family}.escalated`, dedupeKey: `${thing.family}.escalated:${thing.id}:${thing.dueDate}`, to: [reviewer], facts: { ...facts, 'Escalated after': `${config.escalationDays} day${config.escalationDays === 1 ? '' : 's'} overdue` } });
    }
  }
  const known = await existingEventKeys(store.db, events.map((e) => e.dedupeKey));
  let recorded = 0;
  for (const event of events) {
    if (known.has(event.dedupeKey)) continue;
    if (await recordNotification(store, event)) recorded++;
  }
  return recorded;
}
