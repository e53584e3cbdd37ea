import { sql, type Kysely, type Selectable } from 'kysely';
import type { Alert, Comment, Entity, StatusChange, StoredIncident } from '../../model/incident.js';
import { isRecord } from '../../model/json.js';
import type { Database } from '../database.js';
import { fromFlag, parseJsonText } from '../json-text.js';
import type { AlertsTable, CommentsTable, EntitiesTable, IncidentsTable, StatusChangesTable } from '../tables/incidents.js';
import { compiledRead } from '../compiled-read.js';
import { EVIDENCE_REF } from './rows.js';
import { incidentIdBySentinelNumber } from './refs.js';

/**
 * The columns a read without the source's own JSON leaves out: the raw JSON, and the content hash.
 * No reader of a stored incident uses the hash, and SQLite stores it after the raw JSON, so reaching
 * it means walking the raw text's overflow pages, which costs more than reading the raw JSON
 * itself. Such a read gives `raw` as null and `contentHash` as ''.
 */
type NotRead = 'raw' | 'contentHash';
const INCIDENT_COLUMNS_BUT_RAW = [
  'id', 'source', 'sourceId', 'sourceFormat', 'tenantId', 'title', 'description', 'summary', 'severity', 'status', 'classification', 'determination',
  'assignedTo', 'createdAt', 'updatedAt', 'resolvedAt', 'tags', 'webUrl', 'redirectIncidentId', 'partial', 'importedAt',
] as const satisfies readonly Exclude<keyof IncidentsTable, NotRead>[];
const ALERT_COLUMNS_BUT_RAW = [
  'id', 'incidentId', 'source', 'sourceId', 'providerAlertId', 'title', 'description', 'severity', 'status', 'classification', 'determination', 'category',
  'serviceSource', 'detectionSource', 'detectorId', 'productName', 'assignedTo', 'actorDisplayName', 'threatDisplayName', 'threatFamilyName',
  'createdAt', 'updatedAt', 'firstActivityAt', 'lastActivityAt', 'resolvedAt', 'techniques', 'recommendedActions', 'webUrl',
] as const satisfies readonly Exclude<keyof AlertsTable, NotRead>[];
const ENTITY_COLUMNS_BUT_RAW = ['incidentId', 'alertId', 'ord', 'kind', 'sourceType', 'key', 'displayName', 'roles', 'verdict', 'remediationStatus', 'createdAt', 'attributes'] as const satisfies readonly Exclude<
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

// The reads of an incident, with and without the source's own JSON, compiled once (compiled-read.ts).
const incidentColumns = (db: Kysely<Database>, withRaw: boolean) =>
  withRaw ? db.selectFrom('incidents').selectAll() : db.selectFrom('incidents').select(INCIDENT_COLUMNS_BUT_RAW).select(sql<null>`null`.as('raw')).select(sql<string>`''`.as('contentHash'));
const incidentById = (withRaw: boolean) => compiledRead((db, id: string) => incidentColumns(db, withRaw).where('id', '=', id), ['']);
// The same source id could exist under two sources: a full incident wins over a partial one, then the oldest.
const incidentBySourceId = (withRaw: boolean) =>
  compiledRead((db, sourceId: string) => incidentColumns(db, withRaw).where('sourceId', '=', sourceId).orderBy('partial', 'asc').orderBy('createdAt', 'asc').orderBy('id', 'asc'), ['']);
const alertsOf = (withRaw: boolean) =>
  compiledRead(
    (db, incidentId: string) =>
      (withRaw ? db.selectFrom('alerts').selectAll() : db.selectFrom('alerts').select(ALERT_COLUMNS_BUT_RAW).select(sql<null>`null`.as('raw')).select(sql<string>`''`.as('contentHash')))
        .where('incidentId', '=', incidentId)
        .orderBy('createdAt', 'asc')
        .orderBy('sourceId', 'asc'),
    [''],
  );
const entitiesOf = (withRaw: boolean) =>
  compiledRead(
    (db, incidentId: string) =>
      (withRaw ? db.selectFrom('entities').selectAll() : db.selectFrom('entities').select(ENTITY_COLUMNS_BUT_RAW).select(sql<null>`null`.as('raw'))).where('incidentId', '=', incidentId).orderBy('alertId').orderBy('ord'),
    [''],
  );
const READS = {
  raw: { byId: incidentById(true), bySourceId: incidentBySourceId(true), alerts: alertsOf(true), entities: entitiesOf(true) },
  lean: { byId: incidentById(false), bySourceId: incidentBySourceId(false), alerts: alertsOf(false), entities: entitiesOf(false) },
};
const commentsOf = compiledRead((db, incidentId: string) => db.selectFrom('comments').selectAll().where('incidentId', '=', incidentId).orderBy('ord'), ['']);
const changesOf = compiledRead(
  (db, incidentId: string) =>
    db
      .selectFrom('statusChanges')
      .selectAll()
      .where('incidentId', '=', incidentId)
      .orderBy('at')
      .orderBy(sql`case when origin = 'import' then 1 else 0 end`)
      .orderBy('ord'),
  [''],
);

/** One incident by Hindsight's id or by the source's own id, fully reconstructed. */
export async function getIncident(db: Kysely<Database>, ref: string, options: ReadOptions = {}): Promise<StoredIncident | undefined> {
  const reads = options.raw !== false ? READS.raw : READS.lean;
  let row = (await reads.byId(db, ref))[0] ?? (await reads.bySourceId(db, ref))[0];
  if (!row) {
    // A Sentinel incident is also addressed by its incident number (`hindsight review 3177`).
    const byNumber = await incidentIdBySentinelNumber(db, ref);
    row = byNumber === undefined ? undefined : (await reads.byId(db, byNumber))[0];
  }
  if (!row) return undefined;
  const id = row.id;
  const [alerts, entities, comments, changes] = await Promise.all([reads.alerts(db, id), reads.entities(db, id), commentsOf(db, id), changesOf(db, id)]);
  const entitiesByAlert = groupBy(entities, (e) => e.alertId);
  const commentsByAlert = groupBy(comments, (c) => c.alertId ?? '');
  const changesByAlert = groupBy(changes, (c) => c.alertId ?? '');
  return {
    ...incidentFromRow(row),
    alerts: alerts.map((a) => alertFromRow(a, entitiesByAlert.get(a.id) ?? [], commentsByAlert.get(a.id) ?? [], changesByAlert.get(a.id) ?? [])),
    comments: (commentsByAlert.get('') ?? []).map(commentFromRow),
    statusHistory: (changesByAlert.get('') ?? []).map(statusFromRow),
  };
}

function incidentFromRow(r: Selectable<IncidentsTable>): Omit<StoredIncident, 'alerts' | 'comments' | 'statusHistory'> {
  return {
    id: r.id,
    importedAt: r.importedAt,
    source: r.source,
    sourceFormat: r.sourceFormat,
    sourceId: r.sourceId,
    tenantId: r.tenantId,
    title: r.title,
    description: r.description,
    summary: r.summary,
    severity: r.severity,
    status: r.status,
    classification: r.classification,
    determination: r.determination,
    assignedTo: r.assignedTo,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    resolvedAt: r.resolvedAt,
    tags: parseJsonText(r.tags),
    webUrl: r.webUrl,
    redirectIncidentId: r.redirectIncidentId,
    partial: fromFlag(r.partial),
    raw: parseRaw(r.raw),
  };
}

function alertFromRow(r: Selectable<AlertsTable>, entities: Selectable<EntitiesTable>[], comments: Selectable<CommentsTable>[], changes: Selectable<StatusChangesTable>[]): Alert {
  const raw = parseRaw(r.raw);
  const rawEvidence = isRecord(raw) && Array.isArray(raw.evidence) ? (raw.evidence as unknown[]) : [];
  return {
    sourceId: r.sourceId,
    providerAlertId: r.providerAlertId,
    title: r.title,
    description: r.description,
    severity: r.severity,
    status: r.status,
    classification: r.classification,
    determination: r.determination,
    category: r.category,
    serviceSource: r.serviceSource,
    detectionSource: r.detectionSource,
    detectorId: r.detectorId,
    productName: r.productName,
    assignedTo: r.assignedTo,
    actorDisplayName: r.actorDisplayName,
    threatDisplayName: r.threatDisplayName,
    threatFamilyName: r.threatFamilyName,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    firstActivityAt: r.firstActivityAt,
    lastActivityAt: r.lastActivityAt,
    resolvedAt: r.resolvedAt,
    techniques: parseJsonText(r.techniques),
    recommendedActions: r.recommendedActions,
    webUrl: r.webUrl,
    evidence: entities.map((e) => entityFromRow(e, rawEvidence)),
    comments: comments.map(commentFromRow),
    statusHistory: changes.map(statusFromRow),
    raw,
  };
}

/** `@evidence:<index>` refers to the alert's raw evidence (see rows.ts); anything else is JSON. */
function entityRawFromRow(text: string | null, rawEvidence: unknown[]): unknown {
  if (text !== null && text.startsWith(EVIDENCE_REF)) return rawEvidence[Number(text.slice(EVIDENCE_REF.length))];
  return parseRaw(text);
}

function entityFromRow(r: Selectable<EntitiesTable>, rawEvidence: unknown[]): Entity {
  return {
    kind: r.kind,
    sourceType: r.sourceType,
    key: r.key,
    displayName: r.displayName,
    roles: parseJsonText(r.roles),
    verdict: r.verdict,
    remediationStatus: r.remediationStatus,
    createdAt: r.createdAt,
    attributes: parseJsonText(r.attributes),
    raw: entityRawFromRow(r.raw, rawEvidence),
  };
}

function commentFromRow(r: Selectable<CommentsTable>): Comment {
  return { author: r.author, createdAt: r.createdAt, text: r.text };
}

function statusFromRow(r: Selectable<StatusChangesTable>): StatusChange {
  return { field: r.field, from: r.fromValue, to: r.toValue, at: r.at, by: r.by, origin: r.origin === 'import' ? 'import' : 'source' };
}

/** NULL means the record carried no raw source JSON. */
function parseRaw(text: string | null): unknown {
  return text === null ? undefined : (JSON.parse(text) as unknown);
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
