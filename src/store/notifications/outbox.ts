/** The notification outbox: events recorded by writes, and the deliveries they expand into. */
import type { Kysely, Selectable } from 'kysely';
import type { NotificationEvent } from '../../model/notifications.js';
import type { Database } from '../database.js';
import { parseJsonText, toJsonText } from '../json-text.js';
import type { DeliveryStatus, NotificationDeliveriesTable, NotificationEventsTable } from '../tables/notifications.js';

export type StoredNotificationEvent = Omit<Selectable<NotificationEventsTable>, 'recipients' | 'facts'> & { recipients: string[]; facts: Record<string, string> };
export type StoredDelivery = Selectable<NotificationDeliveriesTable>;
export type NewDelivery = Omit<StoredDelivery, 'attempts' | 'lastError' | 'sentAt' | 'digestId'>;

function eventOf(row: Selectable<NotificationEventsTable>): StoredNotificationEvent {
  return { ...row, recipients: parseJsonText(row.recipients), facts: parseJsonText(row.facts) };
}

/**
 * Records an event unless one with its dedupe key exists (then nothing happens): true when it was
 * new. `on conflict do nothing` keeps the caller's PostgreSQL transaction usable.
 */
/** The outbox row of an event, not yet dispatched. */
function eventRow(id: string, event: NotificationEvent & { dedupeKey: string }, at: string) {
  return {
    id,
    dedupeKey: event.dedupeKey,
    kind: event.kind,
    incidentId: event.incidentId,
    subjectId: event.subjectId,
    subjectTitle: event.subjectTitle,
    actor: event.actor,
    recipients: toJsonText(event.to),
    facts: toJsonText(event.facts),
    createdAt: at,
    dispatchedAt: null,
  };
}

export async function insertNotificationEvent(db: Kysely<Database>, id: string, event: NotificationEvent & { dedupeKey: string }, at: string): Promise<boolean> {
  const result = await db
    .insertInto('notificationEvents')
    .values(eventRow(id, event, at))
    .onConflict((oc) => oc.column('dedupeKey').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Records many events in multi-row inserts (an import's required reviews); existing keys are skipped. */
export async function insertNotificationEvents(db: Kysely<Database>, events: ReadonlyArray<{ id: string; event: NotificationEvent & { dedupeKey: string } }>, at: string): Promise<void> {
  for (let i = 0; i < events.length; i += 200) {
    const rows = events.slice(i, i + 200).map(({ id, event }) => eventRow(id, event, at));
    await db.insertInto('notificationEvents').values(rows).onConflict((oc) => oc.column('dedupeKey').doNothing()).execute();
  }
}

/** Events not yet expanded into deliveries, oldest first. */
export async function undispatchedEvents(db: Kysely<Database>, limit: number): Promise<StoredNotificationEvent[]> {
  const rows = await db.selectFrom('notificationEvents').selectAll().where('dispatchedAt', 'is', null).orderBy('createdAt').orderBy('id').limit(limit).execute();
  return rows.map(eventOf);
}

export async function eventsByIds(db: Kysely<Database>, ids: string[]): Promise<StoredNotificationEvent[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('notificationEvents').selectAll().where('id', 'in', ids).orderBy('createdAt').orderBy('id').execute();
  return rows.map(eventOf);
}

export async function markEventDispatched(db: Kysely<Database>, id: string, at: string): Promise<void> {
  await db.updateTable('notificationEvents').set({ dispatchedAt: at }).where('id', '=', id).execute();
}

/** Adds a delivery unless its dedupe key exists already. */
export async function insertDelivery(db: Kysely<Database>, delivery: NewDelivery): Promise<boolean> {
  const result = await db
    .insertInto('notificationDeliveries')
    .values({ ...delivery, attempts: 0, lastError: null, sentAt: null, digestId: null })
    .onConflict((oc) => oc.column('dedupeKey').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Immediate deliveries (and digests) due for a first try or a retry at `now`. */
export async function dueDeliveries(db: Kysely<Database>, now: string, limit: number): Promise<StoredDelivery[]> {
  return db
    .selectFrom('notificationDeliveries')
    .selectAll()
    .where('status', '=', 'pending')
    .where('mode', '=', 'immediate')
    .where('nextAttemptAt', '<=', now)
    .orderBy('nextAttemptAt')
    .orderBy('createdAt')
    .orderBy('channel')
    .orderBy('recipient')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Digest items still waiting, per person: the ones created up to `before`. */
export async function waitingDigestItems(db: Kysely<Database>, before: string): Promise<StoredDelivery[]> {
  return db
    .selectFrom('notificationDeliveries')
    .selectAll()
    .where('status', '=', 'pending')
    .where('mode', '=', 'digest')
    .where('createdAt', '<=', before)
    .orderBy('username')
    .orderBy('createdAt')
    .execute();
}

export async function digestItems(db: Kysely<Database>, digestId: string): Promise<StoredDelivery[]> {
  return db.selectFrom('notificationDeliveries').selectAll().where('digestId', '=', digestId).orderBy('createdAt').orderBy('id').execute();
}

/** Gathers digest items into the digest delivery that carries them. */
export async function attachToDigest(db: Kysely<Database>, itemIds: string[], digestId: string): Promise<void> {
  if (itemIds.length === 0) return;
  await db.updateTable('notificationDeliveries').set({ status: 'digested', digestId }).where('id', 'in', itemIds).where('status', '=', 'pending').execute();
}

export async function deliveryByKey(db: Kysely<Database>, dedupeKey: string): Promise<StoredDelivery | undefined> {
  return db.selectFrom('notificationDeliveries').selectAll().where('dedupeKey', '=', dedupeKey).executeTakeFirst();
}

/** Records one attempt's outcome: sent, or failed with the next try (null: no more tries). */
export async function recordAttempt(
  db: Kysely<Database>,
  delivery: Pick<StoredDelivery, 'id' | 'attempts'>,
  outcome: { status: DeliveryStatus; at: string; error: string | null; nextAttemptAt: string | null },
): Promise<void> {
  await db
    .updateTable('notificationDeliveries')
    .set({
      status: outcome.status,
      attempts: delivery.attempts + 1,
      lastError: outcome.error,
      nextAttemptAt: outcome.nextAttemptAt,
      ...(outcome.status === 'sent' ? { sentAt: outcome.at } : {}),
    })
    .where('id', '=', delivery.id)
    .where('attempts', '=', delivery.attempts)
    .execute();
}

/** Deliveries for the admin screen: the latest first. */
export async function recentDeliveries(db: Kysely<Database>, limit: number): Promise<StoredDelivery[]> {
  return db.selectFrom('notificationDeliveries').selectAll().orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** Which of these dedupe keys have an event already (a reminder run skips them without a write). */
export async function existingEventKeys(db: Kysely<Database>, keys: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const rows = await db.selectFrom('notificationEvents').select('dedupeKey').where('dedupeKey', 'in', chunk).execute();
    for (const r of rows) found.add(r.dedupeKey);
  }
  return found;
}
