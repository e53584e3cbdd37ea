import { INCIDENT_STATUS_VALUES, normaliseEnum, SEVERITY_VALUES } from '../model/enums.js';
import { UsageError } from '../model/errors.js';
import type { StoredIncident } from '../model/index.js';
import { observableIdsOfValue } from '../model/observable-values.js';
import type { OpenedStore } from '../store/index.js';
import { getIncident, queryIncidents, resolveIncidentRef, storedListValues, techniqueCounts, type IncidentListItem, type IncidentQuery, type TechniqueCount } from '../store/incidents/index.js';

/**
 * Reading incidents, for both front ends: one incident, a page of the list a reader may see, and
 * the techniques observed across them. The store answers each with one or a few indexed queries.
 */

/**
 * An incident by Hindsight's id, the source's own id or (Sentinel) its incident number. Without `raw` the source's own JSON is left
 * out (no page or document shows it, and it is the largest part of a row).
 */
export function findIncident(store: OpenedStore, ref: string, options: { raw?: boolean } = {}): Promise<StoredIncident | undefined> {
  return getIncident(store.db, ref, options);
}

/** Hindsight's id of the incident a reference names, without loading it. */
export function incidentIdOf(store: OpenedStore, ref: string): Promise<string | undefined> {
  return resolveIncidentRef(store.db, ref);
}

/** What a page of incidents is asked for with: the list's filters, and an observable value seen in the incidents. */
export type IncidentPageQuery = Omit<IncidentQuery, 'observables' | 'qObservables'> & { observable?: string };

/**
 * One page of the incidents a reader may see (`hidden`: restricted to other people), newest first,
 * with the total that match. `observable`: only incidents where that value (any type it is valid
 * for, normalised) was seen; `q` also finds incidents where its text was seen as an observable.
 */
export async function incidentPage(store: OpenedStore, query: IncidentPageQuery, hidden: ReadonlySet<string>): Promise<{ total: number; incidents: IncidentListItem<'reviewState'>[] }> {
  const { observable, ...rest } = query;
  const q = rest.q?.trim();
  const status = await knownFilterValues(store, 'status', rest.status, INCIDENT_STATUS_VALUES);
  const severity = await knownFilterValues(store, 'severity', rest.severity, SEVERITY_VALUES);
  return queryIncidents(store.db, { ...rest, status, severity, ...(observable !== undefined ? { observables: observableIdsOfValue(observable) } : {}), ...(q ? { qObservables: observableIdsOfValue(q) } : {}) }, hidden);
}

/**
 * Filter values in their stored spelling (`InProgress` and `in-progress` are `inProgress`). A value
 * that is neither a known one nor one some incident has (a source's own label) is refused: a typo
 * must not silently filter everything out.
 */
async function knownFilterValues(store: OpenedStore, column: 'status' | 'severity', given: string[] | undefined, known: readonly string[]): Promise<string[] | undefined> {
  if (!given?.length) return given;
  const spelled = given.map((v) => normaliseEnum(v, known) ?? v);
  const custom = spelled.filter((v) => !known.includes(v));
  const stored = await storedListValues(store.db, column, custom);
  const unknown = custom.filter((v) => !stored.has(v));
  if (unknown.length) throw new UsageError(`unknown ${column} ${unknown.map((v) => `"${v}"`).join(', ')}: one of ${known.filter((v) => v !== 'unknownFutureValue').join(', ')} (or a ${column} a source gave)`);
  return spelled;
}

/** Alerts and incidents per technique ID across the incidents a reader may see, counted in the store. */
export function observedTechniques(store: OpenedStore, filter: { since?: string; hidden?: ReadonlySet<string> } = {}): Promise<TechniqueCount[]> {
  return techniqueCounts(store.db, filter);
}
