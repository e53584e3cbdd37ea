import { randomUUID } from 'node:crypto';
import type { NotifyRunReport } from '../../model/notifications.js';
import type { OpenedStore } from '../../store/index.js';
import { acquireNotificationLease, releaseNotificationLease } from '../../store/notifications/settings.js';
import { loadNotifyConfig, type NotifyConfig } from './config.js';
import { dispatchEvents } from './dispatch.js';
import { queueReminders } from './reminders.js';
import { gatherDigests, sendDueDeliveries, type Transports } from './send.js';
import { httpWebhookSender, smtpSender } from './transport.js';

export interface NotifyRunOptions {
  /** The clock (tests move it); default the real one. */
  now?: () => Date;
  /** Where the settings come from; default the process's environment. */
  env?: Record<string, string | undefined>;
  /** Senders to use instead of the configured SMTP server and webhook (tests). */
  transports?: Partial<Transports>;
  /** Leave out the reminders (the server's immediate runs after a write send without re-checking due dates). */
  reminders?: boolean;
}

/** How long one run may hold the sending lease before another process may take over. */
const LEASE_MS = 5 * 60_000;
const LEASE_NAME = 'notify';

/** Builds the senders of the configured channels; `close` releases the SMTP connection. */
export function transportsFor(config: NotifyConfig): Transports & { close: () => void } {
  const mail = config.smtpUrl ? smtpSender(config.smtpUrl, config.mailFrom) : null;
  return {
    mail,
    webhook: config.webhook ? httpWebhookSender(config.webhook.url) : null,
    close: () => mail?.close(),
  };
}

/**
 * One pass of the notifier: records the reminders due today, expands recorded events into
 * deliveries, gathers the daily digests, and sends what is due (retries included). Only one process
 * runs a pass at a time (a lease row in the database): a second one finds it held and does nothing.
 */
export async function runNotifications(store: OpenedStore, options: NotifyRunOptions = {}): Promise<NotifyRunReport> {
  const clock = options.now ?? (() => new Date());
  const config = await loadNotifyConfig(store, options.env ?? process.env);
  const holder = randomUUID();
  const start = clock();
  if (!(await acquireNotificationLease(store.db, LEASE_NAME, holder, start.toISOString(), new Date(start.getTime() + LEASE_MS).toISOString()))) {
    return { sent: [], failed: [] };
  }
  const built = transportsFor(config);
  const transports: Transports = { mail: options.transports?.mail ?? built.mail, webhook: options.transports?.webhook ?? built.webhook };
  try {
    if (options.reminders !== false) await queueReminders(store, config, clock());
    await dispatchEvents(store, config, clock());
    await gatherDigests(store, config, clock());
    return await sendDueDeliveries(store, config, transports, clock());
  } finally {
    built.close();
    await releaseNotificationLease(store.db, LEASE_NAME, holder);
  }
}
