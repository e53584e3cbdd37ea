import { createHash } from 'node:crypto';
import type { Alert, Entity, Incident, ResponsePhase, TimelineEvent } from '../model/index.js';

/**
 * The sequence of events of an incident, merged from the alerts' first and last activity, their
 * creation and resolution, evidence timestamps, status changes and comments, in time order.
 * Pure: derived events get deterministic ids so a review can refer to them across rebuilds.
 */
export function buildTimeline(incident: Incident): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const push = (e: Omit<TimelineEvent, 'id' | 'origin' | 'phaseSource' | 'keyMoment' | 'actor' | 'techniques' | 'detail' | 'alertId' | 'phase'> & Partial<TimelineEvent>) => {
    // Every event built with the same keys in the same order: one object shape for all of them.
    const event: TimelineEvent = {
      id: '',
      at: e.at,
      kind: e.kind,
      title: e.title,
      detail: e.detail ?? null,
      alertId: e.alertId ?? null,
      techniques: e.techniques ?? [],
      origin: e.origin ?? 'data',
      phase: e.phase ?? null,
      phaseSource: e.phaseSource ?? null,
      keyMoment: e.keyMoment ?? false,
      actor: e.actor ?? null,
    };
    event.id = eventId(event);
    events.push(event);
    return event;
  };
  /** What each alert change was, for reading a burst of them as one event. */
  const changes = new Map<TimelineEvent, { label: string; alertTitle: string }>();

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
      for (const moment of evidenceMoments(entity)) {
        push({ ...base, techniques: [], at: moment.at, kind: 'evidence', title: moment.title, detail: moment.detail });
      }
    }
    for (const change of alert.statusHistory) {
      if (change.field === 'status' && change.to && change.to.toLowerCase() === 'new' && change.at === alert.createdAt) continue;
      if (change.field === 'status' && change.to?.toLowerCase() === 'resolved') {
        changes.set(push({ ...base, techniques: [], at: change.at, kind: 'alert-resolved', title: `Alert resolved: ${alert.title}`, actor: change.by }), { label: 'resolved', alertTitle: alert.title });
        continue;
      }
      const e = push({ ...base, techniques: [], at: change.at, kind: 'status-change', title: `Alert ${change.field}: ${change.from ?? '—'} → ${change.to ?? '—'} (${alert.title})`, actor: change.by, phase: phaseOfChange(change.field, change.to), phaseSource: phaseOfChange(change.field, change.to) ? 'status' : null });
      changes.set(e, { label: `${change.field} → ${change.to ?? '—'}`, alertTitle: alert.title });
    }
    if (alert.resolvedAt && !alert.statusHistory.some((c) => c.field === 'status' && c.to?.toLowerCase() === 'resolved')) {
      changes.set(push({ ...base, techniques: [], at: alert.resolvedAt, kind: 'alert-resolved', title: `Alert resolved: ${alert.title}` }), { label: 'resolved', alertTitle: alert.title });
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
  const compacted = compactBursts(dedupeEvidence(events), changes);
  markKeyMoments(compacted);
  return compacted;
}

interface EvidenceMoment {
  at: string;
  title: string;
  detail: string | null;
}

/**
 * The times evidence itself records, where they say something happened: a process started, a
 * message arrived, a sign-in session began. (When the evidence was attached to the alert says
 * nothing about the attack and is left out.)
 */
function evidenceMoments(entity: Entity): EvidenceMoment[] {
  const a = entity.attributes;
  const out: EvidenceMoment[] = [];
  const time = (key: string): string | null => {
    const v = a[key];
    if (typeof v !== 'string') return null;
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : new Date(t).toISOString();
  };
  const processStart = entity.kind === 'process' ? time('processCreationDateTime') : null;
  if (processStart) {
    const image = a['imageFile.fileName'] ?? entity.displayName;
    const cmd = typeof a['processCommandLine'] === 'string' ? a['processCommandLine'] : null;
    out.push({ at: processStart, title: `Process started: ${String(image)}`, detail: cmd });
  }
  const received = entity.kind === 'mailMessage' ? time('receivedDateTime') : null;
  if (received) {
    const sender = a['p1Sender.emailAddress'] ?? a['p2Sender.emailAddress'] ?? a['senderFromAddress'] ?? null;
    const recipient = a['recipientEmailAddress'] ?? null;
    out.push({ at: received, title: `Email received: ${entity.displayName}`, detail: [sender ? `from ${String(sender)}` : '', recipient ? `to ${String(recipient)}` : ''].filter(Boolean).join(' ') || null });
  }
  const session = entity.kind === 'cloudLogonSession' ? time('startUtcDateTime') ?? time('sessionStartDateTime') : null;
  if (session) out.push({ at: session, title: `Sign-in session began: ${entity.displayName}`, detail: typeof a['userAgent'] === 'string' ? `user agent ${a['userAgent']}` : null });
  return out;
}

/** The same evidence moment reported by several alerts appears once. */
function dedupeEvidence(events: TimelineEvent[]): TimelineEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    if (e.kind !== 'evidence') return true;
    const k = `${e.at}\u0000${e.title}\u0000${e.detail ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Alert changes made in one go (the same moment) read as one event: "5 alerts updated by Aisha
 * Khan: resolved (5); classification → truePositive (5)". A moment touching one alert keeps its
 * events as they are.
 */
function compactBursts(events: TimelineEvent[], changes: Map<TimelineEvent, { label: string; alertTitle: string }>): TimelineEvent[] {
  const byMoment = new Map<string, TimelineEvent[]>();
  for (const e of events) {
    if (!changes.has(e)) continue;
    const list = byMoment.get(e.at) ?? [];
    list.push(e);
    byMoment.set(e.at, list);
  }
  const replaced = new Set<TimelineEvent>();
  const summaries = new Map<TimelineEvent, TimelineEvent>();
  for (const group of byMoment.values()) {
    const alerts = new Set(group.map((e) => e.alertId));
    if (alerts.size < 2) continue;
    for (const e of group) replaced.add(e);
    summaries.set(group[0] as TimelineEvent, summariseBurst(group, alerts.size, changes));
  }
  const out: TimelineEvent[] = [];
  for (const e of events) {
    const summary = summaries.get(e);
    if (summary) out.push(summary);
    else if (!replaced.has(e)) out.push(e);
  }
  return out;
}

function summariseBurst(group: TimelineEvent[], alertCount: number, changes: Map<TimelineEvent, { label: string; alertTitle: string }>): TimelineEvent {
  const counts = new Map<string, number>();
  const titles = new Set<string>();
  for (const e of group) {
    const info = changes.get(e);
    if (!info) continue;
    counts.set(info.label, (counts.get(info.label) ?? 0) + 1);
    titles.add(info.alertTitle);
  }
  const actors = [...new Set(group.map((e) => e.actor).filter((a): a is string => Boolean(a)))];
  const phases = group.map((e) => e.phase).filter((p): p is NonNullable<TimelineEvent['phase']> => p !== null);
  const summary = [...counts.entries()].map(([label, n]) => `${label} (${n})`).join('; ');
  const event: TimelineEvent = {
    id: '',
    at: group[0]?.at as string,
    kind: group.some((e) => e.kind === 'alert-resolved') ? 'alert-resolved' : 'status-change',
    title: `${alertCount} alerts updated${actors.length ? ` by ${actors.join(', ')}` : ''}: ${summary}`,
    detail: [...titles].join('; ') || null,
    alertId: null,
    techniques: [],
    origin: 'data',
    phase: phases[0] ?? null,
    phaseSource: phases.length ? 'status' : null,
    keyMoment: false,
    actor: actors[0] ?? null,
  };
  event.id = eventId(event);
  return event;
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
