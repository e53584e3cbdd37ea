import type { NotificationChannel, NotificationMode } from '../../model/notifications.js';
import type { JsonText } from '../json-text.js';

/** Notifications (migration 0016): the outbox of events, their deliveries, preferences, settings, lease. */
export interface NotificationEventsTable {
  id: string;
  dedupeKey: string;
  kind: string;
  incidentId: string;
  subjectId: string;
  subjectTitle: string;
  actor: string;
  recipients: JsonText<string[]>;
  facts: JsonText<Record<string, string>>;
  createdAt: string;
  /** When the event was expanded into deliveries; NULL while waiting in the outbox. */
  dispatchedAt: string | null;
}

export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'digested';

export interface NotificationDeliveriesTable {
  id: string;
  /** `<event>:<channel>:<recipient>`, or `digest:<username>:<day>`: one delivery per target, ever. */
  dedupeKey: string;
  /** NULL for a digest (its items point at it by `digestId`). */
  eventId: string | null;
  channel: NotificationChannel;
  /** The e-mail address, or the webhook's origin (never its secret path). */
  recipient: string;
  username: string | null;
  /** The event's kind, or `digest`. */
  kind: string;
  subject: string;
  mode: Exclude<NotificationMode, 'off'>;
  status: DeliveryStatus;
  /** For an item gathered into a digest: the digest delivery that carries it. */
  digestId: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface NotificationPreferencesTable {
  username: string;
  /** A kind, or `*` for the person's default. */
  kind: string;
  mode: NotificationMode;
  updatedAt: string;
}

export interface NotificationSettingsTable {
  name: string;
  /** Plain for ordinary settings; sealed (`sealed:v1:...`) for secrets. */
  value: string;
  updatedBy: string;
  updatedAt: string;
}

export interface NotificationLeasesTable {
  name: string;
  holder: string;
  expiresAt: string;
}
