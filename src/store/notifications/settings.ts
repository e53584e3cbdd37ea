/** Per-user notification preferences, delivery settings, and the sending lease. */
import type { Kysely } from 'kysely';
import type { NotificationMode } from '../../model/notifications.js';
import type { Database } from '../database.js';

export async function preferencesOf(db: Kysely<Database>, username: string): Promise<Map<string, NotificationMode>> {
  const rows = await db.selectFrom('notificationPreferences').select(['kind', 'mode']).where('username', '=', username).execute();
  return new Map(rows.map((r) => [r.kind, r.mode]));
}

/** Replaces a person's preferences with `modes` (kind or `*` → mode). */
export async function replacePreferences(db: Kysely<Database>, username: string, modes: Map<string, NotificationMode>, at: string): Promise<void> {
  await db.deleteFrom('notificationPreferences').where('username', '=', username).execute();
  const rows = [...modes].map(([kind, mode]) => ({ username, kind, mode, updatedAt: at }));
  if (rows.length > 0) await db.insertInto('notificationPreferences').values(rows).execute();
}

export async function storedSettings(db: Kysely<Database>): Promise<Map<string, string>> {
  const rows = await db.selectFrom('notificationSettings').select(['name', 'value']).execute();
  return new Map(rows.map((r) => [r.name, r.value]));
}

/** Sets (value) or clears (null) stored settings, each by name. */
export async function saveSettings(db: Kysely<Database>, values: Map<string, string | null>, by: string, at: string): Promise<void> {
  for (const [name, value] of values) {
    await db.deleteFrom('notificationSettings').where('name', '=', name).execute();
    if (value !== null) await db.insertInto('notificationSettings').values({ name, value, updatedBy: by, updatedAt: at }).execute();
  }
}

/**
 * Takes the named lease for `holder` until `expiresAt` unless someone holds an unexpired one. Each
 * statement is atomic alone: an expired lease is removed, then the insert wins or hits the key.
 */
export async function acquireNotificationLease(db: Kysely<Database>, name: string, holder: string, now: string, expiresAt: string): Promise<boolean> {
  await db.deleteFrom('notificationLeases').where('name', '=', name).where('expiresAt', '<=', now).execute();
  const result = await db.insertInto('notificationLeases').values({ name, holder, expiresAt }).onConflict((oc) => oc.column('name').doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function releaseNotificationLease(db: Kysely<Database>, name: string, holder: string): Promise<void> {
  await db.deleteFrom('notificationLeases').where('name', '=', name).where('holder', '=', holder).execute();
}
