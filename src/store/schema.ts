/**
 * Kysely table types of the incident store. One schema for SQLite and PostgreSQL: timestamps are
 * ISO-8601 text, JSON is text, booleans are integers 0/1.
 */

export interface IncidentsTable {
  /** `inc_` + 12 hex characters of sha256(source + ':' + source_id). */
  id: string;
  source: string;
  source_id: string;
  source_format: string;
  tenant_id: string | null;
  title: string;
  description: string | null;
  summary: string | null;
  severity: string;
  status: string;
  classification: string | null;
  determination: string | null;
  assigned_to: string | null;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  /** JSON array of strings. */
  tags: string;
  web_url: string | null;
  redirect_incident_id: string | null;
  /** 1 when the row was assembled from standalone alerts. */
  partial: number;
  /** JSON text of the source record; NULL when the record had none. */
  raw: string | null;
  content_hash: string;
  imported_at: string;
}

export interface AlertsTable {
  /** `al_` + 16 hex characters of sha256(source + ':' + source_id). */
  id: string;
  incident_id: string;
  source: string;
  source_id: string;
  provider_alert_id: string | null;
  title: string;
  description: string | null;
  severity: string;
  status: string;
  classification: string | null;
  determination: string | null;
  category: string | null;
  service_source: string | null;
  detection_source: string | null;
  detector_id: string | null;
  product_name: string | null;
  assigned_to: string | null;
  actor_display_name: string | null;
  threat_display_name: string | null;
  threat_family_name: string | null;
  created_at: string;
  updated_at: string;
  first_activity_at: string | null;
  last_activity_at: string | null;
  resolved_at: string | null;
  /** JSON array of technique IDs as the source gave them. */
  techniques: string;
  recommended_actions: string | null;
  web_url: string | null;
  raw: string | null;
  content_hash: string;
}

/** One row per (alert, technique): lets SQL count techniques across incidents. */
export interface AlertTechniquesTable {
  alert_id: string;
  incident_id: string;
  technique_id: string;
}

export interface EntitiesTable {
  alert_id: string;
  incident_id: string;
  ord: number;
  kind: string;
  key: string;
  display_name: string;
  /** JSON array of strings. */
  roles: string;
  verdict: string | null;
  remediation_status: string | null;
  created_at: string | null;
  /** JSON object. */
  attributes: string;
  source_type: string;
  raw: string | null;
}

export interface CommentsTable {
  incident_id: string;
  /** NULL for a comment on the incident itself. */
  alert_id: string | null;
  ord: number;
  author: string | null;
  created_at: string;
  text: string;
}

export interface StatusChangesTable {
  incident_id: string;
  /** NULL for a change of the incident itself. */
  alert_id: string | null;
  ord: number;
  field: string;
  from_value: string | null;
  to_value: string | null;
  at: string;
  by: string | null;
  /** `source` (from the record) or `import` (seen between two imports). */
  origin: string;
}

/** Techniques a review confirmed for an incident (migration 0006). */
export interface ReviewConfirmedTechniquesTable {
  incident_id: string;
  technique_id: string;
  confirmed_by: string | null;
  confirmed_at: string;
  note: string | null;
}

export interface Database {
  incidents: IncidentsTable;
  alerts: AlertsTable;
  alert_techniques: AlertTechniquesTable;
  entities: EntitiesTable;
  comments: CommentsTable;
  status_changes: StatusChangesTable;
  review_confirmed_techniques: ReviewConfirmedTechniquesTable;
}
