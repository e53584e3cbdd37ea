import { ALERT_STATUS_VALUES, normaliseEnum, SEVERITY_VALUES } from '../model/enums.js';
import type { Alert, Comment, Entity, EntityKind, Incident } from '../model/incident.js';
import { flattenAttributes } from './graph-evidence.js';
import { DEFENDER_SOURCE, highestSeverity } from './graph.js';
import { deriveHistory } from './history.js';
import { dedupe, describe, objectAt, optArray, optString, optTime, prop, reqTime, stableHash, stringArray, type JsonObject, type Where } from './fields.js';

/**
 * Microsoft Sentinel incidents as Azure Resource Manager gives them (`Microsoft.SecurityInsights`
 * Incidents - List, with each incident's alerts, entities and comments), mapped to the model.
 * Every field sits in the ARM envelope's `properties`; enumerations are PascalCase.
 */

export const SENTINEL_SOURCE = 'microsoft-sentinel';

/** What the connector fetched beside an incident (the file importer has only the incident). */
export interface SentinelRelated {
  /** `POST .../incidents/{id}/alerts` answer's `value`. */
  alerts?: unknown[];
  /** `POST .../incidents/{id}/entities` answer's `entities`. */
  entities?: unknown[];
  /** `GET .../incidents/{id}/comments` answers' `value`s. */
  comments?: unknown[];
}

/** Sentinel's New/Active/Closed as Defender XDR's unified portal pairs them with its own statuses. */
const INCIDENT_STATUS: Record<string, string> = { new: 'active', active: 'inProgress', closed: 'resolved' };
const ALERT_STATUS: Record<string, string> = { new: 'new', inprogress: 'inProgress', resolved: 'resolved', dismissed: 'resolved' };
const CLASSIFICATION: Record<string, string> = { truepositive: 'truePositive', falsepositive: 'falsePositive', benignpositive: 'informationalExpectedActivity', undetermined: 'unknown' };

/** Providers whose incidents are Defender XDR incidents (the unified portal): one incident in Hindsight whichever connector brings it. */
const DEFENDER_PROVIDERS = /^(microsoft xdr|microsoft 365 defender|microsoft defender xdr)$/i;

/** Is this record a Sentinel incident (an ARM resource of type Microsoft.SecurityInsights/incidents)? */
export function isSentinelIncident(obj: JsonObject): boolean {
  const type = prop(obj, 'type').value;
  if (typeof type === 'string') return /Microsoft\.SecurityInsights\/incidents$/i.test(type);
  const properties = prop(obj, 'properties').value;
  return typeof properties === 'object' && properties !== null && 'incidentNumber' in properties;
}

export function parseSentinelIncident(obj: JsonObject, where: Where, related: SentinelRelated = {}): Incident {
  const name = optString(obj, 'name', where);
  const pw = where.key('properties');
  const p = propertiesOf(obj, where);
  const createdAt = reqTime(p, 'createdTimeUtc', pw);
  const updatedAt = optTime(p, 'lastModifiedTimeUtc', pw) ?? createdAt;
  const incidentNumber = optString(p, 'incidentNumber', pw);
  const sourceId = name ?? incidentNumber ?? where.fail('an incident needs "name" or "properties.incidentNumber"');
  const rawStatus = optString(p, 'status', pw);
  const status = rawStatus ? (INCIDENT_STATUS[rawStatus.toLowerCase()] ?? camel(rawStatus)) : 'active';
  const rawClassification = optString(p, 'classification', pw);
  const classification = rawClassification ? (CLASSIFICATION[rawClassification.toLowerCase()] ?? camel(rawClassification)) : null;
  const reason = optString(p, 'classificationReason', pw);
  const determination = reason ? camel(reason) : null;
  const assignedTo = ownerOf(p, pw);
  const alerts = parseList(related.alerts, where.key('alerts'), parseSentinelAlert);
  const entities = parseList(related.entities, where.key('entities'), mapSentinelEntity);
  // The entities endpoint answers for the incident, not per alert: they join its earliest alert.
  if (alerts.length > 0 && entities.length > 0) alerts[0]!.evidence = dedupeEntities([...alerts[0]!.evidence, ...entities]);
  const severity = normaliseEnum(optString(p, 'severity', pw), SEVERITY_VALUES) ?? highestSeverity(alerts);
  const resolvedAt = status === 'resolved' ? updatedAt : null;
  const comments = parseList(related.comments, where.key('comments'), parseSentinelComment);
  const closing = optString(p, 'classificationComment', pw);
  if (closing) comments.push({ author: assignedTo, createdAt: resolvedAt ?? updatedAt, text: closing });
  comments.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  const additional = prop(p, 'additionalData').value;
  const extra = typeof additional === 'object' && additional !== null && !Array.isArray(additional) ? (additional as JsonObject) : {};
  const labels = optArray(p, 'labels', pw).items.map((l, i) => optString(objectAt(l, pw.key('labels').index(i)), 'labelName', pw.key('labels').index(i))).filter((l): l is string => l !== null);
  const tactics = stringArray(extra, 'tactics', pw.key('additionalData')).map((t) => `tactic:${tacticShortname(t)}`);
  const techniques = stringArray(extra, 'techniques', pw.key('additionalData'));
  // Techniques the incident names that none of its alerts carries still count: they go to its earliest alert.
  const missing = techniques.filter((t) => !alerts.some((a) => a.techniques.includes(t)));
  if (alerts.length > 0 && missing.length > 0) alerts[0]!.techniques = dedupe([...alerts[0]!.techniques, ...missing]);
  const provider = optString(p, 'providerName', pw);
  const providerIncidentId = optString(p, 'providerIncidentId', pw);
  const fromDefender = provider !== null && DEFENDER_PROVIDERS.test(provider) && providerIncidentId !== null;
  return {
    source: fromDefender ? DEFENDER_SOURCE : SENTINEL_SOURCE,
    sourceFormat: 'sentinel',
    sourceId: fromDefender ? providerIncidentId : sourceId,
    tenantId: null,
    title: optString(p, 'title', pw) ?? `Incident ${incidentNumber ?? sourceId}`,
    description: optString(p, 'description', pw),
    summary: null,
    severity,
    status,
    classification,
    determination,
    assignedTo,
    createdAt,
    updatedAt,
    resolvedAt,
    tags: dedupe([...labels, ...tactics, ...(incidentNumber ? [`sentinel:${incidentNumber}`] : [])]),
    webUrl: optString(p, 'incidentUrl', pw),
    redirectIncidentId: null,
    alerts,
    comments,
    statusHistory: deriveHistory({ kind: 'incident', status, createdAt, updatedAt, resolvedAt, assignedTo, classification, determination, comments }),
    partial: false,
    raw: obj,
  };
}

/** One `SecurityAlert` of `POST .../incidents/{id}/alerts`. */
export function parseSentinelAlert(value: unknown, where: Where): Alert {
  const obj = objectAt(value, where);
  const pw = where.key('properties');
  const p = propertiesOf(obj, where);
  const sourceId = optString(p, 'systemAlertId', pw) ?? optString(obj, 'name', where) ?? where.fail('an alert needs "name" or "properties.systemAlertId"');
  const createdAt = optTime(p, 'timeGenerated', pw) ?? reqTime(p, 'startTimeUtc', pw);
  const updatedAt = optTime(p, 'processingEndTime', pw) ?? createdAt;
  const rawStatus = optString(p, 'status', pw);
  const status = rawStatus ? (ALERT_STATUS[rawStatus.toLowerCase()] ?? normaliseEnum(rawStatus, ALERT_STATUS_VALUES) ?? 'unknown') : 'unknown';
  const resolvedAt = status === 'resolved' ? updatedAt : null;
  const steps = prop(p, 'remediationSteps').value;
  return {
    sourceId,
    providerAlertId: optString(p, 'providerAlertId', pw),
    title: optString(p, 'alertDisplayName', pw) ?? `Alert ${sourceId}`,
    description: optString(p, 'description', pw),
    severity: normaliseEnum(optString(p, 'severity', pw), SEVERITY_VALUES) ?? 'unknown',
    status,
    classification: null,
    determination: null,
    category: optString(p, 'alertType', pw),
    serviceSource: optString(p, 'productName', pw),
    detectionSource: optString(p, 'vendorName', pw),
    detectorId: optString(p, 'alertType', pw),
    productName: optString(p, 'productComponentName', pw) ?? optString(p, 'productName', pw),
    assignedTo: null,
    actorDisplayName: null,
    threatDisplayName: null,
    threatFamilyName: null,
    createdAt,
    updatedAt,
    firstActivityAt: optTime(p, 'startTimeUtc', pw),
    lastActivityAt: optTime(p, 'endTimeUtc', pw),
    resolvedAt,
    techniques: dedupe([...stringArray(p, 'techniques', pw), ...stringArray(p, 'subTechniques', pw)]),
    recommendedActions: Array.isArray(steps) ? steps.filter((s): s is string => typeof s === 'string').join('\n') || null : optString(p, 'remediationSteps', pw),
    webUrl: optString(p, 'alertLink', pw),
    evidence: [],
    comments: [],
    statusHistory: deriveHistory({ kind: 'alert', status, createdAt, updatedAt, resolvedAt, assignedTo: null, classification: null, determination: null, comments: [] }),
    raw: obj,
  };
}

/** One comment of `GET .../incidents/{id}/comments`. */
function parseSentinelComment(value: unknown, where: Where): Comment {
  const obj = objectAt(value, where);
  const pw = where.key('properties');
  const p = propertiesOf(obj, where);
  const author = prop(p, 'author').value;
  const a = typeof author === 'object' && author !== null && !Array.isArray(author) ? (author as JsonObject) : {};
  return {
    author: optString(a, 'name', pw) ?? optString(a, 'userPrincipalName', pw) ?? optString(a, 'email', pw),
    createdAt: reqTime(p, 'createdTimeUtc', pw),
    text: optString(p, 'message', pw) ?? '',
  };
}

const ENTITY_KINDS: Record<string, { kind: EntityKind; keys: string[] }> = {
  account: { kind: 'user', keys: ['userPrincipalName', 'aadUserId', 'accountName', 'sid'] },
  host: { kind: 'device', keys: ['azureID', 'hostName', 'netBiosName'] },
  ip: { kind: 'ip', keys: ['address'] },
  url: { kind: 'url', keys: ['url'] },
  file: { kind: 'file', keys: ['fileName'] },
  filehash: { kind: 'file', keys: ['hashValue'] },
  process: { kind: 'process', keys: ['processId', 'commandLine'] },
  registrykey: { kind: 'registryKey', keys: ['key'] },
  registryvalue: { kind: 'registryValue', keys: ['valueName'] },
  cloudapplication: { kind: 'cloudApplication', keys: ['appId', 'appName'] },
  dnsresolution: { kind: 'dns', keys: ['domainName'] },
  malware: { kind: 'malware', keys: ['malwareName'] },
  mailbox: { kind: 'mailbox', keys: ['mailboxPrimaryAddress', 'upn'] },
  mailmessage: { kind: 'mailMessage', keys: ['internetMessageId', 'networkMessageId'] },
  mailcluster: { kind: 'mailCluster', keys: ['networkMessageIds', 'query'] },
  azureresource: { kind: 'azureResource', keys: ['resourceId'] },
  securitygroup: { kind: 'securityGroup', keys: ['objectGuid', 'distinguishedName'] },
  iotdevice: { kind: 'device', keys: ['deviceId'] },
};

/** One entity of `POST .../incidents/{id}/entities` (`{kind, properties}`). */
export function mapSentinelEntity(value: unknown, where: Where): Entity {
  const obj = objectAt(value, where);
  const sourceType = optString(obj, 'kind', where) ?? 'Unknown';
  const pw = where.key('properties');
  const pv = prop(obj, 'properties').value;
  const p = pv === undefined || pv === null ? {} : objectAt(pv, pw);
  const attributes = flattenAttributes(p);
  const known = ENTITY_KINDS[sourceType.toLowerCase()];
  const identity = accountOf(sourceType, attributes) ?? known?.keys.map((k) => attributes[k]).find((v) => v !== undefined && v !== null && v !== '');
  const key = identity !== undefined ? `${sourceType.toLowerCase()}:${String(identity).toLowerCase()}` : `${sourceType}:${stableHash(obj)}`;
  return {
    kind: known?.kind ?? 'other',
    sourceType,
    key,
    displayName: optString(p, 'friendlyName', pw) ?? (identity !== undefined ? String(identity) : key),
    roles: [],
    verdict: null,
    remediationStatus: null,
    createdAt: null,
    attributes,
    raw: obj,
  };
}

/**
 * An account known only by its name and NT domain (as the published Account entity examples give it):
 * `domain\\name`, so that two "administrator" accounts of different domains stay two.
 */
function accountOf(sourceType: string, a: Record<string, unknown>): string | undefined {
  if (sourceType.toLowerCase() !== 'account' || a.userPrincipalName || a.aadUserId || a.sid) return undefined;
  return typeof a.accountName === 'string' && typeof a.ntDomain === 'string' && a.ntDomain ? `${a.ntDomain}\\${a.accountName}` : undefined;
}

/** The owner's account as Hindsight shows an assignee: the UPN, else the e-mail, else the display name. */
function ownerOf(p: JsonObject, where: Where): string | null {
  const owner = prop(p, 'owner').value;
  if (owner === null || owner === undefined) return null;
  const o = objectAt(owner, where.key('owner'));
  return optString(o, 'userPrincipalName', where) ?? optString(o, 'email', where) ?? optString(o, 'assignedTo', where);
}

/** The ARM envelope's `properties`, which holds every field. */
function propertiesOf(obj: JsonObject, where: Where): JsonObject {
  const { value, name } = prop(obj, 'properties');
  if (value === undefined || value === null) return where.key(name).fail('required field "properties" is missing (expected an Azure Resource Manager resource)');
  return objectAt(value, where.key(name));
}

function parseList<T>(items: unknown[] | undefined, where: Where, parse: (value: unknown, where: Where) => T): T[] {
  if (items === undefined) return [];
  if (!Array.isArray(items)) return where.fail(`expected an array, got ${describe(items)}`);
  return items.map((item, i) => parse(item, where.index(i)));
}

function dedupeEntities(entities: Entity[]): Entity[] {
  const seen = new Set<string>();
  return entities.filter((e) => (seen.has(`${e.kind}|${e.key}`) ? false : (seen.add(`${e.kind}|${e.key}`), true)));
}

/** `SuspiciousActivity` -> `suspiciousActivity`: the model's spelling of enumerations it does not know. */
function camel(value: string): string {
  return value.charAt(0).toLowerCase() + value.slice(1);
}

/** A tactic as Sentinel names it (`InitialAccess`, `CommandAndControl`) to the knowledge base's shortname (`initial-access`). */
export function tacticShortname(tactic: string): string {
  return tactic
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[\s_]+/g, '-')
    .toLowerCase();
}
