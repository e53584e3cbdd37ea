import { ASSIGNEE_RECIPIENT, NotificationEventSchema, REVIEWERS_RECIPIENT, type NotificationEventInput } from '../../model/notifications.js';
import type { ActionItem, ReviewRecord } from '../../model/review.js';
import { CLOSED_ACTION_STATUSES, type ReviewTransitionName } from '../../review/lifecycle.js';
import type { OpenedStore } from '../../store/index.js';
import { insertNotificationEvents } from '../../store/notifications/outbox.js';
import { incidentsActiveSince } from '../../store/notifications/recipients.js';
import { newId } from '../accounts/secrets.js';
import { recordNotification } from './record.js';

/**
 * The events the review lifecycle records, in the transition's transaction. Who hears of what:
 * required → the incident's assignee (else the reviewers); submitted → the reviewers; returned and
 * approved → whoever submitted it. Keyed by the review's version after the move: each transition is
 * one event, and the same transition made again later is a new one.
 */
export async function notifyReviewTransition(tx: OpenedStore, name: ReviewTransitionName, before: ReviewRecord | null, after: ReviewRecord, actor: string): Promise<void> {
  const base = { incidentId: after.incidentId, subjectId: after.incidentId, actor };
  const key = (kind: string) => `${kind}:${after.incidentId}:v${after.version}`;
  const submitter = before?.submittedBy ?? after.submittedBy;
  let event: NotificationEventInput | undefined;
  if (name === 'require') event = { ...base, kind: 'review.required', to: [ASSIGNEE_RECIPIENT], facts: { 'Required by': after.requiredBy ?? 'manual' } };
  else if (name === 'submit') event = { ...base, kind: 'review.submitted', to: [REVIEWERS_RECIPIENT] };
  else if (name === 'return' && submitter) event = { ...base, kind: 'review.returned', to: [submitter] };
  else if (name === 'approve' && submitter) event = { ...base, kind: 'review.approved', to: [submitter], facts: { Sufficiency: after.sufficiency ?? 'sufficient', ...(after.sufficiencyNotes ? { Notes: after.sufficiencyNotes } : {}) } };
  if (event) await recordNotification(tx, { ...event, dedupeKey: key(event.kind) });
}

/** Incidents quiet at their source for longer than this are history: the policy requiring their review is not news. */
export const POLICY_NEWS_DAYS = 30;

/**
 * Reviews the policy made required (at import or on a policy change): one event each, to the
 * assignee, for incidents active at their source in the last POLICY_NEWS_DAYS days (importing two
 * years of history does not send a message per old incident; a person requiring a review always does).
 */
export async function notifyReviewsRequired(tx: OpenedStore, required: ReadonlyArray<{ incidentId: string; requiredBy: string | null }>, actor: string, at: string): Promise<void> {
  if (required.length === 0) return;
  const since = new Date(Date.parse(at) - POLICY_NEWS_DAYS * 86_400_000).toISOString();
  const active = await incidentsActiveSince(tx.db, required.map((r) => r.incidentId), since);
  const events = required.filter((r) => active.has(r.incidentId)).map((r) => ({
    id: newId('ntf'),
    event: {
      ...NotificationEventSchema.parse({ kind: 'review.required', incidentId: r.incidentId, subjectId: r.incidentId, actor, to: [ASSIGNEE_RECIPIENT], facts: { 'Required by': r.requiredBy ?? 'the review policy' } }),
      dedupeKey: `review.required:${r.incidentId}:policy:${at}`,
    },
  }));
  await insertNotificationEvents(tx.db, events, at);
}

/**
 * The events an action item's write records: assigned when it gets an owner or a new one (while
 * open), and tracker changed when the state of its linked issue changes (to the owner).
 */
export async function notifyActionItemChange(tx: OpenedStore, before: ActionItem | null, after: ActionItem, actor: string): Promise<void> {
  const open = !CLOSED_ACTION_STATUSES.includes(after.status);
  const base = { incidentId: after.incidentId, subjectId: after.id, subjectTitle: after.title, actor };
  if (open && after.owner && after.owner !== before?.owner) {
    await recordNotification(tx, {
      ...base,
      kind: 'action.assigned',
      dedupeKey: `action.assigned:${after.id}:${after.owner}:v${after.version}`,
      to: [after.owner],
      facts: { Priority: after.priority, Due: after.dueDate ?? 'no due date', ...(after.description ? { Description: after.description.slice(0, 1000) } : {}) },
    });
  }
  if (before && after.owner && after.externalState !== before.externalState && before.externalState !== null && after.externalState !== null) {
    await recordNotification(tx, {
      ...base,
      kind: 'tracker.changed',
      dedupeKey: `tracker.changed:${after.id}:v${after.version}`,
      to: [after.owner],
      facts: {
        Tracker: `${after.externalSystem ?? 'tracker'} ${after.externalKey ?? ''}`.trim(),
        From: before.externalState,
        To: after.externalState,
        Status: after.status,
        ...(after.externalUrl ? { Issue: after.externalUrl } : {}),
      },
    });
  }
}
