import type { Alert, StatusChange } from '../model/incident.js';
import type { JsonObject } from '../model/json.js';
import { optString, type Where } from './fields.js';
import { latest } from './history.js';
import { classificationOf, isClosedStatus, observablesOf, proceduresOf, theHiveComments, theHiveId, theHiveSeverity, theHiveTime, theHiveTimeOf } from './thehive-common.js';

/** v1 alert `stage` (TheHive 5) to Hindsight's alert status. An imported alert is being handled in its case. */
const ALERT_STAGE: Record<string, string> = { new: 'new', inprogress: 'inProgress', imported: 'inProgress', closed: 'resolved' };
/** `status` without a stage: TheHive 5's open statuses and TheHive 4's New, Updated, Ignored, Imported. */
const ALERT_STATUS: Record<string, string> = { new: 'new', updated: 'new', inprogress: 'inProgress', imported: 'inProgress' };

/**
 * One TheHive alert as the v1 API returns it (TheHive 5, and TheHive 4 where it differs: v0's `id`,
 * `createdAt`, `case` and embedded `artifacts`). Its observables are the evidence, its procedures
 * (when embedded) the techniques; its comments, if embedded, the alert's own comments.
 */
export function parseTheHiveAlert(obj: JsonObject, where: Where): Alert {
  const sourceId = theHiveId(obj, where);
  const createdAt = theHiveTimeOf(obj, ['_createdAt', 'createdAt'], where) ?? where.key('_createdAt').fail('required field "_createdAt" is missing');
  const stage = optString(obj, 'stage', where);
  const given = optString(obj, 'status', where);
  const status = stage ? (ALERT_STAGE[stage.toLowerCase()] ?? stage) : given === null ? 'new' : isClosedStatus(given) ? 'resolved' : (ALERT_STATUS[given.toLowerCase()] ?? given);
  const classification = isClosedStatus(given) ? classificationOf(given) : null;
  const inProgressAt = theHiveTimeOf(obj, ['inProgressDate', 'importedDate'], where);
  const closedAt = theHiveTime(obj, 'closedDate', where);
  const updatedAt = latest([createdAt, theHiveTimeOf(obj, ['_updatedAt', 'updatedAt'], where), inProgressAt, closedAt].filter((t): t is string => t !== null))!;
  const resolvedAt = status === 'resolved' ? (closedAt ?? updatedAt) : null;
  const assignedTo = optString(obj, 'assignee', where) ?? optString(obj, 'owner', where);
  const by = optString(obj, '_updatedBy', where) ?? assignedTo;
  const ttps = proceduresOf(obj, where);
  const clamp = (t: string) => (t < createdAt ? createdAt : t);
  const history: StatusChange[] = [{ field: 'status', from: null, to: 'new', at: createdAt, by: null, origin: 'source' }];
  let current = 'new';
  if (inProgressAt && status !== 'new') {
    history.push({ field: 'status', from: current, to: 'inProgress', at: clamp(inProgressAt), by, origin: 'source' });
    current = 'inProgress';
  }
  if (status !== current && status !== 'new') history.push({ field: 'status', from: current, to: status, at: clamp(resolvedAt ?? updatedAt), by, origin: 'source' });
  if (classification) history.push({ field: 'classification', from: null, to: classification, at: clamp(resolvedAt ?? updatedAt), by, origin: 'source' });
  if (assignedTo) history.push({ field: 'assignedTo', from: null, to: assignedTo, at: clamp(inProgressAt ?? updatedAt), by: null, origin: 'source' });
  history.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const type = optString(obj, 'type', where);
  return {
    sourceId,
    providerAlertId: optString(obj, 'sourceRef', where),
    title: optString(obj, 'title', where) ?? `Alert ${sourceId}`,
    description: optString(obj, 'description', where),
    severity: theHiveSeverity(obj, where),
    status,
    classification,
    determination: null,
    category: ttps.tactics[0] ?? null,
    // `source` names the system that raised the alert (a SIEM, a mail gateway), `type` its kind.
    serviceSource: optString(obj, 'source', where),
    detectionSource: type,
    detectorId: null,
    productName: 'TheHive',
    assignedTo,
    actorDisplayName: null,
    threatDisplayName: null,
    threatFamilyName: null,
    createdAt,
    updatedAt,
    firstActivityAt: theHiveTime(obj, 'date', where) ?? ttps.firstOccurred,
    lastActivityAt: theHiveTime(obj, 'lastSyncDate', where),
    resolvedAt,
    techniques: ttps.techniques,
    recommendedActions: null,
    webUrl: optString(obj, 'externalLink', where),
    evidence: observablesOf(obj, where),
    comments: theHiveComments(obj, where, updatedAt),
    statusHistory: history,
    raw: obj,
  };
}

/** The case an alert was merged or imported into: v1 `caseId`, v0 `case`. */
export function alertCaseId(obj: JsonObject, where: Where): string | null {
  return optString(obj, 'caseId', where) ?? optString(obj, 'case', where);
}
