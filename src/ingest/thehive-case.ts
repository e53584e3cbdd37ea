import type { Alert, Incident, StatusChange } from '../model/incident.js';
import type { JsonObject } from '../model/json.js';
import { objectAt, optArray, optString, stringArray, type Where } from './fields.js';
import { earliest, latest } from './history.js';
import { parseTheHiveAlert } from './thehive-alert.js';
import { byTime, classificationOf, isClosedStatus, observablesOf, proceduresOf, THEHIVE_SOURCE, taskTimeline, theHiveComments, theHiveId, theHiveSeverity, theHiveTime, theHiveTimeOf } from './thehive-common.js';

/** v1 case `stage` (TheHive 5) to Hindsight's incident status. */
const CASE_STAGE: Record<string, string> = { new: 'active', inprogress: 'inProgress', closed: 'resolved' };
/** `status` without a stage: TheHive 5's New/InProgress, TheHive 4's Open; closing statuses resolve. */
const CASE_STATUS: Record<string, string> = { new: 'active', inprogress: 'inProgress', open: 'active', deleted: 'deleted' };

/**
 * One TheHive case as the v1 API returns it (TheHive 5; TheHive 4's v1 `status` Open/Resolved with
 * `resolutionStatus`, and v0's `id`/`createdAt`/`owner`, where they differ). What the v1 API serves
 * from other endpoints may be embedded in the record: `observables`, `procedures` (or `ttps`),
 * `tasks` with their `logs`, `comments`, and the case's TheHive `alerts`.
 *
 * - The case's alerts are the embedded alerts; alert records with a `caseId` join it too. The case's
 *   own observables and procedures are one more alert, `<case id>/case`, so its entities and
 *   techniques are kept with the case (TheHive holds them on the case, not on an alert).
 * - Timeline: comments, task starts and ends, task logs. Status history from the stage dates
 *   (`newDate`, `inProgressDate`, `closedDate`/`endDate`), the closing status as classification.
 * - TheHive's own time measures (`timeToDetect`, `timeToTriage`, `timeToQualify`,
 *   `timeToAcknowledge`, `timeToResolve`, `handlingDuration`), TLP/PAP, custom fields and impact
 *   status stay in the incident's raw record, as TheHive gave them.
 */
export function parseTheHiveCase(obj: JsonObject, where: Where): Incident {
  const sourceId = theHiveId(obj, where);
  const createdAt = theHiveTimeOf(obj, ['_createdAt', 'createdAt'], where) ?? where.key('_createdAt').fail('required field "_createdAt" is missing');
  const stage = optString(obj, 'stage', where);
  const given = optString(obj, 'status', where);
  const status = stage ? (CASE_STAGE[stage.toLowerCase()] ?? stage) : given === null ? 'active' : isClosedStatus(given) ? 'resolved' : (CASE_STATUS[given.toLowerCase()] ?? given);
  // TheHive 5 closes with the classification as status; TheHive 4 with status Resolved and a resolutionStatus.
  const classification = classificationOf(isClosedStatus(given) ? given : null) ?? classificationOf(optString(obj, 'resolutionStatus', where));
  const inProgressAt = theHiveTime(obj, 'inProgressDate', where);
  const closedAt = theHiveTimeOf(obj, ['closedDate', 'endDate'], where);
  const alertItems = optArray(obj, 'alerts', where);
  const alerts: Alert[] = alertItems.items.map((a, i) => parseTheHiveAlert(objectAt(a, alertItems.where.index(i)), alertItems.where.index(i)));
  const updatedAt = latest([createdAt, theHiveTimeOf(obj, ['_updatedAt', 'updatedAt'], where), inProgressAt, closedAt].filter((t): t is string => t !== null))!;
  const resolvedAt = status === 'resolved' ? (closedAt ?? updatedAt) : null;
  const assignedTo = optString(obj, 'assignee', where) ?? optString(obj, 'owner', where);
  const severity = theHiveSeverity(obj, where);
  const comments = [...theHiveComments(obj, where, updatedAt), ...taskTimeline(obj, where, updatedAt)].sort(byTime);
  const title = optString(obj, 'title', where) ?? `Case ${sourceId}`;
  const own = caseEvidenceAlert(obj, where, { sourceId, title, severity, status, createdAt, updatedAt, resolvedAt, assignedTo });
  if (own && !alerts.some((a) => a.sourceId === own.sourceId)) alerts.push(own);

  const by = optString(obj, '_updatedBy', where) ?? assignedTo;
  const clamp = (t: string) => (t < createdAt ? createdAt : t);
  const history: StatusChange[] = [{ field: 'status', from: null, to: 'active', at: createdAt, by: optString(obj, '_createdBy', where), origin: 'source' }];
  let current = 'active';
  if (inProgressAt && status !== 'active') {
    history.push({ field: 'status', from: current, to: 'inProgress', at: clamp(inProgressAt), by: assignedTo, origin: 'source' });
    current = 'inProgress';
  }
  if (status !== current && status !== 'active') history.push({ field: 'status', from: current, to: status, at: clamp(resolvedAt ?? updatedAt), by, origin: 'source' });
  if (classification) history.push({ field: 'classification', from: null, to: classification, at: clamp(resolvedAt ?? updatedAt), by, origin: 'source' });
  if (assignedTo) {
    const firstByAssignee = earliest(comments.filter((c) => c.author === assignedTo).map((c) => c.createdAt));
    history.push({ field: 'assignedTo', from: null, to: assignedTo, at: clamp(inProgressAt ?? firstByAssignee ?? updatedAt), by: null, origin: 'source' });
  }
  history.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

  return {
    source: THEHIVE_SOURCE,
    sourceFormat: 'thehive',
    sourceId,
    tenantId: null,
    title,
    description: optString(obj, 'description', where),
    summary: optString(obj, 'summary', where),
    severity,
    status,
    classification,
    determination: null,
    assignedTo,
    createdAt,
    updatedAt,
    resolvedAt,
    tags: stringArray(obj, 'tags', where),
    webUrl: null,
    redirectIncidentId: null,
    alerts,
    comments,
    statusHistory: history,
    partial: false,
    raw: obj,
  };
}

/** The case's own observables and TTPs as one alert (none when the case has neither). */
function caseEvidenceAlert(
  obj: JsonObject,
  where: Where,
  c: { sourceId: string; title: string; severity: string; status: string; createdAt: string; updatedAt: string; resolvedAt: string | null; assignedTo: string | null },
): Alert | null {
  const evidence = observablesOf(obj, where);
  const ttps = proceduresOf(obj, where);
  if (evidence.length === 0 && ttps.techniques.length === 0) return null;
  const status = c.status === 'active' ? 'new' : c.status;
  const history: StatusChange[] = [{ field: 'status', from: null, to: 'new', at: c.createdAt, by: null, origin: 'source' }];
  if (status !== 'new') history.push({ field: 'status', from: 'new', to: status, at: c.resolvedAt ?? c.updatedAt, by: c.assignedTo, origin: 'source' });
  const number = optString(obj, 'number', where) ?? optString(obj, 'caseId', where);
  return {
    sourceId: `${c.sourceId}/case`,
    providerAlertId: number,
    title: number ? `Case #${number}: ${c.title}` : c.title,
    description: 'Observables and TTPs recorded on the TheHive case',
    severity: c.severity,
    status,
    classification: null,
    determination: null,
    category: ttps.tactics[0] ?? null,
    serviceSource: 'TheHive',
    detectionSource: 'case',
    detectorId: null,
    productName: 'TheHive',
    assignedTo: c.assignedTo,
    actorDisplayName: null,
    threatDisplayName: null,
    threatFamilyName: null,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    firstActivityAt: theHiveTime(obj, 'startDate', where) ?? ttps.firstOccurred,
    lastActivityAt: null,
    resolvedAt: c.resolvedAt,
    techniques: ttps.techniques,
    recommendedActions: null,
    webUrl: null,
    evidence,
    comments: [],
    statusHistory: history,
    raw: { observables: obj.observables ?? obj.artifacts ?? null, procedures: obj.procedures ?? obj.ttps ?? null },
  };
}
