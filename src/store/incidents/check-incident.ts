import { InputError } from '../../model/errors.js';
import type { Incident } from '../../model/incident.js';

/**
 * A quick structural check of what the store relies on (ingest builds complete records; callers
 * of the store's import may not): a record that fails it stops the whole import before anything is
 * committed, naming the record's path (`[index].alerts[2].title`).
 */
export function checkIncident(incident: Incident, index: number): void {
  const fail = (path: string, what: string): never => {
    throw new InputError(`incident [${index}]${path}: ${what}`, { path: `[${index}]${path}` });
  };
  if (typeof incident !== 'object' || incident === null) fail('', 'is not an incident record');
  for (const field of ['source', 'sourceId', 'sourceFormat', 'title', 'severity', 'status', 'createdAt', 'updatedAt'] as const) {
    if (typeof incident[field] !== 'string') fail(`.${field}`, 'must be a string');
  }
  if (!incident.source || !incident.sourceId) fail('.sourceId', 'source and sourceId must not be empty');
  if (!Array.isArray(incident.alerts)) fail('.alerts', 'must be an array');
  if (!Array.isArray(incident.comments)) fail('.comments', 'must be an array');
  if (!Array.isArray(incident.statusHistory)) fail('.statusHistory', 'must be an array');
  if (!Array.isArray(incident.tags)) fail('.tags', 'must be an array');
  incident.alerts.forEach((alert, a) => {
    for (const field of ['sourceId', 'title', 'severity', 'status', 'createdAt', 'updatedAt'] as const) {
      if (typeof alert[field] !== 'string') fail(`.alerts[${a}].${field}`, 'must be a string');
    }
    if (!alert.sourceId) fail(`.alerts[${a}].sourceId`, 'must not be empty');
    if (!Array.isArray(alert.evidence)) fail(`.alerts[${a}].evidence`, 'must be an array');
    if (!Array.isArray(alert.techniques)) fail(`.alerts[${a}].techniques`, 'must be an array');
    if (!Array.isArray(alert.comments)) fail(`.alerts[${a}].comments`, 'must be an array');
    if (!Array.isArray(alert.statusHistory)) fail(`.alerts[${a}].statusHistory`, 'must be an array');
  });
}
