import { sql, type Kysely, type Selectable } from 'kysely';
import type { Alert, Comment, Entity, StatusChange, StoredIncident } from '../model/index.js';
import { UsageError } from '../model/errors.js';
import type { AlertsTable, CommentsTable, Database, EntitiesTable, IncidentsTable, StatusChangesTable } from './schema.js';
import { EVIDENCE_REF } from './import.js';
import type { IncidentFilter, IncidentListItem, TechniqueCount } from './types.js';

/** Stored incidents, newest first (by created_at), each with its number of alerts. */
export async function listIncidents(db: Kysely<Database>, filter: IncidentFilter = {}): Promise<IncidentListItem[]> {
  let query = db
    .selectFrom('incidents')
    .select((eb) => [
      'incidents.id',
      'incidents.source',
      'incidents.source_id',
      'incidents.title',
      'incidents.severity',
      'incidents.status',
      'incidents.classification',
      'incidents.determination',
      'incidents.created_at',
      'incidents.updated_at',
      eb
        .selectFrom('alerts')
        .select(sql<number>`cast(count(*) as integer)`.as('n'))
        .whereRef('alerts.incident_id', '=', 'incidents.id')
        .as('alert_count'),
    ])
    .orderBy('incidents.created_at', 'desc')
    .orderBy('incidents.id', 'asc');
  if (filter.since !== undefined) query = query.where('incidents.created_at', '>=', normaliseSince(filter.since));
  if (filter.limit !== undefined) {
    if (!Number.isInteger(filter.limit) || filter.limit <= 0) throw new UsageError(`limit must be a positive whole number, not ${filter.limit}`);
    query = query.limit(filter.limit);
  }
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    source: r.source,
    sourceId: r.source_id,
    title: r.title,
    severity: r.severity,
    status: r.status,
    classification: r.classification,
    determination: r.determination,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    alertCount: Number(r.alert_count ?? 0),
  }));
}

/** Alerts and incidents per technique ID, most frequent first. */
export async function techniqueCounts(db: Kysely<Database>, filter: Pick<IncidentFilter, 'since'> = {}): Promise<TechniqueCount[]> {
  let query = db
    .selectFrom('alert_techniques')
    .select([
      'alert_techniques.technique_id',
      sql<number>`cast(count(distinct alert_techniques.alert_id) as integer)`.as('alerts'),
      sql<number>`cast(count(distinct alert_techniques.incident_id) as integer)`.as('incidents'),
    ])
    .groupBy('alert_techniques.technique_id')
    .orderBy('alerts', 'desc')
    .orderBy('alert_techniques.technique_id', 'asc');
  if (filter.since !== undefined) {
    const since = normaliseSince(filter.since);
    query = query.innerJoin('incidents', 'incidents.id', 'alert_techniques.incident_id').where('incidents.created_at', '>=', since);
  }
  const rows = await query.execute();
  return rows.map((r) => ({ techniqueId: r.technique_id, alerts: Number(r.alerts), incidents: Number(r.incidents) }));
}

function normaliseSince(since: string): string {
  const t = Date.parse(since);
  if (Number.isNaN(t)) throw new UsageError(`"since" must be an ISO-8601 date or time, not "${since}"`);
  return new Date(t).toISOString();
}

/**
 * The columns a read without the source's own JSON leaves out: the raw JSON, and the content hash.
 * No reader of a stored incident uses the hash, and SQLite stores it after the raw JSON, so reaching
 * it means walking the raw text's overflow pages, which costs more than reading the raw JSON
 * itself. Such a read gives `raw` as null and `content_hash` as ''.
 */
type NotRead = 'raw' | 'content_hash';
const INCIDENT_COLUMNS_BUT_RAW = [
  'id', 'source', 'source_id', 'source_format', 'tenant_id', 'title', 'description', 'summary', 'severity', 'status', 'classification', 'determination',
  'assigned_to', 'created_at', 'updated_at', 'resolved_at', 'tags', 'web_url', 'redirect_incident_id', 'partial', 'imported_at',
] as const satisfies readonly Exclude<keyof IncidentsTable, NotRead>[];
const ALERT_COLUMNS_BUT_RAW = [
  'id', 'incident_id', 'source', 'source_id', 'provider_alert_id', 'title', 'description', 'severity', 'status', 'classification', 'determination', 'category',
  'service_source', 'detection_source', 'detector_id', 'product_name', 'assigned_to', 'actor_display_name', 'threat_display_name', 'threat_family_name',
  'created_at', 'updated_at', 'first_activity_at', 'last_activity_at', 'resolved_at', 'techniques', 'recommended_actions', 'web_url',
] as const satisfies readonly Exclude<keyof AlertsTable, NotRead>[];
const ENTITY_COLUMNS_BUT_RAW = ['incident_id', 'alert_id', 'ord', 'kind', 'source_type', 'key', 'display_name', 'roles', 'verdict', 'remediation_status', 'created_at', 'attributes'] as const satisfies readonly Exclude<
  keyof EntitiesTable,
  'raw'
>[];

// Every other column is listed (a column added to the schema must be added here too).
type Unlisted<T, L extends readonly unknown[]> = Exclude<Exclude<keyof T, NotRead>, L[number]>;
const allListed: [Unlisted<IncidentsTable, typeof INCIDENT_COLUMNS_BUT_RAW>, Unlisted<AlertsTable, typeof ALERT_COLUMNS_BUT_RAW>, Unlisted<EntitiesTable, typeof ENTITY_COLUMNS_BUT_RAW>] extends [never, never, never] ? true : false = true;
void allListed;

export interface ReadOptions {
  /**
   * Also read the source's own JSON of the incident, its alerts and their evidence (default true).
   * Without it `raw` is undefined everywhere: cheaper, for readers that only use the normalised fields.
   */
  raw?: boolean;
}

/** One incident by Hindsight's id or by the source's own id, fully reconstructed. */
export async function getIncident(db: Kysely<Database>, ref: string, options: ReadOptions = {}): Promise<StoredIncident | undefined> {
  const withRaw = options.raw !== false;
  const incidentRow = () => (withRaw ? db.selectFrom('incidents').selectAll() : db.selectFrom('incidents').select(INCIDENT_COLUMNS_BUT_RAW).select(sql<null>`null`.as('raw')).select(sql<string>`''`.as('content_hash')));
  let row = await incidentRow().where('id', '=', ref).executeTakeFirst();
  if (!row) {
    // The same source id could exist under two sources: a full incident wins over a partial one, then the oldest.
    row = await incidentRow()
      .where('source_id', '=', ref)
      .orderBy('partial', 'asc')
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .executeTakeFirst();
  }
  if (!row) return undefined;
  const id = row.id;
  const [alerts, entities, comments, changes] = await Promise.all([
    (withRaw ? db.selectFrom('alerts').selectAll() : db.selectFrom('alerts').select(ALERT_COLUMNS_BUT_RAW).select(sql<null>`null`.as('raw')).select(sql<string>`''`.as('content_hash')))
      .where('incident_id', '=', id)
      .orderBy('created_at', 'asc')
      .orderBy('source_id', 'asc')
      .execute(),
    (withRaw ? db.selectFrom('entities').selectAll() : db.selectFrom('entities').select(ENTITY_COLUMNS_BUT_RAW).select(sql<null>`null`.as('raw'))).where('incident_id', '=', id).orderBy('alert_id').orderBy('ord').execute(),
    db.selectFrom('comments').selectAll().where('incident_id', '=', id).orderBy('ord').execute(),
    db
      .selectFrom('status_changes')
      .selectAll()
      .where('incident_id', '=', id)
      .orderBy('at')
      .orderBy(sql`case when origin = 'import' then 1 else 0 end`)
      .orderBy('ord')
      .execute(),
  ]);
  const entitiesByAlert = groupBy(entities, (e) => e.alert_id);
  const commentsByAlert = groupBy(comments, (c) => c.alert_id ?? '');
  const changesByAlert = groupBy(changes, (c) => c.alert_id ?? '');
  return {
    ...incidentFromRow(row),
    alerts: alerts.map((a) =>
      alertFromRow(a, entitiesByAlert.get(a.id) ?? [], commentsByAlert.get(a.id) ?? [], changesByAlert.get(a.id) ?? []),
    ),
    comments: (commentsByAlert.get('') ?? []).map(commentFromRow),
    statusHistory: (changesByAlert.get('') ?? []).map(statusFromRow),
  };
}

function incidentFromRow(r: Selectable<IncidentsTable>): Omit<StoredIncident, 'alerts' | 'comments' | 'statusHistory'> {
  return {
    id: r.id,
    importedAt: r.imported_at,
    source: r.source,
    sourceFormat: r.source_format,
    sourceId: r.source_id,
    tenantId: r.tenant_id,
    title: r.title,
    description: r.description,
    summary: r.summary,
    severity: r.severity,
    status: r.status,
    classification: r.classification,
    determination: r.determination,
    assignedTo: r.assigned_to,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    resolvedAt: r.resolved_at,
    tags: parseJson(r.tags) as string[],
    webUrl: r.web_url,
    redirectIncidentId: r.redirect_incident_id,
    partial: Number(r.partial) === 1,
    raw: parseRaw(r.raw),
  };
}

function alertFromRow(
  r: Selectable<AlertsTable>,
  entities: Selectable<EntitiesTable>[],
  comments: Selectable<CommentsTable>[],
  changes: Selectable<StatusChangesTable>[],
): Alert {
  const raw = parseRaw(r.raw);
  const rawEvidence = typeof raw === 'object' && raw !== null && Array.isArray((raw as { evidence?: unknown }).evidence) ? ((raw as { evidence: unknown[] }).evidence) : [];
  return {
    sourceId: r.source_id,
    providerAlertId: r.provider_alert_id,
    title: r.title,
    description: r.description,
    severity: r.severity,
    status: r.status,
    classification: r.classification,
    determination: r.determination,
    category: r.category,
    serviceSource: r.service_source,
    detectionSource: r.detection_source,
    detectorId: r.detector_id,
    productName: r.product_name,
    assignedTo: r.assigned_to,
    actorDisplayName: r.actor_display_name,
    threatDisplayName: r.threat_display_name,
    threatFamilyName: r.threat_family_name,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    firstActivityAt: r.first_activity_at,
    lastActivityAt: r.last_activity_at,
    resolvedAt: r.resolved_at,
    techniques: parseJson(r.techniques) as string[],
    recommendedActions: r.recommended_actions,
    webUrl: r.web_url,
    evidence: entities.map((e) => entityFromRow(e, rawEvidence)),
    comments: comments.map(commentFromRow),
    statusHistory: changes.map(statusFromRow),
    raw,
  };
}

/** `@evidence:<index>` refers to the alert's raw evidence (see the importer); anything else is JSON. */
function entityRawFromRow(text: string | null, rawEvidence: unknown[]): unknown {
  if (text !== null && text.startsWith(EVIDENCE_REF)) return rawEvidence[Number(text.slice(EVIDENCE_REF.length))];
  return parseRaw(text);
}

function entityFromRow(r: Selectable<EntitiesTable>, rawEvidence: unknown[]): Entity {
  return {
    kind: r.kind as Entity['kind'],
    sourceType: r.source_type,
    key: r.key,
    displayName: r.display_name,
    roles: parseJson(r.roles) as string[],
    verdict: r.verdict,
    remediationStatus: r.remediation_status,
    createdAt: r.created_at,
    attributes: parseJson(r.attributes) as Entity['attributes'],
    raw: entityRawFromRow(r.raw, rawEvidence),
  };
}

function commentFromRow(r: Selectable<CommentsTable>): Comment {
  return { author: r.author, createdAt: r.created_at, text: r.text };
}

function statusFromRow(r: Selectable<StatusChangesTable>): StatusChange {
  return {
    field: r.field,
    from: r.from_value,
    to: r.to_value,
    at: r.at,
    by: r.by,
    origin: r.origin === 'import' ? 'import' : 'source',
  };
}

function parseJson(text: string): unknown {
  return JSON.parse(text) as unknown;
}

/** NULL means the record carried no raw source JSON. */
function parseRaw(text: string | null): unknown {
  return text === null ? undefined : parseJson(text);
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = map.get(key);
    if (list) list.push(item);
    else map.set(key, [item]);
  }
  return map;
}
