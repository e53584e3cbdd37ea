/** Incidents restricted to named people (table incident_access: no row means unrestricted). */
import type { Kysely } from 'kysely';
import { compiledRead } from '../compiled-read.js';
import type { Database } from '../database.js';

/** The people an incident is restricted to, by name; empty when it is not restricted. */
// Read on every request that names an incident: compiled once.
const accessOf = compiledRead((db, incidentId: string) => db.selectFrom('incidentAccess').select('username').where('incidentId', '=', incidentId).orderBy('username'), ['']);

export async function accessListOf(db: Kysely<Database>, incidentId: string): Promise<string[]> {
  const rows = await accessOf(db, incidentId);
  return rows.map((r) => r.username);
}

/** Replaces an incident's list (an empty list lifts the restriction). */
export async function replaceAccessList(db: Kysely<Database>, incidentId: string, usernames: readonly string[]): Promise<void> {
  await db.deleteFrom('incidentAccess').where('incidentId', '=', incidentId).execute();
  if (usernames.length) await db.insertInto('incidentAccess').values(usernames.map((username) => ({ incidentId, username }))).execute();
}

/** The restricted incidents whose list does not name this user. */
// Read on every list and layer request: compiled once.
const hiddenFrom = compiledRead(
  (db, username: string) =>
    db
      .selectFrom('incidentAccess')
      .select('incidentId')
      .distinct()
      .where('incidentId', 'not in', db.selectFrom('incidentAccess').select('incidentId').where('username', '=', username)),
  [''],
);

export async function incidentsHiddenFrom(db: Kysely<Database>, username: string): Promise<string[]> {
  const rows = await hiddenFrom(db, username);
  return rows.map((r) => r.incidentId);
}

/** The restricted incidents whose list names this user. */
export async function incidentsRestrictedTo(db: Kysely<Database>, username: string): Promise<string[]> {
  const rows = await db.selectFrom('incidentAccess').select('incidentId').where('username', '=', username).orderBy('incidentId').execute();
  return rows.map((r) => r.incidentId);
}
