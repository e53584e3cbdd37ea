import type { Alert, Comment, StatusChange } from '../model/incident.js';

/**
 * Status history derived from a record's own timestamps (origin `source`). Sources ship no history,
 * so Hindsight records only what the timestamps prove, and places the rest sensibly:
 *
 * - alert: created (status -> `new`) at createdDateTime; resolved (-> `resolved`) at
 *   resolvedDateTime, or at lastUpdateDateTime when the status is resolved without one; any other
 *   current status (`inProgress`) at the first comment, else at lastUpdateDateTime.
 * - incident: created (-> `active`) at createdDateTime; resolved at the latest alert resolution
 *   (when it lies within the incident's lifetime) or else lastUpdateDateTime; other statuses
 *   (`inProgress`, `redirected`, ...) at the first comment, else lastUpdateDateTime.
 * - assignment (`assignedTo`): at the first comment written by the assignee (matched on display
 *   name or account), else at the first comment at all, else at lastUpdateDateTime; never before creation.
 * - classification/determination, when set and not `unknown`: at resolution, else lastUpdateDateTime.
 */
export function deriveHistory(input: {
  kind: 'incident' | 'alert';
  status: string;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  assignedTo: string | null;
  classification: string | null;
  determination: string | null;
  comments: Comment[];
}): StatusChange[] {
  const changes: StatusChange[] = [];
  const initial = input.kind === 'incident' ? 'active' : 'new';
  const firstComment = earliest(input.comments.map((c) => c.createdAt));
  const clamp = (t: string) => (t < input.createdAt ? input.createdAt : t);
  changes.push({ field: 'status', from: null, to: initial, at: input.createdAt, by: null, origin: 'source' });

  if (input.status === 'resolved') {
    changes.push({ field: 'status', from: initial, to: 'resolved', at: clamp(input.resolvedAt ?? input.updatedAt), by: input.assignedTo, origin: 'source' });
  } else if (input.status !== initial && input.status !== 'unknown') {
    changes.push({ field: 'status', from: initial, to: input.status, at: clamp(firstComment ?? input.updatedAt), by: input.assignedTo, origin: 'source' });
  }

  if (input.assignedTo) {
    const byAssignee = input.comments.filter((c) => samePerson(c.author, input.assignedTo)).map((c) => c.createdAt);
    const at = earliest(byAssignee) ?? firstComment ?? input.updatedAt;
    changes.push({ field: 'assignedTo', from: null, to: input.assignedTo, at: clamp(at), by: null, origin: 'source' });
  }
  for (const field of ['classification', 'determination'] as const) {
    const value = input[field];
    if (value && value.toLowerCase() !== 'unknown' && value.toLowerCase() !== 'notavailable') {
      changes.push({ field, from: null, to: value, at: clamp(input.resolvedAt ?? input.updatedAt), by: input.assignedTo, origin: 'source' });
    }
  }
  return changes.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** The latest alert resolution, if every alert is resolved; used as the incident's resolution time. */
export function alertsResolvedAt(alerts: readonly Pick<Alert, 'status' | 'resolvedAt'>[]): string | null {
  if (alerts.length === 0 || alerts.some((a) => a.status !== 'resolved' || !a.resolvedAt)) return null;
  return latest(alerts.map((a) => a.resolvedAt as string));
}

function samePerson(author: string | null, assignee: string | null): boolean {
  if (!author || !assignee) return false;
  const a = author.trim().toLowerCase();
  const b = assignee.trim().toLowerCase();
  if (a === b) return true;
  const local = (s: string) => s.split('@')[0]!.replace(/[._-]/g, ' ');
  return local(a) === local(b);
}

export function earliest(times: string[]): string | null {
  return times.length === 0 ? null : times.reduce((m, t) => (t < m ? t : m));
}

export function latest(times: string[]): string | null {
  return times.length === 0 ? null : times.reduce((m, t) => (t > m ? t : m));
}
