import type { JsonObject } from '../model/json.js';
import type { MappedRecord, RecordFormat } from './formats.js';
import { alertCaseId, parseTheHiveAlert } from './thehive-alert.js';
import { parseTheHiveCase } from './thehive-case.js';
import { THEHIVE_SOURCE, theHiveGroupHints } from './thehive-common.js';

/**
 * Which TheHive object a record is: by `_type` (`Case`/`Alert` in TheHive 5, `case`/`alert` in
 * TheHive 4), else by the fields only that object has (`_id` and `_createdAt` with a case `number`,
 * or an alert's `source` + `sourceRef` + `type`).
 */
function theHiveKind(obj: JsonObject): 'case' | 'alert' | undefined {
  const type = obj._type;
  if (typeof type === 'string') {
    const t = type.toLowerCase();
    if (t === 'case') return 'case';
    if (t === 'alert') return 'alert';
    return undefined;
  }
  if (!('_id' in obj) || !('_createdAt' in obj) || typeof obj.title !== 'string') return undefined;
  if ('number' in obj) return 'case';
  if ('sourceRef' in obj && 'source' in obj && 'type' in obj) return 'alert';
  return undefined;
}

/**
 * TheHive 5 (and 4) cases and alerts. A case is an incident; an alert with a `caseId` (v0: `case`)
 * joins that case's incident; any other alert is standalone and grouped by the hosts and users
 * its observables name.
 */
export const theHiveFormat: RecordFormat = {
  name: 'thehive',
  describe: 'TheHive cases/alerts (_type Case or Alert, _id like ~4264, _createdAt epoch ms)',
  detect: (obj) => theHiveKind(obj) !== undefined,
  parse(obj, where): MappedRecord[] {
    if (theHiveKind(obj) === 'case') return [{ kind: 'incident', incident: parseTheHiveCase(obj, where) }];
    const alert = parseTheHiveAlert(obj, where);
    const caseId = alertCaseId(obj, where);
    return [
      {
        kind: 'alert',
        alert,
        source: THEHIVE_SOURCE,
        sourceFormat: 'thehive',
        ...(caseId === null ? {} : { incidentKey: caseId }),
        tenantId: null,
        group: theHiveGroupHints(alert.evidence),
      },
    ];
  },
};
