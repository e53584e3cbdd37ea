import type { Reader } from '../model/accounts.js';
import { UsageError } from '../model/errors.js';
import { roleAllows } from '../model/roles.js';
import { CLOSED_TASK_STATUSES, isEmailAddress, type MyWork } from '../model/tasks.js';
import { CLOSED_ACTION_STATUSES } from '../review/lifecycle.js';
import { incidentsHiddenFrom } from '../store/accounts/incident-access.js';
import { allUsers } from '../store/accounts/users.js';
import type { OpenedStore } from '../store/index.js';
import { actionItemsOwnedBy, incidentTitles, reviewsInStates } from '../store/reviews/my-work.js';
import { listTasks } from '../store/reviews/tasks.js';
import { namesOf } from './people.js';
import { withOverdue } from './review/overdue.js';
import { withTaskOverdue } from './review/tasks.js';

/**
 * "My work": everything waiting on one person across the incidents they may see: the open action
 * items they own, the open tasks assigned to them (by user name or by their e-mail address), and
 * the reviews waiting on their move (submitted reviews for a reviewer to approve or return; their
 * own submitted reviews that came back to draft). Overdue first, then by due date.
 */
export async function myWork(store: OpenedStore, reader: Reader, now: Date = new Date()): Promise<MyWork> {
  return workFor(store, reader, await namesOf(store, reader.username), now);
}

/**
 * "My work" of a person named on the command line: an account (its role decides the reviews
 * waiting on it), or an e-mail address of someone outside the tool. On a store without accounts
 * (one analyst) the name is taken as written, with the reviewer's queue.
 */
export async function myWorkOf(store: OpenedStore, name: string, now: Date = new Date()): Promise<MyWork> {
  const users = await allUsers(store.db);
  const user = users.find((u) => u.username === name);
  if (user) return workFor(store, user, await namesOf(store, user.username), now);
  if (isEmailAddress(name)) return workFor(store, { username: name, role: 'viewer' }, { email: name, names: [name] }, now);
  if (users.length > 0) throw new UsageError(`--user: "${name}" is neither a user of Hindsight nor an e-mail address`);
  return workFor(store, { username: name, role: 'reviewer' }, { email: null, names: [name] }, now);
}

async function workFor(store: OpenedStore, reader: Reader, who: { email: string | null; names: string[] }, now: Date): Promise<MyWork> {
  const { email, names } = who;
  const hidden = new Set(await incidentsHiddenFrom(store.db, reader.username));
  const visible = <T extends { incidentId: string }>(rows: T[]) => rows.filter((r) => !hidden.has(r.incidentId));

  const [items, tasks, inReview, drafts] = await Promise.all([
    actionItemsOwnedBy(store.db, names, CLOSED_ACTION_STATUSES),
    listTasks(store.db, { assignees: names, status: ['open', 'in-progress'] }),
    roleAllows(reader.role, 'reviewer') ? reviewsInStates(store.db, ['in-review']) : Promise.resolve([]),
    reviewsInStates(store.db, ['draft']),
  ]);
  const myItems = visible(items).map((i) => withOverdue(i, now));
  const myTasks = visible(tasks).map((t) => withTaskOverdue(t, now));
  const titles = await incidentTitles(store.db, [...myItems, ...myTasks].map((x) => x.incidentId));
  const titleOf = (id: string) => titles.get(id) ?? id;
  const byUrgency = <T extends { overdue: boolean; dueDate: string | null }>(a: T, b: T) => Number(b.overdue) - Number(a.overdue) || (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999');

  const reviews = [
    ...visible(inReview).map((r) => ({ incidentId: r.incidentId, incidentTitle: r.title, state: r.state, reason: `submitted by ${r.submittedBy ?? 'someone'}: approve or return it`, since: r.submittedAt })),
    // A draft the person submitted before was returned to them for more work.
    ...visible(drafts)
      .filter((r) => r.submittedBy === reader.username)
      .map((r) => ({ incidentId: r.incidentId, incidentTitle: r.title, state: r.state, reason: 'returned to draft: finish it and submit it again', since: r.updatedAt })),
  ];
  const actionItems = myItems
    .map((i) => ({ incidentId: i.incidentId, incidentTitle: titleOf(i.incidentId), id: i.id, title: i.title, status: i.status, dueDate: i.dueDate, overdue: i.overdue, priority: i.priority }))
    .sort(byUrgency);
  const taskList = myTasks
    .filter((t) => !CLOSED_TASK_STATUSES.includes(t.status))
    .map((t) => ({ incidentId: t.incidentId, incidentTitle: titleOf(t.incidentId), id: t.id, title: t.title, status: t.status, dueDate: t.dueDate, overdue: t.overdue }))
    .sort(byUrgency);
  return { user: reader.username, email, actionItems, tasks: taskList, reviews, overdue: actionItems.filter((i) => i.overdue).length + taskList.filter((t) => t.overdue).length };
}
