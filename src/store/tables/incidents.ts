import type { Generated } from 'kysely';
import type { EntityKind } from '../../model/incident.js';
import type { Flag, JsonText } from '../json-text.js';

/**
 * Incidents as imported (migration 0001). Column names are camelCase here; the store's Kysely
 * instance maps them to the snake_case columns of the database (CamelCasePlugin). Timestamps are
 * ISO-8601 text.
 */
export interface IncidentsTable {
  /** `inc_` + 12 hex characters of sha256(source + ':' + sourceId). */
  id: string;
  source: string;
  sourceId: string;
  sourceFormat: string;
  tenantId: string | null;
  title: string;
  description: string | null;
  summary: string | null;
  severity: string;
  status: string;
  classification: string | null;
  determination: string | null;
  assignedTo: string | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  tags: JsonText<string[]>;
  webUrl: string | null;
  redirectIncidentId: string | null;
  /** 1 when the row was assembled from standalone alerts. */
  partial: Flag;
  /** JSON text of the source record; NULL when the record had none. */
  raw: string | null;
  contentHash: string;
  importedAt: string;
}

export interface AlertsTable {
  /** `al_` + 16 hex characters of sha256(source + ':' + sourceId). */
  id: string;
  incidentId: string;
  source: string;
  sourceId: string;
  providerAlertId: string | null;
  title: string;
  description: string | null;
  severity: string;
  status: string;
  classification: string | null;
  determination: string | null;
  category: string | null;
  serviceSource: string | null;
  detectionSource: string | null;
  detectorId: string | null;
  productName: string | null;
  assignedTo: string | null;
  actorDisplayName: string | null;
  threatDisplayName: string | null;
  threatFamilyName: string | null;
  createdAt: string;
  updatedAt: string;
  firstActivityAt: string | null;
  lastActivityAt: string | null;
  resolvedAt: string | null;
  /** Technique IDs as the source gave them. */
  techniques: JsonText<string[]>;
  recommendedActions: string | null;
  webUrl: string | null;
  raw: string | null;
  contentHash: string;
}

/** One row per (alert, technique): lets SQL count techniques across incidents. */
export interface AlertTechniquesTable {
  alertId: string;
  incidentId: string;
  techniqueId: string;
}

export interface EntitiesTable {
  alertId: string;
  incidentId: string;
  ord: number;
  kind: EntityKind;
  key: string;
  displayName: string;
  roles: JsonText<string[]>;
  verdict: string | null;
  remediationStatus: string | null;
  createdAt: string | null;
  attributes: JsonText<Record<string, string | number | boolean | null>>;
  sourceType: string;
  /** JSON text, or `@evidence:<index>`: a reference into the alert's raw evidence array. */
  raw: string | null;
}

export interface CommentsTable {
  incidentId: string;
  /** NULL for a comment on the incident itself. */
  alertId: string | null;
  ord: number;
  author: string | null;
  createdAt: string;
  text: string;
}

export interface StatusChangesTable {
  incidentId: string;
  /** NULL for a change of the incident itself. */
  alertId: string | null;
  ord: number;
  field: string;
  fromValue: string | null;
  toValue: string | null;
  at: string;
  by: string | null;
  /** `source` (from the record) or `import` (seen between two imports). */
  origin: 'source' | 'import';
}

/** The attribution of an incident for its review, stored per content (migration 0008). */
export interface IncidentAttributionTable {
  incidentId: string;
  /** `contentHash:importedAt` of the incident row it was computed for. */
  incidentVersion: string;
  /** Digest of everything attribution reads from the incident. */
  inputKey: string;
  /** ATT&CK domain, version and spec, and a digest of the attribution code. */
  model: string;
  /** The attribution, JSON (the shape is the analysis layer's, so the store keeps it opaque). */
  actors: string;
  computedAt: string;
}

/** SQLite's full-text index of titles and descriptions (migration 0008; PostgreSQL uses a GIN index). */
export interface IncidentSearchTable {
  rowid: number;
  title: string;
  description: string;
}

export interface IncidentSearchKeysTable {
  docid: Generated<number>;
  incidentId: string;
}
