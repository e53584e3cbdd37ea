/** Local accounts of the team server (table users). */
import type { Kysely, Selectable } from 'kysely';
import type { User } from '../../model/accounts.js';
import type { Database } from '../database.js';
import { fromFlag, toFlag } from '../json-text.js';
import type { UsersTable } from '../tables/accounts.js';

/** A user as the domain sees it (the row without its password hash). */
export function userOf(row: Pick<Selectable<UsersTable>, 'id' | 'username' | 'displayName' | 'email' | 'kind' | 'role' | 'disabled' | 'createdAt' | 'mustChangePassword'>): User {
  return { id: row.id, username: row.username, displayName: row.displayName, email: row.email, kind: row.kind, role: row.role, disabled: fromFlag(row.disabled), createdAt: row.createdAt, mustChangePassword: fromFlag(row.mustChangePassword) };
}

export async function userByName(db: Kysely<Database>, username: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  return row ? userOf(row) : undefined;
}

/** The user and the stored hash of their password (null: the account cannot sign in with one). */
export async function userCredentialsByName(db: Kysely<Database>, username: string): Promise<{ user: User; passwordHash: string | null } | undefined> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  return row ? { user: userOf(row), passwordHash: row.passwordHash } : undefined;
}

/** Every account, by user name. */
export async function allUsers(db: Kysely<Database>): Promise<User[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('username').execute();
  return rows.map(userOf);
}

export async function userCount(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertUser(db: Kysely<Database>, user: User, passwordHash: string | null): Promise<void> {
  await db
    .insertInto('users')
    .values({ id: user.id, username: user.username, displayName: user.displayName, email: user.email, kind: user.kind, role: user.role, passwordHash, disabled: toFlag(user.disabled), createdAt: user.createdAt, mustChangePassword: toFlag(user.mustChangePassword) })
    .execute();
}

/** Saves role, display name, e-mail address, disabled and must-change flags, and the password hash when one is given. */
export async function saveUser(db: Kysely<Database>, user: User, passwordHash?: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ role: user.role, displayName: user.displayName, email: user.email, disabled: toFlag(user.disabled), mustChangePassword: toFlag(user.mustChangePassword), ...(passwordHash !== undefined ? { passwordHash } : {}) })
    .where('id', '=', user.id)
    .execute();
}
