import { ASSIGNEE_RECIPIENT, REVIEWERS_RECIPIENT, type NotificationMode } from '../../model/notifications.js';
import { accessListOf } from '../../store/accounts/incident-access.js';
import type { OpenedStore } from '../../store/index.js';
import { insertDelivery, markEventDispatched, undispatchedEvents, type StoredNotificationEvent } from '../../store/notifications/outbox.js';
import { incidentAssigneeOf, incidentTitleOf, peopleByNameOrEmail, reviewersWithEmail, type NotifiablePerson } from '../../store/notifications/recipients.js';
import { preferencesOf } from '../../store/notifications/settings.js';
import { newId } from '../accounts/secrets.js';
import type { NotifyConfig } from './config.js';
import { subjectOf } from './render.js';

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

export function isEmailAddress(value: string): boolean {
  return EMAIL.test(value) && value.length <= 254;
}

/** One e-mail target: an account (whose preferences apply) or an outside address. */
interface MailTarget {
  address: string;
  username: string | null;
}

/**
 * The people an event reaches by e-mail. `@reviewers` is every enabled reviewer and admin with an
 * address; a user name is that account; an address matching an account is that account, else an
 * outside address. Disabled accounts, accounts without an address and the actor are left out; on a
 * restricted incident so is every account not on its access list (an outside address was named on
 * the incident by someone who can see it, and keeps it).
 */
async function mailTargets(store: OpenedStore, event: StoredNotificationEvent): Promise<MailTarget[]> {
  const recipients = await expandAssignee(store, event);
  const names = recipients.filter((r) => !r.startsWith('@') && !r.includes('@'));
  const addresses = recipients.filter((r) => !r.startsWith('@') && isEmailAddress(r));
  const people: NotifiablePerson[] = await peopleByNameOrEmail(store.db, names, addresses);
  if (recipients.includes(REVIEWERS_RECIPIENT)) people.push(...(await reviewersWithEmail(store.db)));
  const restrictedTo = await accessListOf(store.db, event.incidentId);
  const targets = new Map<string, MailTarget>();
  for (const person of people) {
    if (person.disabled || !person.email || !isEmailAddress(person.email) || person.username === event.actor) continue;
    if (restrictedTo.length > 0 && !restrictedTo.includes(person.username)) continue;
    targets.set(person.email.toLowerCase(), { address: person.email, username: person.username });
  }
  for (const address of addresses) {
    const known = people.some((p) => p.email?.toLowerCase() === address.toLowerCase());
    if (!known && !targets.has(address.toLowerCase())) targets.set(address.toLowerCase(), { address, username: null });
  }
  return [...targets.values()];
}

/** `@assignee` as the incident's assignee when that is an account or an address, else the reviewers. */
async function expandAssignee(store: OpenedStore, event: StoredNotificationEvent): Promise<string[]> {
  if (!event.recipients.includes(ASSIGNEE_RECIPIENT)) return event.recipients;
  const others = event.recipients.filter((r) => r !== ASSIGNEE_RECIPIENT);
  const assignee = await incidentAssigneeOf(store.db, event.incidentId);
  if (assignee) {
    const known = await peopleByNameOrEmail(store.db, isEmailAddress(assignee) ? [] : [assignee], isEmailAddress(assignee) ? [assignee] : []);
    if (known.some((p) => !p.disabled && p.email) || isEmailAddress(assignee)) return [...others, assignee];
  }
  return [...others, REVIEWERS_RECIPIENT];
}

/** How a person wants this kind: their setting for it, else their default, else at once. */
async function modeFor(store: OpenedStore, username: string | null, kind: string): Promise<NotificationMode> {
  if (!username) return 'immediate';
  const preferences = await preferencesOf(store.db, username);
  return preferences.get(kind) ?? preferences.get('*') ?? 'immediate';
}

/**
 * Expands events waiting in the outbox into deliveries (one per address, and one for the webhook),
 * each event in its own transaction and marked dispatched with them. Channels not configured now
 * get no delivery: turning e-mail on later does not send a backlog. Returns how many were expanded.
 */
export async function dispatchEvents(store: OpenedStore, config: NotifyConfig, now: Date): Promise<number> {
  let count = 0;
  for (;;) {
    const events = await undispatchedEvents(store.db, 100);
    if (events.length === 0) return count;
    for (const event of events) {
      await store.transaction(async (tx) => {
        const at = now.toISOString();
        const incidentTitle = (await incidentTitleOf(tx.db, event.incidentId)) ?? event.incidentId;
        const subject = subjectOf({ kind: event.kind, incidentTitle, subjectTitle: event.subjectTitle });
        if (config.smtpUrl) {
          for (const target of await mailTargets(tx, event)) {
            const mode = await modeFor(tx, target.username, event.kind);
            if (mode === 'off') continue;
            await insertDelivery(tx.db, {
              id: newId('dlv'),
              dedupeKey: `${event.id}:email:${target.address.toLowerCase()}`,
              eventId: event.id,
              channel: 'email',
              recipient: target.address,
              username: target.username,
              kind: event.kind,
              subject,
              mode,
              status: 'pending',
              nextAttemptAt: mode === 'immediate' ? at : null,
              // The event's time: messages go out in the order things happened.
              createdAt: event.createdAt,
            });
          }
        }
        // A team channel is no place for a restricted incident: its webhook message is not sent.
        if (config.webhook && (await accessListOf(tx.db, event.incidentId)).length === 0) {
          await insertDelivery(tx.db, {
            id: newId('dlv'),
            dedupeKey: `${event.id}:webhook`,
            eventId: event.id,
            channel: 'webhook',
            recipient: new URL(config.webhook.url).origin,
            username: null,
            kind: event.kind,
            subject,
            mode: 'immediate',
            status: 'pending',
            nextAttemptAt: at,
            createdAt: event.createdAt,
          });
        }
        await markEventDispatched(tx.db, event.id, at);
      });
      count++;
    }
  }
}
