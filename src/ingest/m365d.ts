import {
  ALERT_STATUS_VALUES,
  CLASSIFICATION_VALUES,
  DETERMINATION_VALUES,
  EVIDENCE_REMEDIATION_STATUS_VALUES,
  EVIDENCE_VERDICT_VALUES,
  INCIDENT_STATUS_VALUES,
  SEVERITY_VALUES,
} from '../model/enums.js';
import type { Alert, Entity, EntityKind, Incident } from '../model/incident.js';
import { flattenAttributes } from './graph-evidence.js';
import { DEFENDER_SOURCE, highestSeverity, incidentResolvedAt, parseComments } from './graph.js';
import { deriveHistory } from './history.js';
import { dedupe, objectAt, optArray, optEnum, optId, optString, optTime, reqId, stableHash, stringArray, type JsonObject, type Where } from './fields.js';

/**
 * The older Microsoft 365 Defender API (`GET /api/incidents`): incidentId, incidentName,
 * createdTime, lastUpdateTime, comments {comment, createdBy, createdTime}, alerts[] with alertId,
 * creationTime, lastUpdatedTime, resolvedTime, firstActivity, lastActivity, devices[], entities[].
 */
export function parseM365dIncident(obj: JsonObject, where: Where): Incident {
  const sourceId = reqId(obj, 'incidentId', where);
  const createdAt = requiredTime(obj, 'createdTime', where);
  const updatedAt = optTime(obj, 'lastUpdateTime', where) ?? createdAt;
  const alertItems = optArray(obj, 'alerts', where);
  const alerts = alertItems.items.map((a, i) => {
    const w = alertItems.where.index(i);
    return parseM365dAlert(objectAt(a, w), w);
  });
  const status = optEnum(obj, 'status', INCIDENT_STATUS_VALUES, where) ?? 'active';
  const assignedTo = optString(obj, 'assignedTo', where);
  const classification = optEnum(obj, 'classification', CLASSIFICATION_VALUES, where);
  const determination = optEnum(obj, 'determination', DETERMINATION_VALUES, where);
  const resolvedAt = status === 'resolved' ? incidentResolvedAt(alerts, createdAt, updatedAt) : null;
  const comments = parseComments(obj, where, updatedAt, M365D_COMMENT_FIELDS);
  // Every field of the model is set (the Incident type requires them all) from checked values.
  return {
    source: DEFENDER_SOURCE,
    sourceFormat: 'm365d',
    sourceId,
    tenantId: optString(obj, 'tenantId', where),
    title: optString(obj, 'incidentName', where) ?? `Incident ${sourceId}`,
    description: optString(obj, 'description', where),
    summary: null,
    severity: optEnum(obj, 'severity', SEVERITY_VALUES, where) ?? highestSeverity(alerts),
    status,
    classification,
    determination,
    assignedTo,
    createdAt,
    updatedAt,
    resolvedAt,
    tags: dedupe(stringArray(obj, 'tags', where)),
    webUrl: optString(obj, 'incidentUri', where) ?? optString(obj, 'incidentWebUrl', where),
    redirectIncidentId: optId(obj, 'redirectIncidentId', where),
    alerts,
    comments,
    statusHistory: deriveHistory({ kind: 'incident', status, createdAt, updatedAt, resolvedAt, assignedTo, classification, determination, comments }),
    partial: false,
    raw: obj,
  };
}

function requiredTime(obj: JsonObject, name: string, where: Where): string {
  const time = optTime(obj, name, where);
  if (time === null) return where.key(name).fail(`required field "${name}" is missing`);
  return time;
}

/** Microsoft 365 Defender comments: `{comment, createdBy, createdTime}`. */
const M365D_COMMENT_FIELDS = { author: 'createdBy', time: 'createdTime', text: 'comment' };

export function parseM365dAlert(obj: JsonObject, where: Where): Alert {
  const sourceId = reqId(obj, 'alertId', where);
  const createdAt = requiredTime(obj, 'creationTime', where);
  const updatedAt = optTime(obj, 'lastUpdatedTime', where) ?? createdAt;
  const status = optEnum(obj, 'status', ALERT_STATUS_VALUES, where) ?? 'unknown';
  const resolvedAt = optTime(obj, 'resolvedTime', where);
  const assignedTo = optString(obj, 'assignedTo', where);
  const classification = optEnum(obj, 'classification', CLASSIFICATION_VALUES, where);
  const determination = optEnum(obj, 'determination', DETERMINATION_VALUES, where);
  const comments = parseComments(obj, where, updatedAt, M365D_COMMENT_FIELDS);
  const devices = optArray(obj, 'devices', where);
  const entities = optArray(obj, 'entities', where);
  return {
    sourceId,
    providerAlertId: null,
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
    productName: null,
    assignedTo,
    actorDisplayName: optString(obj, 'actorName', where),
    threatDisplayName: null,
    threatFamilyName: optString(obj, 'threatFamilyName', where),
    createdAt,
    updatedAt,
    firstActivityAt: optTime(obj, 'firstActivity', where),
    lastActivityAt: optTime(obj, 'lastActivity', where),
    resolvedAt,
    techniques: dedupe(stringArray(obj, 'mitreTechniques', where)),
    recommendedActions: null,
    webUrl: null,
    evidence: [
      ...devices.items.map((d, i) => mapM365dDevice(d, devices.where.index(i))),
      ...entities.items.map((e, i) => mapM365dEntity(e, entities.where.index(i))),
    ],
    comments,
    statusHistory: deriveHistory({ kind: 'alert', status, createdAt, updatedAt, resolvedAt, assignedTo, classification, determination, comments }),
    raw: obj,
  };
}

type Attributes = Entity['attributes'];
const s = (a: Attributes, ...names: string[]): string | null => {
  const lowered = new Map(Object.entries(a).map(([k, v]) => [k.toLowerCase(), v]));
  for (const n of names) {
    const v = lowered.get(n.toLowerCase());
    if (v !== undefined && v !== null && String(v).trim() !== '') return String(v).trim();
  }
  return null;
};

function entity(kind: EntityKind, sourceType: string, key: string | null, displayName: string | null, obj: JsonObject, attributes: Attributes, where: Where): Entity {
  const finalKey = key ?? `${sourceType}:${stableHash(obj)}`;
  return {
    kind,
    sourceType,
    key: finalKey,
    displayName: displayName ?? finalKey,
    roles: dedupe([...stringArray(obj, 'roles', where), ...stringArray(obj, 'detailedRoles', where)].map((r) => r.toLowerCase())),
    verdict: optEnum(obj, 'verdict', EVIDENCE_VERDICT_VALUES, where),
    remediationStatus: optEnum(obj, 'remediationStatus', EVIDENCE_REMEDIATION_STATUS_VALUES, where),
    createdAt: optTime(obj, 'evidenceCreationTime', where),
    attributes,
    raw: obj,
  };
}

const NOT_ATTRIBUTES = new Set(['entityType', 'roles', 'detailedRoles', 'verdict', 'remediationStatus', 'evidenceCreationTime', 'tags']);

/** An m365d `devices[]` entry (`mdatpDeviceId` in the example, `DeviceId` in the field table). */
export function mapM365dDevice(value: unknown, where: Where): Entity {
  const obj = objectAt(value, where);
  const a = flattenAttributes(obj, NOT_ATTRIBUTES);
  const key = s(a, 'mdatpDeviceId', 'deviceId', 'aadDeviceId', 'deviceDnsName');
  return entity('device', 'Device', key?.toLowerCase() ?? null, s(a, 'deviceDnsName', 'mdatpDeviceId', 'deviceId', 'aadDeviceId'), obj, a, where);
}

/** An m365d `entities[]` entry, by `entityType` (User, Ip, Url, File, Process, MailBox, MailMessage, MailCluster, Registry, SecurityGroup, ...). */
export function mapM365dEntity(value: unknown, where: Where): Entity {
  const obj = objectAt(value, where);
  const entityType = optString(obj, 'entityType', where) ?? 'Unknown';
  const a = flattenAttributes(obj, NOT_ATTRIBUTES);
  const lower = (x: string | null) => x?.toLowerCase() ?? null;
  const make = (kind: EntityKind, key: string | null, name: string | null) => entity(kind, entityType, key, name, obj, a, where);
  switch (entityType.toLowerCase()) {
    case 'user':
    case 'account': {
      const account = s(a, 'accountName');
      const domain = s(a, 'domainName');
      const qualified = account ? (domain ? `${domain}\\${account}` : account) : null;
      const key = s(a, 'userPrincipalName', 'aadUserId') ?? qualified ?? s(a, 'userSid');
      return make('user', lower(key), s(a, 'userPrincipalName') ?? qualified ?? s(a, 'aadUserId', 'userSid'));
    }
    case 'ip':
      return make('ip', lower(s(a, 'ipAddress')), s(a, 'ipAddress'));
    case 'url':
      return make('url', s(a, 'url'), s(a, 'url'));
    case 'file': {
      const name = s(a, 'fileName');
      const path = s(a, 'filePath');
      const key = s(a, 'sha256', 'sha1', 'md5') ?? (name ? (path ? `${path.replace(/\\+$/, '')}\\${name}` : name) : null);
      return make('file', lower(key), name ?? key);
    }
    case 'process': {
      const pid = s(a, 'processId');
      const image = s(a, 'sha256', 'sha1') ?? s(a, 'processCommandLine', 'fileName');
      const parts = [s(a, 'deviceId'), pid, image, s(a, 'processCreationTime')].filter((p): p is string => p !== null);
      const name = s(a, 'fileName');
      return make('process', pid || image ? lower(parts.join('|')) : null, name ? (pid ? `${name} (${pid})` : name) : (s(a, 'processCommandLine') ?? (pid ? `process ${pid}` : null)));
    }
    case 'mailbox': {
      const address = s(a, 'mailboxAddress', 'userPrincipalName');
      return make('mailbox', lower(address), address ?? s(a, 'mailboxDisplayName'));
    }
    case 'mailmessage': {
      const id = s(a, 'internetMessageId', 'networkMessageId');
      const composite = id ?? ([s(a, 'sender'), s(a, 'recipient'), s(a, 'subject')].some(Boolean) ? [s(a, 'sender'), s(a, 'recipient'), s(a, 'subject')].join('|') : null);
      return make('mailMessage', lower(composite), s(a, 'subject') ?? composite);
    }
    case 'mailcluster': {
      const by = s(a, 'clusterBy');
      const byValue = s(a, 'clusterByValue');
      return make('mailCluster', by || byValue ? lower(`${by ?? ''}:${byValue ?? ''}`) : null, by ? `${by}${byValue ? `: ${byValue}` : ''}` : byValue);
    }
    case 'registry': {
      const full = [s(a, 'registryHive'), s(a, 'registryKey'), s(a, 'registryValueName')].filter(Boolean).join('\\') || null;
      const kind: EntityKind = s(a, 'registryValueName', 'registryValue', 'registryValueType') ? 'registryValue' : 'registryKey';
      return make(kind, lower(full), full);
    }
    case 'securitygroup':
      return make('securityGroup', lower(s(a, 'securityGroupId', 'securityGroupName')), s(a, 'securityGroupName', 'securityGroupId'));
    case 'cloudapplication':
      return make('cloudApplication', lower(s(a, 'applicationId', 'appId', 'applicationName')), s(a, 'applicationName', 'applicationId', 'appId'));
    case 'machine':
    case 'device':
      return make('device', lower(s(a, 'deviceId', 'mdatpDeviceId', 'deviceDnsName')), s(a, 'deviceDnsName', 'deviceId', 'mdatpDeviceId'));
    default: {
      const id = s(a, 'url', 'ipAddress', 'userPrincipalName', 'fileName', 'deviceId');
      return make('other', id ? `${entityType.toLowerCase()}:${id.toLowerCase()}` : null, id);
    }
  }
}
