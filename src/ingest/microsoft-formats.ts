import type { Alert } from '../model/incident.js';
import type { MappedRecord, RecordFormat } from './formats.js';
import { isRecord } from '../model/json.js';
import { optId, optString, type JsonObject, type Where } from './fields.js';
import { DEFENDER_SOURCE, isGraphAlert, parseGraphAlert, parseGraphIncident } from './graph.js';
import { parseM365dAlert, parseM365dIncident } from './m365d.js';
import { isSentinelIncident, parseSentinelIncident } from './sentinel.js';

/**
 * The two Microsoft formats as registry entries. A standalone Defender alert names its incident
 * (`incidentId`); one without gets an incident of its own (`alert:<id>`), as Defender would show it,
 * rather than being grouped by Hindsight's rule.
 */
function hasGraphType(obj: JsonObject): boolean {
  const odata = obj['@odata.type'];
  return typeof odata === 'string' && /microsoft\.graph\.security\.(incident|alert)$/i.test(odata);
}

function isM365dShape(obj: JsonObject): boolean {
  if ('incidentId' in obj && ('incidentName' in obj || 'createdTime' in obj || 'lastUpdateTime' in obj)) return true;
  return 'alertId' in obj && ('creationTime' in obj || 'lastUpdatedTime' in obj);
}

/** An m365d record that is a standalone alert rather than an incident. */
function isM365dAlert(value: JsonObject): boolean {
  return 'alertId' in value && !('incidentName' in value) && !('createdTime' in value);
}

function defenderAlert(obj: JsonObject, where: Where, alert: Alert, sourceFormat: 'graph' | 'm365d'): MappedRecord {
  const incidentId = optId(obj, 'incidentId', where);
  return {
    kind: 'alert',
    alert,
    source: DEFENDER_SOURCE,
    sourceFormat,
    incidentKey: incidentId ?? `alert:${alert.sourceId}`,
    tenantId: optString(obj, 'tenantId', where),
    incidentWebUrl: optString(obj, 'incidentWebUrl', where),
    group: { hosts: [], users: [] },
  };
}

export const graphFormat: RecordFormat = {
  name: 'graph',
  describe: 'Microsoft Graph security incidents/alerts (id, createdDateTime)',
  detect: (obj) => hasGraphType(obj) || (!isM365dShape(obj) && 'id' in obj && ('createdDateTime' in obj || 'lastUpdateDateTime' in obj)),
  parse(obj, where) {
    if (isGraphAlert(obj)) return [defenderAlert(obj, where, parseGraphAlert(obj, where), 'graph')];
    return [{ kind: 'incident', incident: parseGraphIncident(obj, where) }];
  },
};

export const m365dFormat: RecordFormat = {
  name: 'm365d',
  describe: 'Microsoft 365 Defender incidents (incidentId, createdTime)',
  detect: (obj) => !hasGraphType(obj) && isM365dShape(obj),
  parse(obj, where) {
    if (isM365dAlert(obj)) return [defenderAlert(obj, where, parseM365dAlert(obj, where), 'm365d')];
    return [{ kind: 'incident', incident: parseM365dIncident(obj, where) }];
  },
};

/** The Defender format an OData page's `@odata.context` names, if any. */
export function formatFromContext(doc: unknown): 'graph' | 'm365d' | undefined {
  if (!isRecord(doc)) return undefined;
  const context = doc['@odata.context'];
  if (typeof context !== 'string') return undefined;
  if (/graph\.microsoft\.com/i.test(context) || /#security\//i.test(context)) return 'graph';
  if (/api\.security\.microsoft\.com|securitycenter|\$metadata#Incidents/i.test(context)) return 'm365d';
  return undefined;
}

/** Microsoft Sentinel incidents as Azure Resource Manager lists them (a List Incidents body), without their alerts or entities. */
export const sentinelFormat: RecordFormat = {
  name: 'sentinel',
  describe: 'Microsoft Sentinel incidents (Azure Resource Manager: type Microsoft.SecurityInsights/incidents, properties)',
  detect: isSentinelIncident,
  parse: (obj, where) => [{ kind: 'incident', incident: parseSentinelIncident(obj, where) }],
};
