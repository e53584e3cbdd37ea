import { compareEvents } from '../analysis/timeline.js';
import type { TimelineEvent } from '../model/index.js';
import type { ManualTimelineEvent, TimelineAnnotation } from '../model/review.js';

/** A timeline event as the review shows it: data or hand-written, with the review's annotations. */
export interface ReviewTimelineEvent extends TimelineEvent {
  /** Evidence attached by the review team (references, file names, ticket links). */
  evidence: string[];
  note: string | null;
  hidden: boolean;
  hiddenReason: string | null;
  /** Version of the manual event, or of the annotation of a data event (0: never annotated). */
  version: number;
}

/**
 * Merges the events derived from the data with the review's annotations of them and its
 * hand-written events, in time order. Data events keep their time and title; an annotation can
 * only tag a phase (phaseSource `manual`), set or clear the key-moment flag, hide the event with
 * a reason, add a note or attach evidence. Annotations of events no longer derived are ignored.
 */
export function mergeTimeline(
  derived: TimelineEvent[],
  annotations: TimelineAnnotation[],
  manual: ManualTimelineEvent[],
): ReviewTimelineEvent[] {
  const byId = new Map(annotations.map((a) => [a.eventId, a]));
  // Built key by key rather than spread: one object shape for every event (the spread was the
  // largest single cost of building a review's timeline in the server's profile).
  const out: ReviewTimelineEvent[] = derived.map((e) => {
    const a = byId.get(e.id);
    return {
      id: e.id,
      at: e.at,
      kind: e.kind,
      title: e.title,
      detail: e.detail,
      alertId: e.alertId,
      techniques: e.techniques,
      origin: e.origin,
      phase: a?.phase ?? e.phase,
      phaseSource: a?.phase ? 'manual' : e.phaseSource,
      keyMoment: a?.keyMoment ?? e.keyMoment,
      actor: e.actor,
      evidence: a ? a.evidence : [],
      note: a ? a.note : null,
      hidden: a ? a.hidden : false,
      hiddenReason: a ? a.hiddenReason : null,
      version: a ? a.version : 0,
    };
  });
  for (const m of manual) {
    out.push({
      id: m.id,
      at: m.at,
      kind: 'manual',
      title: m.title,
      detail: m.detail,
      alertId: null,
      techniques: m.techniques,
      origin: 'manual',
      phase: m.phase,
      phaseSource: m.phase ? 'manual' : null,
      keyMoment: m.keyMoment,
      actor: m.actor,
      evidence: m.evidence,
      note: null,
      hidden: false,
      hiddenReason: null,
      version: m.version,
    });
  }
  out.sort(compareEvents);
  return out;
}

/** The events that count for timings and reports (hidden ones are left out). */
export function visibleEvents<T extends { hidden: boolean }>(events: T[]): T[] {
  return events.filter((e) => !e.hidden);
}
