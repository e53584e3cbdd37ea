import type { Incident, StoredIncident } from '../model/index.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface ImportOptions {
  /**
   * How a partial incident (one made of standalone alerts) takes its own fields from its alerts:
   * given, a stored partial incident that gains or changes alerts is derived again from all of them.
   */
  derivePartial?: import('./import.js').PartialIncidentDeriver;
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

export interface IncidentListItem {
  id: string;
  source: string;
  sourceId: string;
  title: string;
  severity: string;
  status: string;
  classification: string | null;
  determination: string | null;
  createdAt: string;
  updatedAt: string;
  alertCount: number;
}

export interface IncidentFilter {
  /** Incidents created at or after this ISO time. */
  since?: string;
  limit?: number;
}

/** How often one ATT&CK technique (as the source labelled it) appears across stored alerts. */
export interface TechniqueCount {
  techniqueId: string;
  /** Alerts labelled with the technique. */
  alerts: number;
  /** Distinct incidents those alerts belong to. */
  incidents: number;
}

/** The incident store: the same operations on SQLite and PostgreSQL. */
export interface IncidentStore {
  readonly kind: StoreKind;
  /** File path (SQLite) or the URL without its password (PostgreSQL). */
  readonly location: string;
  /** Writes all incidents in one transaction; idempotent. */
  importIncidents(incidents: Incident[], options?: ImportOptions): Promise<{ summary: ImportSummary; results: ImportedIncidentResult[] }>;
  /**
   * Writes batches of incidents as they come (e.g. parsed from a large file a part at a time) in
   * one transaction: all of them or, when a batch fails to arrive, none. Incidents that recur
   * across batches merge and count once.
   */
  importIncidentBatches(
    batches: Iterable<Incident[]> | AsyncIterable<Incident[]>,
    options?: ImportOptions,
  ): Promise<{ summary: ImportSummary; results: ImportedIncidentResult[] }>;
  listIncidents(filter?: IncidentFilter): Promise<IncidentListItem[]>;
  /** By Hindsight's id (`inc_...`) or the source's own id. */
  getIncident(ref: string): Promise<StoredIncident | undefined>;
  /** Technique counts aggregated in SQL (for coverage and trends over many incidents); `since` filters on the incident's creation. */
  techniqueCounts(filter?: Pick<IncidentFilter, 'since'>): Promise<TechniqueCount[]>;
  close(): Promise<void>;
}
