import { jsonText } from '../../model/canonical-json.js';
import type { Alert, Comment, Entity, Incident, StatusChange } from '../../model/incident.js';
import { isRecord } from '../../model/json.js';
import { contentHash } from '../ids.js';
import { toFlag, toJsonText } from '../json-text.js';
import type { AlertsTable, CommentsTable, EntitiesTable, IncidentsTable, StatusChangesTable } from '../tables/incidents.js';

/**
 * THE mapping from the model's incidents and alerts to their rows: typed against the table types,
 * so the compiler checks every column. The bulk INSERT takes its columns from the keys of these
 * rows and the UPDATE of a newer record sets these rows' values; nothing else lists the columns.
 *
 * Key order matters twice: the bulk INSERT binds values in key order, and the content hash reads
 * them in key order (the order of the columns since the first version, so the hashes of stored
 * records stay valid).
 */

/**
 * An entity's raw JSON that is the very object of its alert's raw `evidence` array is stored once
 * (in the alert); the entity row holds a reference to it (`@evidence:<index>`, never valid JSON),
 * resolved when the incident is read.
 */
export const EVIDENCE_REF = '@evidence:';

/**
 * The raw JSON text of a record: the source's own text when ingest kept it, else `raw` serialised
 * (by jsonText: integers beyond 2^53, which ingest keeps as bigint, keep their digits, and no depth
 * exhausts the stack); NULL for no raw.
 */
export function rawJsonText(record: { raw: unknown; rawText?: string | undefined }): string | null {
  if (record.rawText !== undefined) return record.rawText;
  return record.raw === undefined ? null : jsonText(record.raw);
}

/** An incident's row; its content hash is set once its children's rows are built. */
export function incidentRow(incident: Incident, id: string, importedAt: string): IncidentsTable {
  return {
    id,
    source: incident.source,
    sourceId: incident.sourceId,
    sourceFormat: incident.sourceFormat,
    tenantId: incident.tenantId,
    title: incident.title,
    description: incident.description,
    summary: incident.summary,
    severity: incident.severity,
    status: incident.status,
    classification: incident.classification,
    determination: incident.determination,
    assignedTo: incident.assignedTo,
    createdAt: incident.createdAt,
    updatedAt: incident.updatedAt,
    resolvedAt: incident.resolvedAt,
    tags: toJsonText(incident.tags),
    webUrl: incident.webUrl,
    redirectIncidentId: incident.redirectIncidentId,
    partial: toFlag(incident.partial),
    raw: rawJsonText(incident),
    contentHash: '',
    importedAt,
  };
}

/** What a newer record of a stored incident changes: every column but its identity. */
export function incidentChanges(row: IncidentsTable): Omit<IncidentsTable, 'id' | 'source' | 'sourceId'> {
  const { id: _id, source: _source, sourceId: _sourceId, ...changes } = row;
  return changes;
}

/** An alert's row; its ids are set when it is filed under its incident, its content hash when its children's rows are built. */
export function alertRow(source: string, alert: Alert): AlertsTable {
  return {
    id: '',
    incidentId: '',
    source,
    sourceId: alert.sourceId,
    providerAlertId: alert.providerAlertId,
    title: alert.title,
    description: alert.description,
    severity: alert.severity,
    status: alert.status,
    classification: alert.classification,
    determination: alert.determination,
    category: alert.category,
    serviceSource: alert.serviceSource,
    detectionSource: alert.detectionSource,
    detectorId: alert.detectorId,
    productName: alert.productName,
    assignedTo: alert.assignedTo,
    actorDisplayName: alert.actorDisplayName,
    threatDisplayName: alert.threatDisplayName,
    threatFamilyName: alert.threatFamilyName,
    createdAt: alert.createdAt,
    updatedAt: alert.updatedAt,
    firstActivityAt: alert.firstActivityAt,
    lastActivityAt: alert.lastActivityAt,
    resolvedAt: alert.resolvedAt,
    techniques: toJsonText(alert.techniques),
    recommendedActions: alert.recommendedActions,
    webUrl: alert.webUrl,
    raw: rawJsonText(alert),
    contentHash: '',
  };
}

/** What a newer record of a stored alert changes: every column but its id. */
export function alertChanges(row: AlertsTable): Omit<AlertsTable, 'id'> {
  const { id: _id, ...changes } = row;
  return changes;
}

export function entityRow(ord: number, e: Entity, rawEvidence: readonly unknown[] | undefined): EntitiesTable {
  return {
    alertId: '',
    incidentId: '',
    ord,
    kind: e.kind,
    key: e.key,
    displayName: e.displayName,
    roles: toJsonText(e.roles),
    verdict: e.verdict,
    remediationStatus: e.remediationStatus,
    createdAt: e.createdAt,
    attributes: toJsonText(e.attributes),
    sourceType: e.sourceType,
    raw: entityRaw(e, ord, rawEvidence),
  };
}

export function commentRow(incidentId: string, alertId: string | null, ord: number, c: Comment): CommentsTable {
  return { incidentId, alertId, ord, author: c.author, createdAt: c.createdAt, text: c.text };
}

export function statusRow(incidentId: string, alertId: string | null, ord: number, s: StatusChange): StatusChangesTable {
  return { incidentId, alertId, ord, field: s.field, fromValue: s.from, toValue: s.to, at: s.at, by: s.by, origin: s.origin };
}

/** The raw evidence array of an alert's raw JSON, which its entities' raw JSON may refer into. */
export function rawEvidenceOf(alert: Alert): readonly unknown[] | undefined {
  return isRecord(alert.raw) && Array.isArray(alert.raw.evidence) ? (alert.raw.evidence as unknown[]) : undefined;
}

function entityRaw(e: Entity, ord: number, rawEvidence: readonly unknown[] | undefined): string | null {
  if (rawEvidence && e.raw !== undefined && e.raw !== null && typeof e.raw === 'object') {
    if (rawEvidence[ord] === e.raw) return `${EVIDENCE_REF}${ord}`;
    const at = rawEvidence.indexOf(e.raw);
    if (at >= 0) return `${EVIDENCE_REF}${at}`;
  }
  return e.raw === undefined ? null : jsonText(e.raw);
}

/** Hindsight's own columns, which a content hash leaves out: the record's values alone make it. */
const NOT_CONTENT = new Set(['id', 'incidentId', 'alertId', 'contentHash', 'importedAt']);

/** The values of a row as one text for hashing, in key order, NULL distinct from any text. */
export function contentText(row: object): string {
  let text = '';
  const values = row as Record<string, string | number | null>;
  for (const key in values) {
    if (NOT_CONTENT.has(key)) continue;
    const v = values[key];
    text += v === null || v === undefined ? '\u0000\u0001' : `${v}\u0001`;
  }
  return text;
}

/** The content hash of a record: its row's values, then those of each list of its children's rows (or their hashes). */
export function recordHash(row: object, ...children: readonly (readonly (object | string)[])[]): string {
  const texts = [contentText(row)];
  for (const list of children) for (const child of list) texts.push(typeof child === 'string' ? child : contentText(child));
  // One join makes one flat text to hash.
  return contentHash(texts.join('\u0002'));
}
