import { UsageError } from '../../model/errors.js';
import { NOTIFICATION_KINDS, NotificationPreferencesSchema, type NotificationMode, type NotificationPreferences, type NotifyRunReport } from '../../model/notifications.js';
import type { OpenedStore } from '../../store/index.js';
import { peopleByNameOrEmail } from '../../store/notifications/recipients.js';
import { preferencesOf, replacePreferences } from '../../store/notifications/settings.js';
import { appendAudit } from '../audit.js';
import { loadNotifyConfig } from './config.js';
import { isEmailAddress } from './dispatch.js';
import { renderMail, webhookPayload } from './render.js';
import { transportsFor } from './run.js';
import { safeError, webhookSignature } from './transport.js';

/** A person's preferences: default immediate, every kind following the default unless set. */
export async function notificationPreferences(store: OpenedStore, username: string): Promise<NotificationPreferences> {
  const stored = await preferencesOf(store.db, username);
  const kinds: NotificationPreferences['kinds'] = {};
  for (const kind of NOTIFICATION_KINDS) {
    const mode = stored.get(kind);
    if (mode) kinds[kind] = mode;
  }
  const [person] = await peopleByNameOrEmail(store.db, [username], []);
  return { defaultMode: stored.get('*') ?? 'immediate', kinds, email: person?.email ?? null };
}

/** Replaces a person's preferences (audited); kinds equal to the default are not stored. */
export async function saveNotificationPreferences(store: OpenedStore, username: string, input: unknown): Promise<NotificationPreferences> {
  const parsed = NotificationPreferencesSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`notification preferences: ${(issue?.path ?? []).map(String).join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  const modes = new Map<string, NotificationMode>([['*', parsed.data.defaultMode]]);
  for (const [kind, mode] of Object.entries(parsed.data.kinds)) if (mode && mode !== parsed.data.defaultMode) modes.set(kind, mode);
  await store.transaction(async (tx) => {
    const before = Object.fromEntries(await preferencesOf(tx.db, username));
    await replacePreferences(tx.db, username, modes, new Date().toISOString());
    await appendAudit(tx, { actor: username, operation: 'notifications.preferences' }, { entityId: username, before, after: Object.fromEntries(modes) });
  });
  return notificationPreferences(store, username);
}

/**
 * Sends a test message now, outside the outbox, on every configured channel: by e-mail to `to`
 * (the admin's own address by default) and to the webhook. Reports each outcome like a run does.
 */
export async function sendTestNotification(store: OpenedStore, actor: string, to: string | null, env: Record<string, string | undefined> = process.env): Promise<NotifyRunReport> {
  const config = await loadNotifyConfig(store, env);
  if (!config.smtpUrl && !config.webhook) throw new UsageError('no channel is configured: set an SMTP URL or a webhook URL first');
  if (to !== null && !isEmailAddress(to)) throw new UsageError(`"${to}" is not an e-mail address`);
  const context = {
    eventId: 'test',
    kind: 'test',
    incidentId: 'test',
    incidentTitle: 'Test message from Hindsight',
    subjectId: 'test',
    subjectTitle: '',
    actor,
    facts: { 'Sent by': actor, 'Sent at': new Date().toISOString() },
    occurredAt: new Date().toISOString(),
    link: config.publicUrl,
  };
  const mail = { ...renderMail(context), subject: '[Hindsight] Test message' };
  const report: NotifyRunReport = { sent: [], failed: [] };
  const transports = transportsFor(config);
  try {
    if (transports.mail && to) {
      const line = { channel: 'email' as const, to, kind: 'test', subject: mail.subject };
      try {
        await transports.mail(to, mail);
        report.sent.push(line);
      } catch (error) {
        report.failed.push({ ...line, error: safeError(error, []) });
      }
    }
    if (transports.webhook && config.webhook) {
      const line = { channel: 'webhook' as const, to: new URL(config.webhook.url).origin, kind: 'test', subject: mail.subject };
      const body = JSON.stringify(webhookPayload(config.webhook.format, context));
      const headers: Record<string, string> = { 'x-hindsight-event': 'test', 'x-hindsight-delivery': 'test' };
      if (config.webhook.secret) headers['x-hindsight-signature'] = webhookSignature(config.webhook.secret, body);
      try {
        await transports.webhook(body, headers);
        report.sent.push(line);
      } catch (error) {
        report.failed.push({ ...line, error: safeError(error, []) });
      }
    }
  } finally {
    transports.close();
  }
  return report;
}
