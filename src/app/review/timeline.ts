import { NotFoundError, UsageError } from '../../model/errors.js';
import {
  ManualTimelineEventInputSchema,
  ManualTimelineEventPatchSchema,
  TimelineAnnotationPatchSchema,
  type ManualTimelineEvent,
  type ManualTimelineEventInput,
  type ManualTimelineEventPatch,
  type TimelineAnnotation,
  type TimelineAnnotationPatch,
} from '../../model/review.js';
import type { OpenedStore } from '../../store/index.js';
import { getAnnotation, insertAnnotation, updateAnnotation } from '../../store/reviews/annotations.js';
import { deleteTimelineEvent as deleteStoredEvent, getTimelineEvent, insertTimelineEvent, listTimelineEvents, updateTimelineEvent } from '../../store/reviews/timeline-events.js';
import { auditedWrite } from '../audit.js';
import { beginEdit, definedOnly, parseReviewInput, stampOf, type ReviewWrite } from './write.js';

/** The hand-written events of an incident's timeline, in time order. */
export async function listManualEvents(store: OpenedStore, incidentId: string): Promise<ManualTimelineEvent[]> {
  return listTimelineEvents(store.db, incidentId);
}

/** Adds a hand-written event to the timeline; starts the draft. */
export async function addTimelineEvent(store: OpenedStore, incidentId: string, input: ManualTimelineEventInput, write: ReviewWrite): Promise<ManualTimelineEvent> {
  const data = parseReviewInput(ManualTimelineEventInputSchema, input, 'timeline event');
  return auditedWrite(store, { actor: write.actor, operation: 'timeline.add' }, async (tx) => {
    const stamp = stampOf(write);
    await beginEdit(tx, incidentId, stamp);
    const event = await insertTimelineEvent(tx.db, incidentId, { ...data, at: new Date(data.at).toISOString() }, stamp);
    return { result: event, entityId: event.id, before: null, after: event };
  });
}

/** Changes the fields a patch names of a hand-written event. */
export async function editTimelineEvent(store: OpenedStore, incidentId: string, eventId: string, patch: ManualTimelineEventPatch, write: ReviewWrite): Promise<ManualTimelineEvent> {
  const data = parseReviewInput(ManualTimelineEventPatchSchema, patch, 'timeline event');
  return auditedWrite(store, { actor: write.actor, operation: 'timeline.edit' }, async (tx) => {
    const stamp = stampOf(write);
    const before = (await getTimelineEvent(tx.db, incidentId, eventId)) ?? null;
    await beginEdit(tx, incidentId, stamp);
    const current = await requireManualEvent(tx, incidentId, eventId);
    const next: ManualTimelineEvent = { ...current, ...definedOnly(data) };
    if (data.at) next.at = new Date(data.at).toISOString();
    const edited = await updateTimelineEvent(tx.db, current, next, stamp);
    return { result: edited, entityId: eventId, before, after: edited };
  });
}

/** Deletes a hand-written event (events built from data can only be hidden). */
export async function deleteTimelineEvent(store: OpenedStore, incidentId: string, eventId: string, write: ReviewWrite): Promise<void> {
  return auditedWrite(store, { actor: write.actor, operation: 'timeline.delete' }, async (tx) => {
    const stamp = stampOf(write);
    const before = (await getTimelineEvent(tx.db, incidentId, eventId)) ?? null;
    await beginEdit(tx, incidentId, stamp);
    await deleteStoredEvent(tx.db, await requireManualEvent(tx, incidentId, eventId), stamp);
    return { result: undefined, entityId: eventId, before, after: null };
  });
}

/**
 * Annotates an event derived from the data (phase tag, key moment, hidden with a reason, note,
 * evidence). The caller checks that `eventId` is an event of the incident's derived timeline.
 */
export async function annotateTimelineEvent(store: OpenedStore, incidentId: string, eventId: string, patch: TimelineAnnotationPatch, write: ReviewWrite): Promise<TimelineAnnotation> {
  const data = parseReviewInput(TimelineAnnotationPatchSchema, patch, 'annotation');
  if (data.hidden && !data.hiddenReason?.trim()) throw new UsageError('hiding an event needs a reason');
  return auditedWrite(store, { actor: write.actor, operation: 'timeline.annotate' }, async (tx) => {
    const stamp = stampOf(write);
    const stored = await getAnnotation(tx.db, incidentId, eventId);
    await beginEdit(tx, incidentId, stamp);
    const current: TimelineAnnotation = stored ?? { incidentId, eventId, phase: null, keyMoment: null, hidden: false, hiddenReason: null, note: null, evidence: [], version: 0, updatedBy: write.actor, updatedAt: stamp.at };
    const next: TimelineAnnotation = { ...current, ...definedOnly(data) };
    if (data.hidden === false) next.hiddenReason = null;
    const annotated = stored ? await updateAnnotation(tx.db, current, next, stamp) : await insertAnnotation(tx.db, current, next, stamp);
    return { result: annotated, entityId: `${incidentId}/${eventId}`, before: stored ?? null, after: annotated };
  });
}

async function requireManualEvent(tx: OpenedStore, incidentId: string, eventId: string): Promise<ManualTimelineEvent> {
  const event = await getTimelineEvent(tx.db, incidentId, eventId);
  if (!event) throw new NotFoundError(`no hand-written timeline event "${eventId}" in incident ${incidentId}${eventId.startsWith('ev_') ? ' (events built from data cannot be edited or deleted, only annotated)' : ''}`);
  return event;
}
