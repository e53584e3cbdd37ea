import { createHash } from 'node:crypto';
import type { Alert, Incident, ResponsePhase, TimelineEvent } from '../model/index.js';

/**
 * The sequence of events of an incident, merged from the alerts' first and last activity, their
 * creation and resolution, evidence timestamps, status changes and comments, in time order.
 * Pure: derived events get deterministic ids so a review can refer to them across rebuilds.
 */
export function buildTimeline(incident: Incident): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const push = (e: Omit<TimelineEvent, 'id' | 'origin' | 'phaseSource' | 'keyMoment' | 'actor' | 'techniques' | 'detail' | 'alertId' | 'phase'> & Partial<TimelineEvent>) => {
    const event: TimelineEvent = {
      detail: null,
      alertId: null,
      techniques: [],
      origin: 'data',
      phase: null,
      phaseSource: null,
      keyMoment: false,
      actor: null,
      ...e,
      id: '',
    };
    event.id = eventId(event);
    events.push(event);
  };

  push({ at: incident.createdAt, kind: 'incident-created', title: `Incident created: ${incident.title}`, phase: 'detection', phaseSource: 'status' });

  for (const alert of incident.alerts) {
    const base = { alertId: alert.sourceId, techniques: alert.techniques };
    if (alert.firstActivityAt) {
      push({ ...base, at: alert.firstActivityAt, kind: 'activity-start', title: `Activity began: ${alert.title}`, detail: describeEvidence(alert) });
    }
    if (alert.lastActivityAt && alert.lastActivityAt !== alert.firstActivityAt) {
      push({ ...base, at: alert.lastActivityAt, kind: 'activity-end', title: `Last activity: ${alert.title}` });
    }
    push({
      ...base,
      at: alert.createdAt,
      kind: 'alert-created',
      title: `Alert raised (${alert.severity}): ${alert.title}`,
      detail: [alert.detectionSource ?? alert.serviceSource, alert.productName].filter(Boolean).join(' · ') || null,
      phase: 'detection',
      phaseSource: 'status',
    });
    for (const entity of alert.evidence) {
      if (!entity.createdAt || entity.createdAt === alert.createdAt) continue;
      push({ ...base, techniques: [], at: entity.createdAt, kind: 'evidence', title: `Evidence recorded: ${entity.kind} ${entity.displayName}`, detail: entity.roles.length ? `roles: ${entity.roles.join(', ')}` : null });
    }
    for (const change of alert.statusHistory) {
      if (change.field === 'status' && change.to && change.to.toLowerCase() === 'new' && change.at === alert.createdAt) continue;
      if (change.field === 'status' && change.to?.toLowerCase() === 'resolved') {
        push({ ...base, techniques: [], at: change.at, kind: 'alert-resolved', title: `Alert resolved: ${alert.title}`, actor: change.by });
        continue;
      }
      push({ ...base, techniques: [], at: change.at, kind: 'status-change', title: `Alert ${change.field}: ${change.from ?? '—'} → ${change.to ?? '—'} (${alert.title})`, actor: change.by, phase: phaseOfChange(change.field, change.to), phaseSource: phaseOfChange(change.field, change.to) ? 'status' : null });
    }
    if (alert.resolvedAt && !alert.statusHistory.some((c) => c.field === 'status' && c.to?.toLowerCase() === 'resolved')) {
      push({ ...base, techniques: [], at: alert.resolvedAt, kind: 'alert-resolved', title: `Alert resolved: ${alert.title}` });
    }
    for (const comment of alert.comments) {
      const phase = inferPhase(comment.text);
      push({ ...base, techniques: [], at: comment.createdAt, kind: 'comment', title: `Comment on alert "${alert.title}"`, detail: comment.text, actor: comment.author, phase, phaseSource: phase ? 'inferred' : null });
    }
  }

  for (const change of incident.statusHistory) {
    if (change.field === 'status' && change.at === incident.createdAt && change.from === null) continue;
    if (change.field === 'status' && change.to?.toLowerCase() === 'resolved') {
      push({ at: change.at, kind: 'incident-resolved', title: 'Incident resolved', actor: change.by, phase: 'recovery', phaseSource: 'status' });
      continue;
    }
    const phase = phaseOfChange(change.field, change.to);
    push({ at: change.at, kind: 'status-change', title: `Incident ${change.field}: ${change.from ?? '—'} → ${change.to ?? '—'}`, actor: change.by, phase, phaseSource: phase ? 'status' : null });
  }
  if (incident.resolvedAt && !incident.statusHistory.some((c) => c.field === 'status' && c.to?.toLowerCase() === 'resolved')) {
    push({ at: incident.resolvedAt, kind: 'incident-resolved', title: 'Incident resolved', phase: 'recovery', phaseSource: 'status' });
  }
  for (const comment of incident.comments) {
    const phase = inferPhase(comment.text);
    push({ at: comment.createdAt, kind: 'comment', title: 'Comment on incident', detail: comment.text, actor: comment.author, phase, phaseSource: phase ? 'inferred' : null });
  }

  events.sort(compareEvents);
  markKeyMoments(events);
  return events;
}

const KIND_ORDER: Record<TimelineEvent['kind'], number> = {
  'activity-start': 0,
  evidence: 1,
  'activity-end': 2,
  'alert-created': 3,
  'incident-created': 4,
  'status-change': 5,
  comment: 6,
  manual: 7,
  'alert-resolved': 8,
  'incident-resolved': 9,
};

export function compareEvents(a: TimelineEvent, b: TimelineEvent): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  const k = KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  if (k !== 0) return k;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The first activity, the first alert, and the first event of each phase are key moments. */
function markKeyMoments(events: TimelineEvent[]): void {
  const seen = new Set<string>();
  for (const e of events) {
    const tag = e.kind === 'activity-start' ? 'first-activity' : e.kind === 'alert-created' ? 'first-alert' : e.phase ? `phase:${e.phase}` : null;
    if (tag && !seen.has(tag)) {
      seen.add(tag);
      e.keyMoment = true;
    }
  }
}

function eventId(e: TimelineEvent): string {
  const h = createHash('sha256').update([e.kind, e.at, e.alertId ?? '', e.title, e.detail ?? ''].join('\u0000')).digest('hex');
  return `ev_${h.slice(0, 12)}`;
}

function describeEvidence(alert: Alert): string | null {
  if (alert.evidence.length === 0) return null;
  const parts = alert.evidence.slice(0, 6).map((e) => `${e.kind} ${e.displayName}`);
  if (alert.evidence.length > 6) parts.push(`… ${alert.evidence.length - 6} more`);
  return parts.join('; ');
}

function phaseOfChange(field: string, to: string | null): ResponsePhase | null {
  const v = (to ?? '').toLowerCase();
  if (field === 'assignedTo' && v) return 'triage';
  if (field === 'status' && (v === 'inprogress' || v === 'active')) return 'triage';
  if (field === 'classification' && v) return 'triage';
  return null;
}

const PHASE_PATTERNS: [ResponsePhase, RegExp][] = [
  ['containment', /\b(isolat\w*|contain\w*|quarantin\w*|disabled?\b|block(ed|ing)?\b|revok\w*|reset\b|sign-?in blocked|cut off|segment\w*)/i],
  ['eradication', /\b(eradicat\w*|remov(ed|e|al)\b|clean(ed|up)?\b|purg\w*|delet(ed|e)\b|re-?imag\w*|wip(ed|e)\b|patch(ed)?\b|rotat\w*)/i],
  ['recovery', /\b(restor\w*|recover\w*|rejoin\w*|back online|brought back|returned to service|reconnect\w*|unisolat\w*|released from isolation)/i],
  ['notification', /\b(notif\w*|informed|regulator|DPO|legal|customers? (were )?told|disclos\w*|reported to)\b/i],
  ['triage', /\b(triag\w*|investigat\w*|assigned|escalat\w*|confirmed|true positive|analy[sz]\w*|acknowledg\w*)/i],
];

/** Infers the response phase a free-text note speaks of, or null. The first matching phase wins. */
export function inferPhase(text: string): ResponsePhase | null {
  for (const [phase, pattern] of PHASE_PATTERNS) if (pattern.test(text)) return phase;
  return null;
}
