import type { Entity } from '../../model/incident.js';
import { extractObservables, type EntityObservableSource } from '../../model/observable-extract.js';
import { observableId } from '../../model/observable-values.js';
import { toJsonText } from '../json-text.js';
import type { ObservableSightingsTable, ObservablesTable } from '../tables/observables.js';

/** The observables and sightings the evidence of one alert gives, one sighting per observable. */
export interface AlertObservableRows {
  /** Each observable's id, type and value: its row is built only when an import writes it first. */
  observables: { id: string; type: ObservablesTable['type']; value: string }[];
  sightings: ObservableSightingsTable[];
}

/** When an entity was seen: its own time, else the alert's first activity, else the alert's creation. */
export interface AlertTimes {
  firstActivityAt: string | null;
  createdAt: string;
}

/**
 * The rows an alert's evidence adds: an observable row for every value (written only if new: the
 * insert ignores a duplicate id) and a sighting per (observable, alert) at its earliest time.
 */
export function alertObservableRows(incidentId: string, alertId: string, alert: AlertTimes, evidence: readonly (EntityObservableSource & Pick<Entity, 'createdAt'>)[]): AlertObservableRows {
  const observables = new Map<string, AlertObservableRows['observables'][number]>();
  const sightings = new Map<string, ObservableSightingsTable>();
  for (const entity of evidence) {
    const at = entity.createdAt ?? alert.firstActivityAt ?? alert.createdAt;
    for (const { type, value } of extractObservables(entity)) {
      const id = observableId(type, value);
      if (!observables.has(id)) observables.set(id, { id, type, value });
      const seen = sightings.get(id);
      if (!seen) sightings.set(id, { observableId: id, incidentId, alertId, at, origin: 'entity', createdBy: null });
      else if (at < seen.at) seen.at = at;
    }
  }
  return { observables: [...observables.values()], sightings: [...sightings.values()] };
}

export function newObservableRow(id: string, type: ObservablesTable['type'], value: string, origin: ObservablesTable['origin'], now: string): ObservablesTable {
  return { id, type, value, ioc: 0, tlp: null, tags: toJsonText<string[]>([]), origin, createdAt: now, updatedAt: now, updatedBy: null };
}
