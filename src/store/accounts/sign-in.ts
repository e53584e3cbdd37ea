/** Single sign-on: flows in progress (table sign_in_flows) and accounts linked to an OpenID identity. */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { User } from '../../model/accounts.js';
import type { Database } from '../database.js';
import type { SignInFlowsTable } from '../tables/sign-in.js';
import { userOf } from './users.js';

export type SignInFlow = Selectable<SignInFlowsTable>;

/** Records a flow; flows that expired before `now` (ISO) are removed on the way. */
export async function insertSignInFlow(db: Kysely<Database>, flow: Insertable<SignInFlowsTable>, now: string): Promise<void> {
  await db.deleteFrom('signInFlows').where('expiresAt', '<', now).execute();
  await db.insertInto('signInFlows').values(flow).execute();
}

/**
 * Takes a flow out of the table: the delete is what grants it, so of two callbacks racing with
 * the same cookie only one gets the flow back. Expired flows are not returned.
 */
export async function takeSignInFlow(db: Kysely<Database>, id: string, now: string): Promise<SignInFlow | undefined> {
  const flow = await db.selectFrom('signInFlows').selectAll().where('id', '=', id).executeTakeFirst();
  if (!flow) return undefined;
  const deleted = await db.deleteFrom('signInFlows').where('id', '=', id).executeTakeFirst();
  if (Number(deleted.numDeletedRows) !== 1 || flow.expiresAt <= now) return undefined;
  return flow;
}

/** The account linked to an OpenID identity. */
export async function userByOidcIdentity(db: Kysely<Database>, issuer: string, subject: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('oidcIssuer', '=', issuer).where('oidcSubject', '=', subject).executeTakeFirst();
  return row ? userOf(row) : undefined;
}

/** The OpenID identity an account is linked to, if any. */
export async function oidcIdentityOf(db: Kysely<Database>, userId: string): Promise<{ issuer: string; subject: string } | undefined> {
  const row = await db.selectFrom('users').select(['oidcIssuer', 'oidcSubject']).where('id', '=', userId).executeTakeFirst();
  return row?.oidcIssuer && row.oidcSubject ? { issuer: row.oidcIssuer, subject: row.oidcSubject } : undefined;
}

export async function linkOidcIdentity(db: Kysely<Database>, userId: string, issuer: string, subject: string): Promise<void> {
  await db.updateTable('users').set({ oidcIssuer: issuer, oidcSubject: subject }).where('id', '=', userId).execute();
}
