import {
  ALERT_STATUS_VALUES,
  CLASSIFICATION_VALUES,
  DETERMINATION_VALUES,
  INCIDENT_STATUS_VALUES,
  SEVERITY_VALUES,
  severityRank,
} from '../model/enums.js';
import type { Alert, Comment, Incident } from '../model/incident.js';
import { mapGraphEvidence } from './graph-evidence.js';
import { alertsResolvedAt, deriveHistory, earliest, latest } from './history.js';
import { dedupe, objectAt, optArray, optEnum, optId, optString, optTime, prop, reqId, reqTime, stringArray, type JsonObject, type Where } from './fields.js';

export const DEFENDER_SOURCE = 'microsoft-defender';

/** Is this Graph record an alert (alerts_v2) rather than an incident? */
export function isGraphAlert(obj: JsonObject): boolean {
  const odata = prop(obj, '@odata.type').value;
  if (typeof odata === 'string') {
    if (/\.alert$/i.test(odata)) return true;
    if (/\.incident$/i.test(odata)) return false;
  }
  if ('alerts' in obj || 'displayName' in obj) return false;
  return 'title' in obj || 'evidence' in obj || 'incidentId' in obj || 'providerAlertId' in obj;
}

/** The field names a source uses for a comment's author, time and text. */
export interface CommentFields {
  author: string;
  time: string;
  text: string;
}

/** Graph alertComment: `{comment, createdByDisplayName, createdDateTime}`. */
export const GRAPH_COMMENT_FIELDS: CommentFields = { author: 'createdByDisplayName', time: 'createdDateTime', text: 'comment' };

/** A record's `comments` array. A comment without a time takes `fallbackTime`. */
export function parseComments(obj: JsonObject, where: Where, fallbackTime: string, fields: CommentFields = GRAPH_COMMENT_FIELDS): Comment[] {
  const { items, where: at } = optArray(obj, 'comments', where);
  return items.map((item, i) => {
    const w = at.index(i);
    const c = objectAt(item, w);
    return {
      author: optString(c, fields.author, w),
      createdAt: optTime(c, fields.time, w) ?? fallbackTime,
      text: optString(c, fields.text, w) ?? '',
    };
  });
}

/** One Graph security alert (alerts_v2 resource). */
export function parseGraphAlert(obj: JsonObject, where: Where): Alert {
  const sourceId = reqId(obj, 'id', where);
  const createdAt = reqTime(obj, 'createdDateTime', where);
  const updatedAt = optTime(obj, 'lastUpdateDateTime', where) ?? createdAt;
  const status = optEnum(obj, 'status', ALERT_STATUS_VALUES, where) ?? 'unknown';
  const resolvedAt = optTime(obj, 'resolvedDateTime', where);
  const assignedTo = optString(obj, 'assignedTo', where);
  const classification = optEnum(obj, 'classification', CLASSIFICATION_VALUES, where);
  const determination = optEnum(obj, 'determination', DETERMINATION_VALUES, where);
  const comments = parseComments(obj, where, updatedAt);
  const evidence = optArray(obj, 'evidence', where);
  return {
    sourceId,
    providerAlertId: optId(obj, 'providerAlertId', where),
    title: optString(obj, 'title', where) ?? `Alert ${sourceId}`,
    description: optString(obj, 'description', where),
    severity: optEnum(obj, 'severity', SEVERITY_VALUES, where) ?? 'unknown',
    status,
    classification,
    determination,
    category: optString(obj, 'category', where),
    serviceSource: optString(obj, 'serviceSource', where),
    detectionSource: optString(obj, 'detectionSource', where),
    detectorId: optString(obj, 'detectorId', where),
    productName: optString(obj, 'productName', where),
    assignedTo,
    actorDisplayName: optString(obj, 'actorDisplayName', where),
    threatDisplayName: optString(obj, 'threatDisplayName', where),
    threatFamilyName: optString(obj, 'threatFamilyName', where),
    createdAt,
    updatedAt,
    firstActivityAt: optTime(obj, 'firstActivityDateTime', where),
    lastActivityAt: optTime(obj, 'lastActivityDateTime', where),
    resolvedAt,
    techniques: dedupe(stringArray(obj, 'mitreTechniques', where)),
    recommendedActions: optString(obj, 'recommendedActions', where),
    webUrl: optString(obj, 'alertWebUrl', where),
    evidence: evidence.items.map((e, i) => mapGraphEvidence(e, evidence.where.index(i))),
    comments,
    statusHistory: deriveHistory({ kind: 'alert', status, createdAt, updatedAt, resolvedAt, assignedTo, classification, determination, comments }),
    raw: obj,
  };
}

/** One Graph security incident, with or without `alerts` expanded. */
export function parseGraphIncident(obj: JsonObject, where: Where): Incident {
  const sourceId = reqId(obj, 'id', where);
  const createdAt = reqTime(obj, 'createdDateTime', where);
  const updatedAt = optTime(obj, 'lastUpdateDateTime', where) ?? createdAt;
  const alertItems = optArray(obj, 'alerts', where);
  const alerts = alertItems.items.map((a, i) => {
    const w = alertItems.where.index(i);
    return parseGraphAlert(objectAt(a, w), w);
  });
  const status = optEnum(obj, 'status', INCIDENT_STATUS_VALUES, where) ?? 'active';
  const severity = optEnum(obj, 'severity', SEVERITY_VALUES, where) ?? highestSeverity(alerts);
  const assignedTo = optString(obj, 'assignedTo', where);
  const classification = optEnum(obj, 'classification', CLASSIFICATION_VALUES, where);
  const determination = optEnum(obj, 'determination', DETERMINATION_VALUES, where);
  const resolvedAt = status === 'resolved' ? incidentResolvedAt(alerts, createdAt, updatedAt) : null;
  const comments = parseComments(obj, where, updatedAt);
  const resolving = optString(obj, 'resolvingComment', where);
  if (resolving) comments.push({ author: assignedTo, createdAt: resolvedAt ?? updatedAt, text: resolving });
  // Every field of the model is set here (the Incident type requires them all) from values the
  // readers above have already checked, so no second validation pass is needed.
  return {
    source: DEFENDER_SOURCE,
    sourceFormat: 'graph',
    sourceId,
    tenantId: optString(obj, 'tenantId', where),
    title: optString(obj, 'displayName', where) ?? `Incident ${sourceId}`,
    description: optString(obj, 'description', where),
    summary: optString(obj, 'summary', where),
    severity,
    status,
    classification,
    determination,
    assignedTo,
    createdAt,
    updatedAt,
    resolvedAt,
    tags: dedupe([...stringArray(obj, 'customTags', where), ...stringArray(obj, 'systemTags', where)]),
    webUrl: optString(obj, 'incidentWebUrl', where),
    redirectIncidentId: optId(obj, 'redirectIncidentId', where),
    alerts,
    comments,
    statusHistory: deriveHistory({ kind: 'incident', status, createdAt, updatedAt, resolvedAt, assignedTo, classification, determination, comments }),
    partial: false,
    raw: obj,
  };
}

type AlertTimes = Pick<Alert, 'title' | 'severity' | 'status' | 'createdAt' | 'updatedAt' | 'resolvedAt'>;

/**
 * The own fields of an incident made of standalone alerts: title from the earliest alert, severity
 * the highest, status derived (all resolved -> resolved; any in progress or resolved -> inProgress;
 * else active), created at the earliest alert, updated at the latest alert update, and the history
 * those imply. The store applies it again when more alerts of the incident arrive later.
 */
export function derivePartialIncident(alerts: readonly AlertTimes[]): Pick<Incident, 'title' | 'severity' | 'status' | 'createdAt' | 'updatedAt' | 'resolvedAt' | 'statusHistory'> {
  const list = [...alerts].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  const createdAt = earliest(list.map((a) => a.createdAt))!;
  const updatedAt = latest(list.map((a) => a.updatedAt))!;
  const status = list.every((a) => a.status === 'resolved') ? 'resolved' : list.some((a) => a.status === 'inProgress' || a.status === 'resolved') ? 'inProgress' : 'active';
  const resolvedAt = status === 'resolved' ? incidentResolvedAt(list, createdAt, updatedAt) : null;
  const statusHistory = deriveHistory({ kind: 'incident', status, createdAt, updatedAt, resolvedAt, assignedTo: null, classification: null, determination: null, comments: [] });
  return { title: list[0]!.title, severity: highestSeverity(list), status, createdAt, updatedAt, resolvedAt, statusHistory };
}

/** Resolution time of a resolved incident: the last alert resolution if it lies in the incident's lifetime, else the last update. */
export function incidentResolvedAt(alerts: readonly Pick<Alert, 'status' | 'resolvedAt'>[], createdAt: string, updatedAt: string): string {
  const fromAlerts = alertsResolvedAt(alerts);
  return fromAlerts && fromAlerts >= createdAt && fromAlerts <= updatedAt ? fromAlerts : updatedAt;
}

export function highestSeverity(alerts: readonly Pick<Alert, 'severity'>[]): string {
  let best = 'unknown';
  for (const a of alerts) if (severityRank(a.severity) > severityRank(best)) best = a.severity;
  return best;
}
