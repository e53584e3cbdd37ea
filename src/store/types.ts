import type { Incident, IncidentTriage, StoredIncident } from '../model/index.js';
import type { IncidentFilter, IncidentListItem } from './incidents/list.js';
import type { PartialIncidentDeriver } from './incidents/partial-incidents.js';
import type { TechniqueCount } from './incidents/technique-counts.js';

export type { IncidentFilter, IncidentListItem } from './incidents/list.js';
export type { TechniqueCount } from './incidents/technique-counts.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface ImportOptions {
  /**
   * How a partial incident (one made of standalone alerts) takes its own fields from its alerts:
   * given, a stored partial incident that gains or changes alerts is derived again from all of them.
   */
  derivePartial?: PartialIncidentDeriver;
}

export interface ImportSummary {
  incidents: number;
  alerts: number;
  created: number;
  updated: number;
  unchanged: number;
}

export interface ImportedIncidentResult {
  id: string;
  source: string;
  sourceId: string;
  outcome: 'created' | 'updated' | 'unchanged';
}

export interface ImportResult {
  summary: ImportSummary;
  /** Every incident of the import once, in the order first met, with its strongest outcome. */
  results: ImportedIncidentResult[];
  /**
   * How each incident of the import stands triaged in the store once the import is done, by
   * Hindsight's id: the fields of the record the import wrote, of the stored record it kept (an
   * older or partial record changes none of them) or derived again from a partial incident's alerts.
   */
  triage: ReadonlyMap<string, IncidentTriage>;
}

/** The incident store: the same operations on SQLite and PostgreSQL. */
export interface IncidentStore {
  readonly kind: StoreKind;
  /** File path (SQLite) or the URL without its password (PostgreSQL). */
  readonly location: string;
  /** Writes all incidents in one transaction; idempotent. */
  importIncidents(incidents: Incident[], options?: ImportOptions): Promise<ImportResult>;
  /**
   * Writes batches of incidents as they come (e.g. parsed from a large file a part at a time) in
   * one transaction: all of them or, when a batch fails to arrive, none. Incidents that recur
   * across batches merge and count once.
   */
  importIncidentBatches(batches: Iterable<Incident[]> | AsyncIterable<Incident[]>, options?: ImportOptions): Promise<ImportResult>;
  /** Stored incidents, newest first (`hindsight incidents`). */
  listIncidents(filter?: IncidentFilter): Promise<IncidentListItem<'determination'>[]>;
  /** By Hindsight's id (`inc_...`) or the source's own id. */
  getIncident(ref: string): Promise<StoredIncident | undefined>;
  /** Technique counts aggregated in SQL (for coverage and trends over many incidents); `since` filters on the incident's creation. */
  techniqueCounts(filter?: Pick<IncidentFilter, 'since'>): Promise<TechniqueCount[]>;
  close(): Promise<void>;
}
