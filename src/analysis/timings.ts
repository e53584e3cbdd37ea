import type { Incident, ResponsePhase, TimelineEvent } from '../model/index.js';
import { RESPONSE_PHASES } from '../model/index.js';

export interface Milestone {
  at: string;
  /** What the time was taken from, in words a reader can check. */
  basis: string;
}

export interface Duration {
  seconds: number;
  /** `2h 05m`, `3d 4h`. */
  text: string;
}

export interface ResponseTimings {
  firstActivity: Milestone | null;
  detected: Milestone | null;
  acknowledged: Milestone | null;
  contained: Milestone | null;
  resolved: Milestone | null;
  /** Detected minus first activity. */
  timeToDetect: Duration | null;
  /** Acknowledged minus detected. */
  timeToAcknowledge: Duration | null;
  /** Contained minus detected. */
  timeToContain: Duration | null;
  /** Resolved minus detected. */
  timeToResolve: Duration | null;
  /** First event of each response phase on the timeline. */
  phases: { phase: ResponsePhase; start: string; end: string | null; events: number }[];
}

/**
 * How the response went, from the incident and its timeline:
 * - first activity: the earliest alert first-activity time (else the earliest alert creation);
 * - detected: the earliest alert creation (else the incident's creation);
 * - acknowledged: the first sign a person took it up after detection: a status change to in
 *   progress, an assignment, a classification, or a comment;
 * - contained: the first timeline event in the containment phase (tagged by a person or
 *   inferred from a note such as "isolated the device");
 * - resolved: the incident's resolution time, else the last alert resolution when every alert is resolved.
 */
export function responseTimings(incident: Incident, timeline: TimelineEvent[]): ResponseTimings {
  const alerts = incident.alerts;
  const firstActivity = minBy(
    alerts.map((a) => ({ at: a.firstActivityAt ?? a.createdAt, basis: a.firstActivityAt ? `first activity of alert "${a.title}"` : `creation of alert "${a.title}" (no activity time given)` })),
  );
  const detected =
    minBy(alerts.map((a) => ({ at: a.createdAt, basis: `alert "${a.title}" raised` }))) ??
    { at: incident.createdAt, basis: 'incident created' };

  const ackCandidates: Milestone[] = [];
  for (const e of timeline) {
    if (e.at < detected.at) continue;
    if (e.kind === 'status-change' && /assignedTo|classification|status/.test(e.title) && e.phase === 'triage') {
      ackCandidates.push({ at: e.at, basis: e.title });
    } else if (e.kind === 'comment' || (e.origin === 'manual' && e.phase === 'triage')) {
      ackCandidates.push({ at: e.at, basis: `${e.kind === 'comment' ? 'first note' : 'triage event'}${e.actor ? ` by ${e.actor}` : ''}` });
    }
  }
  const acknowledged = minBy(ackCandidates);

  const containmentEvent = timeline.find((e) => e.phase === 'containment');
  const contained: Milestone | null = containmentEvent
    ? { at: containmentEvent.at, basis: `${containmentEvent.phaseSource === 'inferred' ? 'inferred from' : 'tagged'}: ${truncate(containmentEvent.detail ?? containmentEvent.title, 80)}` }
    : null;

  let resolved: Milestone | null = null;
  const resolvedEvent = timeline.find((e) => e.kind === 'incident-resolved');
  if (resolvedEvent) resolved = { at: resolvedEvent.at, basis: 'incident resolved' };
  else if (incident.resolvedAt) resolved = { at: incident.resolvedAt, basis: 'incident resolved' };
  else if (alerts.length > 0 && alerts.every((a) => a.resolvedAt)) {
    const last = alerts.map((a) => a.resolvedAt as string).sort().at(-1) as string;
    resolved = { at: last, basis: 'last alert resolved (incident not marked resolved)' };
  }

  return {
    firstActivity,
    detected,
    acknowledged,
    contained,
    resolved,
    timeToDetect: firstActivity ? duration(firstActivity.at, detected.at) : null,
    timeToAcknowledge: acknowledged ? duration(detected.at, acknowledged.at) : null,
    timeToContain: contained ? duration(detected.at, contained.at) : null,
    timeToResolve: resolved ? duration(detected.at, resolved.at) : null,
    phases: phaseSpans(timeline),
  };
}

function phaseSpans(timeline: TimelineEvent[]): ResponseTimings['phases'] {
  const spans: ResponseTimings['phases'] = [];
  for (const phase of RESPONSE_PHASES) {
    const events = timeline.filter((e) => e.phase === phase);
    if (events.length === 0) continue;
    const first = events[0] as TimelineEvent;
    const last = events[events.length - 1] as TimelineEvent;
    spans.push({ phase, start: first.at, end: last.at === first.at ? null : last.at, events: events.length });
  }
  return spans;
}

function minBy(items: Milestone[]): Milestone | null {
  let best: Milestone | null = null;
  for (const m of items) if (!best || m.at < best.at) best = m;
  return best;
}

export function duration(fromIso: string, toIso: string): Duration {
  const seconds = Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000);
  return { seconds, text: formatDuration(seconds) };
}

export function formatDuration(totalSeconds: number): string {
  const sign = totalSeconds < 0 ? '-' : '';
  let s = Math.abs(totalSeconds);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${sign}${d}d ${h}h ${String(m).padStart(2, '0')}m`;
  if (h > 0) return `${sign}${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${sign}${m}m ${String(s).padStart(2, '0')}s`;
  return `${sign}${s}s`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
