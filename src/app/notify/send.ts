import type { FailedNotification, SentNotification } from '../../model/notifications.js';
import type { OpenedStore } from '../../store/index.js';
import {
  attachToDigest,
  deliveryByKey,
  digestItems,
  dueDeliveries,
  eventsByIds,
  insertDelivery,
  recordAttempt,
  waitingDigestItems,
  type StoredDelivery,
  type StoredNotificationEvent,
} from '../../store/notifications/outbox.js';
import { incidentTitleOf } from '../../store/notifications/recipients.js';
import { newId } from '../accounts/secrets.js';
import type { NotifyConfig } from './config.js';
import { incidentLink, renderDigest, renderMail, webhookPayload, type MessageContext, type RenderedMail } from './render.js';
import { webhookSignature, type MailSender, type WebhookSender } from './transport.js';

/** The senders of one run (built from the configuration, or given by a test). */
export interface Transports {
  mail: MailSender | null;
  webhook: WebhookSender | null;
}

/** Minutes to wait after the 1st, 2nd, … failed attempt; after the last, the delivery has failed for good. */
export const RETRY_BACKOFF_MINUTES = [1, 5, 15, 60, 240] as const;
export const MAX_ATTEMPTS = RETRY_BACKOFF_MINUTES.length + 1;
/** At most this many deliveries in one run: a backlog drains over several runs without holding the lease for long. */
const RUN_LIMIT = 2000;
/** A run stops sending after this long (well inside the 5-minute lease); the rest waits for the next run. */
const RUN_BUDGET_MS = 3 * 60_000;
/** Errors that say the server is unreachable, not that this one message was refused. */
const UNREACHABLE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|timeout|timed out|Greeting never received|fetch failed/i;

export interface SendReport {
  sent: SentNotification[];
  failed: FailedNotification[];
}

/** Reads the facts a message needs, caching incident titles over a run. */
class MessageBuilder {
  private readonly titles = new Map<string, string>();
  constructor(
    private readonly store: OpenedStore,
    private readonly config: NotifyConfig,
  ) {}

  async context(event: StoredNotificationEvent): Promise<MessageContext> {
    let title = this.titles.get(event.incidentId);
    if (title === undefined) {
      title = (await incidentTitleOf(this.store.db, event.incidentId)) ?? event.incidentId;
      this.titles.set(event.incidentId, title);
    }
    return {
      eventId: event.id,
      kind: event.kind,
      incidentId: event.incidentId,
      incidentTitle: title,
      subjectId: event.subjectId,
      subjectTitle: event.subjectTitle,
      actor: event.actor,
      facts: event.facts,
      occurredAt: event.createdAt,
      link: incidentLink(this.config.publicUrl, event.incidentId),
    };
  }
}

/**
 * Gathers each person's waiting digest items into one digest message a day, from the configured
 * UTC hour on. A person whose digest of the day went out already gets the rest the next day.
 */
export async function gatherDigests(store: OpenedStore, config: NotifyConfig, now: Date): Promise<number> {
  if (now.getUTCHours() < config.digestHour) return 0;
  const day = now.toISOString().slice(0, 10);
  const byPerson = new Map<string, StoredDelivery[]>();
  for (const item of await waitingDigestItems(store.db, now.toISOString())) {
    if (!item.username) continue;
    byPerson.set(item.username, [...(byPerson.get(item.username) ?? []), item]);
  }
  let made = 0;
  for (const [username, items] of byPerson) {
    const key = `digest:${username}:${day}`;
    if (await deliveryByKey(store.db, key)) continue;
    await store.transaction(async (tx) => {
      const id = newId('dlv');
      const at = now.toISOString();
      const recipient = items[items.length - 1]?.recipient as string;
      const inserted = await insertDelivery(tx.db, {
        id,
        dedupeKey: key,
        eventId: null,
        channel: 'email',
        recipient,
        username,
        kind: 'digest',
        subject: `[Hindsight] Daily digest for ${day}: ${items.length} notification${items.length === 1 ? '' : 's'}`,
        mode: 'immediate',
        status: 'pending',
        nextAttemptAt: at,
        createdAt: at,
      });
      if (inserted) await attachToDigest(tx.db, items.map((i) => i.id), id);
    });
    made++;
  }
  return made;
}

/** The e-mail of a delivery: one event's message, or a digest of the items gathered into it. */
async function renderMailDelivery(store: OpenedStore, builder: MessageBuilder, delivery: StoredDelivery): Promise<RenderedMail> {
  if (delivery.kind === 'digest') {
    const items = await digestItems(store.db, delivery.id);
    const events = await eventsByIds(store.db, items.flatMap((i) => (i.eventId ? [i.eventId] : [])));
    const contexts = await Promise.all(events.map((e) => builder.context(e)));
    return renderDigest(contexts, delivery.createdAt.slice(0, 10));
  }
  return renderMail(await builder.context(await eventOf(store, delivery)));
}

async function eventOf(store: OpenedStore, delivery: StoredDelivery): Promise<StoredNotificationEvent> {
  const [event] = await eventsByIds(store.db, delivery.eventId ? [delivery.eventId] : []);
  if (!event) throw new Error('the event of this delivery is gone');
  return event;
}

/** Sends the deliveries due at `now` (first tries and retries) and records each outcome. */
export async function sendDueDeliveries(store: OpenedStore, config: NotifyConfig, transports: Transports, now: Date): Promise<SendReport> {
  const report: SendReport = { sent: [], failed: [] };
  const builder = new MessageBuilder(store, config);
  const seen = new Set<string>();
  // A channel whose server is unreachable is not tried again in this run: each try would wait for
  // its timeout. Its other deliveries stay due and are tried by the next run.
  const unreachable = new Set<string>();
  const stopAt = Date.now() + RUN_BUDGET_MS;
  while (seen.size < RUN_LIMIT && Date.now() < stopAt) {
    const batch = (await dueDeliveries(store.db, now.toISOString(), 50)).filter((d) => !seen.has(d.id) && !unreachable.has(d.channel));
    if (batch.length === 0) break;
    for (const delivery of batch) {
      if (unreachable.has(delivery.channel) || Date.now() >= stopAt) continue;
      seen.add(delivery.id);
      const line = { channel: delivery.channel, to: delivery.recipient, kind: delivery.kind, subject: delivery.subject };
      try {
        await deliver(store, builder, config, transports, delivery);
        await recordAttempt(store.db, delivery, { status: 'sent', at: new Date().toISOString(), error: null, nextAttemptAt: null });
        report.sent.push(line);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (UNREACHABLE.test(message)) unreachable.add(delivery.channel);
        const attempts = delivery.attempts + 1;
        const wait = RETRY_BACKOFF_MINUTES[attempts - 1];
        const nextAttemptAt = wait === undefined ? null : new Date(now.getTime() + wait * 60_000).toISOString();
        await recordAttempt(store.db, delivery, { status: nextAttemptAt ? 'pending' : 'failed', at: now.toISOString(), error: message, nextAttemptAt });
        report.failed.push({ ...line, error: nextAttemptAt ? `${message} (attempt ${attempts} of ${MAX_ATTEMPTS}; next try at ${nextAttemptAt})` : `${message} (attempt ${attempts} of ${MAX_ATTEMPTS}; giving up)` });
      }
    }
  }
  return report;
}

async function deliver(store: OpenedStore, builder: MessageBuilder, config: NotifyConfig, transports: Transports, delivery: StoredDelivery): Promise<void> {
  if (delivery.channel === 'email') {
    if (!transports.mail) throw new Error('e-mail is not configured (HINDSIGHT_SMTP_URL or the admin screen)');
    await transports.mail(delivery.recipient, await renderMailDelivery(store, builder, delivery));
    return;
  }
  if (!transports.webhook || !config.webhook) throw new Error('the webhook is not configured (HINDSIGHT_WEBHOOK_URL or the admin screen)');
  const event = await eventOf(store, delivery);
  const body = JSON.stringify(webhookPayload(config.webhook.format, await builder.context(event)));
  const headers: Record<string, string> = { 'x-hindsight-event': event.kind, 'x-hindsight-delivery': delivery.id };
  if (config.webhook.secret) headers['x-hindsight-signature'] = webhookSignature(config.webhook.secret, body);
  await transports.webhook(body, headers);
}
