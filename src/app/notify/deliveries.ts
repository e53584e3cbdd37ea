import type { OpenedStore } from '../../store/index.js';
import { recentDeliveries } from '../../store/notifications/outbox.js';

export interface DeliveryView {
  id: string;
  channel: string;
  to: string;
  kind: string;
  subject: string;
  mode: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** The latest deliveries with their outcome, for the admin screen (failures are reported there too). */
export async function recentNotificationDeliveries(store: OpenedStore, limit = 50): Promise<DeliveryView[]> {
  const rows = await recentDeliveries(store.db, limit);
  return rows.map((d) => ({
    id: d.id,
    channel: d.channel,
    to: d.recipient,
    kind: d.kind,
    subject: d.subject,
    mode: d.mode,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt,
    lastError: d.lastError,
    createdAt: d.createdAt,
    sentAt: d.sentAt,
  }));
}
