import { isRecord, type JsonObject } from '../model/json.js';
import { ELASTIC_SOURCE, parseElasticAlert } from './elastic-alert.js';
import { isElasticCase, parseElasticCase } from './elastic-case.js';
import { EcsDocument } from './elastic-doc.js';
import { elasticGroupHints } from './elastic-entities.js';
import { objectAt, optArray } from './fields.js';
import type { MappedRecord, RecordFormat } from './formats.js';

/**
 * Does the record carry Kibana alert fields, flattened (`"kibana.alert.uuid"`) or nested
 * (`kibana: {alert: {...}}`)? Only alerts-as-data documents do; no other format has a `kibana` field.
 */
function hasKibanaAlert(obj: JsonObject): boolean {
  if (isRecord(obj.kibana) && isRecord(obj.kibana.alert)) return true;
  for (const key in obj) if (key.startsWith('kibana.alert.')) return true;
  return false;
}

/**
 * Is it a 7.x detection alert (a `.siem-signals-*` document, before alerts-as-data), with the rule
 * and workflow under `signal` (`signal.rule.name`, `signal.status`), nested or flattened?
 */
function isLegacySignal(obj: JsonObject): boolean {
  if (!('@timestamp' in obj)) return false;
  if (isRecord(obj.signal) && isRecord(obj.signal.rule)) return true;
  for (const key in obj) if (key.startsWith('signal.rule.')) return true;
  return false;
}

/**
 * The Cases API's `GET /api/cases/_find` response, `{cases: [...], page, per_page, total,
 * count_open_cases, ...}`: Kibana's own envelope of cases, read here (the registry knows only the
 * envelopes every source shares).
 */
function isFindCasesResponse(obj: JsonObject): boolean {
  return Array.isArray(obj.cases) && 'per_page' in obj && 'total' in obj && ('count_open_cases' in obj || 'page' in obj);
}

/**
 * Elastic Security: detection alert documents (`.alerts-security.alerts-*`, any mix of flattened and
 * nested keys) and Cases API case objects. A case becomes an incident; an alert attached to a case
 * (`kibana.alert.case_ids`, which Kibana sets on attachment) joins that case's incident, in this import
 * or a later one; any other alert is standalone and grouped by host and user.
 */
export const elasticFormat: RecordFormat = {
  name: 'elastic',
  describe: 'Elastic Security alert documents (kibana.alert.*, 7.x signal.*) or Cases API cases (owner, created_by, settings)',
  detect: (obj) => hasKibanaAlert(obj) || isLegacySignal(obj) || isElasticCase(obj) || isFindCasesResponse(obj),
  parse(obj, where): MappedRecord[] {
    if (!hasKibanaAlert(obj) && !isLegacySignal(obj) && isFindCasesResponse(obj)) {
      const { items, where: at } = optArray(obj, 'cases', where);
      return items.map((c, i) => ({ kind: 'incident', incident: parseElasticCase(objectAt(c, at.index(i)), at.index(i)) }));
    }
    if (!hasKibanaAlert(obj) && !isLegacySignal(obj) && isElasticCase(obj)) return [{ kind: 'incident', incident: parseElasticCase(obj, where) }];
    const doc = new EcsDocument(obj, where);
    const alert = parseElasticAlert(obj, where, doc);
    const caseId = doc.texts('kibana.alert.case_ids')[0];
    return [
      {
        kind: 'alert',
        alert,
        source: ELASTIC_SOURCE,
        sourceFormat: 'elastic',
        ...(caseId === undefined ? {} : { incidentKey: caseId }),
        tenantId: null,
        group: elasticGroupHints(doc),
      },
    ];
  },
};
