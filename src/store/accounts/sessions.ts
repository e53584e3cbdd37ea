/** Sign-in sessions (table sessions): stored by the sha256 of the cookie's value. */
import type { Insertable, Kysely } from 'kysely';
import type { User } from '../../model/accounts.js';
import type { Database } from '../database.js';
import type { SessionsTable } from '../tables/accounts.js';
import { userOf } from './users.js';

export async function insertSession(db: Kysely<Database>, session: Insertable<SessionsTable>): Promise<void> {
  await db.insertInto('sessions').values(session).execute();
}

/** Removes the sessions that expired before `now` (ISO). */
export async function deleteExpiredSessions(db: Kysely<Database>, now: string): Promise<void> {
  await db.deleteFrom('sessions').where('expiresAt', '<', now).execute();
}

/** A session and its user, whatever the user's state and the session's expiry. */
export async function sessionById(db: Kysely<Database>, id: string): Promise<{ user: User; csrfToken: string; expiresAt: string } | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.userId')
    .selectAll('users')
    .select(['sessions.csrfToken', 'sessions.expiresAt'])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
  return row ? { user: userOf(row), csrfToken: row.csrfToken, expiresAt: row.expiresAt } : undefined;
}

export async function deleteSession(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

/** Signs a user out everywhere. */
export async function deleteSessionsOfUser(db: Kysely<Database>, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('userId', '=', userId).execute();
}

/** Signs a user out everywhere but the one session kept (a password changed from it). */
export async function deleteOtherSessionsOfUser(db: Kysely<Database>, userId: string, keptId: string): Promise<void> {
  await db.deleteFrom('sessions').where('userId', '=', userId).where('id', '!=', keptId).execute();
}
