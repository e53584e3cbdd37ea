import type { ObservableOrigin, ObservableType, TlpLevel } from '../../model/observables.js';
import type { Flag, JsonText } from '../json-text.js';

/**
 * Observables and shared intelligence (migration 0018). An observable is one row per normalised
 * (type, value) across all incidents; its marks (IOC flag, own TLP, tags) are global to it. Where
 * and when it was seen are its sightings. Indicators imported from partners' STIX bundles and MISP
 * events are kept with the terms Hindsight can match against observables.
 */
export interface ObservablesTable {
  /** `obs_` + 16 hex characters of sha256(type NUL value): the same id wherever the value is seen. */
  id: string;
  type: ObservableType;
  value: string;
  ioc: Flag;
  /** The observable's own TLP marking; NULL: it inherits the marking of the incidents it is seen in. */
  tlp: TlpLevel | null;
  tags: JsonText<string[]>;
  /** How it first came: from imported evidence or added by hand. */
  origin: ObservableOrigin;
  createdAt: string;
  /** When its marks last changed, and who changed them (NULL: never changed by hand). */
  updatedAt: string;
  updatedBy: string | null;
}

export interface ObservableSightingsTable {
  observableId: string;
  incidentId: string;
  /** The alert whose evidence carried it; NULL for an observable added to the incident by hand. */
  alertId: string | null;
  at: string;
  origin: ObservableOrigin;
  /** Who added a sighting by hand (NULL for evidence). */
  createdBy: string | null;
}

/** An incident's own TLP marking (absent: AMBER, see DEFAULT_INCIDENT_TLP). */
export interface IncidentMarkingsTable {
  incidentId: string;
  tlp: TlpLevel;
  updatedBy: string;
  updatedAt: string;
}

export type IndicatorEvaluation = 'evaluable' | 'partial' | 'unevaluable';

export interface IntelIndicatorsTable {
  /** `ind_` + 16 hex characters of sha256(format NUL external id). */
  id: string;
  /** `stix` or `misp`. */
  format: string;
  /** The STIX id (`indicator--…`) or the MISP attribute's uuid. */
  externalId: string;
  name: string | null;
  /** The STIX pattern, or the MISP attribute as `type: value`. */
  pattern: string;
  patternType: string;
  evaluation: IndicatorEvaluation;
  /** Why (part of) the pattern cannot be evaluated; NULL when all of it can. */
  reason: string | null;
  tlp: TlpLevel | null;
  /** Who published it (the STIX identity, the MISP organisation). */
  producer: string | null;
  /** The file it was last imported from. */
  sourceFile: string;
  validFrom: string | null;
  validUntil: string | null;
  labels: JsonText<string[]>;
  importedAt: string;
  importedBy: string;
  /** Digest of what was imported: a re-import of the same content changes nothing. */
  contentHash: string;
}

/**
 * The comparisons of an indicator Hindsight can match, in disjunctive normal form: the indicator
 * matches where every term of one of its clauses is seen in the same alert (a single-term clause:
 * wherever its observable is seen).
 */
export interface IntelTermsTable {
  indicatorId: string;
  clause: number;
  term: number;
  clauseSize: number;
  type: ObservableType;
  value: string;
  /** The id the observable has (or would have): the join needs no index on long values. */
  observableId: string;
}
