/** The reads notifications need: people and their addresses, incident titles, due action items. */
import type { Kysely } from 'kysely';
import type { ActionStatus } from '../../model/review.js';
import type { Database } from '../database.js';
import { fromFlag } from '../json-text.js';

export interface NotifiablePerson {
  username: string;
  displayName: string | null;
  email: string | null;
  role: string;
  disabled: boolean;
}

/** The accounts with these user names or e-mail addresses (case-insensitive for addresses). */
export async function peopleByNameOrEmail(db: Kysely<Database>, names: string[], emails: string[]): Promise<NotifiablePerson[]> {
  if (names.length === 0 && emails.length === 0) return [];
  const lowered = emails.map((e) => e.toLowerCase());
  const rows = await db
    .selectFrom('users')
    .select(['username', 'displayName', 'email', 'role', 'disabled'])
    .where((eb) => {
      const ors = [];
      if (names.length) ors.push(eb('username', 'in', names));
      if (lowered.length) ors.push(eb(eb.fn('lower', ['email']), 'in', lowered));
      return eb.or(ors);
    })
    .execute();
  return rows.map((r) => ({ ...r, disabled: fromFlag(r.disabled) }));
}

/** Every enabled person with role reviewer or admin and an e-mail address. */
export async function reviewersWithEmail(db: Kysely<Database>): Promise<NotifiablePerson[]> {
  const rows = await db
    .selectFrom('users')
    .select(['username', 'displayName', 'email', 'role', 'disabled'])
    .where('role', 'in', ['reviewer', 'admin'])
    .where('disabled', '=', 0)
    .where('email', 'is not', null)
    .where('kind', '=', 'person')
    .orderBy('username')
    .execute();
  return rows.map((r) => ({ ...r, disabled: false }));
}

export async function incidentTitleOf(db: Kysely<Database>, incidentId: string): Promise<string | undefined> {
  const row = await db.selectFrom('incidents').select('title').where('id', '=', incidentId).executeTakeFirst();
  return row?.title;
}

/** Which of these incidents changed at their source on or after `since` (ISO time). */
export async function incidentsActiveSince(db: Kysely<Database>, ids: readonly string[], since: string): Promise<Set<string>> {
  const active = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('incidents').select('id').where('id', 'in', ids.slice(i, i + 500)).where('updatedAt', '>=', since).execute();
    for (const r of rows) active.add(r.id);
  }
  return active;
}

/** Who approved the incident's review (its reviewer), if anyone has. */
export async function reviewerOfIncident(db: Kysely<Database>, incidentId: string): Promise<string | null> {
  const row = await db.selectFrom('reviews').select('approvedBy').where('incidentId', '=', incidentId).executeTakeFirst();
  return row?.approvedBy ?? null;
}

export interface DueActionItem {
  id: string;
  incidentId: string;
  title: string;
  owner: string;
  dueDate: string;
  status: ActionStatus;
}

/** Open action items with an owner, due on or before `day` (YYYY-MM-DD). */
export async function ownedActionItemsDueBy(db: Kysely<Database>, day: string, closedStatuses: readonly ActionStatus[]): Promise<DueActionItem[]> {
  const rows = await db
    .selectFrom('reviewActionItems')
    .select(['id', 'incidentId', 'title', 'owner', 'dueDate', 'status'])
    .where('dueDate', 'is not', null)
    .where('dueDate', '<=', day)
    .where('owner', 'is not', null)
    .where('status', 'not in', closedStatuses)
    .orderBy('dueDate')
    .orderBy('id')
    .execute();
  return rows.flatMap((r) => (r.owner && r.dueDate ? [{ id: r.id, incidentId: r.incidentId, title: r.title, owner: r.owner, dueDate: r.dueDate, status: r.status }] : []));
}

/** The incident's assignee as its source named it (a user name or an e-mail address), if any. */
export async function incidentAssigneeOf(db: Kysely<Database>, incidentId: string): Promise<string | null> {
  const row = await db.selectFrom('incidents').select('assignedTo').where('id', '=', incidentId).executeTakeFirst();
  return row?.assignedTo?.trim() || null;
}
