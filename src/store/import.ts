import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely, Updateable } from 'kysely';
import type { Alert, Comment, Entity, Incident, StatusChange } from '../model/index.js';
import { InputError } from '../model/errors.js';
import { rawJsonText } from '../model/raw-json.js';
import { BulkInserter, type SqlValue } from './bulk.js';
import { alertId, contentHash, incidentId } from './ids.js';
import type { AlertsTable, Database } from './schema.js';
import type { ImportedIncidentResult, ImportSummary, StoreKind } from './types.js';

/** The fields whose changes between two imports are recorded as status changes (model name, column). */
const TRACKED_FIELDS = [
  ['status', 'status'],
  ['classification', 'classification'],
  ['determination', 'determination'],
  ['assignedTo', 'assigned_to'],
  ['severity', 'severity'],
] as const;

type TrackedValues = Record<(typeof TRACKED_FIELDS)[number][0], string | null>;

interface KnownIncident extends TrackedValues {
  id: string;
  partial: boolean;
  updatedAt: string;
  hash: string;
}

interface KnownAlert extends TrackedValues {
  id: string;
  incidentId: string;
  updatedAt: string;
  hash: string;
}

type Outcome = ImportedIncidentResult['outcome'];
const OUTCOME_RANK: Record<Outcome, number> = { unchanged: 0, updated: 1, created: 2 };

/** The fields of a stored alert a partial incident's own fields are derived from. */
export interface PartialAlertFields {
  title: string;
  severity: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}

/** A partial incident's own fields, as its source derives them from its alerts. */
export interface PartialIncidentFields extends PartialAlertFields {
  statusHistory: StatusChange[];
}

export type PartialIncidentDeriver = (alerts: PartialAlertFields[]) => PartialIncidentFields;

const INCIDENT_COLUMNS = [
  'id', 'source', 'source_id', 'source_format', 'tenant_id', 'title', 'description', 'summary', 'severity', 'status',
  'classification', 'determination', 'assigned_to', 'created_at', 'updated_at', 'resolved_at', 'tags', 'web_url',
  'redirect_incident_id', 'partial', 'raw', 'content_hash', 'imported_at',
] as const;
const ALERT_COLUMNS = [
  'id', 'incident_id', 'source', 'source_id', 'provider_alert_id', 'title', 'description', 'severity', 'status',
  'classification', 'determination', 'category', 'service_source', 'detection_source', 'detector_id', 'product_name',
  'assigned_to', 'actor_display_name', 'threat_display_name', 'threat_family_name', 'created_at', 'updated_at',
  'first_activity_at', 'last_activity_at', 'resolved_at', 'techniques', 'recommended_actions', 'web_url', 'raw',
  'content_hash',
] as const;
const TECHNIQUE_COLUMNS = ['alert_id', 'incident_id', 'technique_id'] as const;
const ENTITY_COLUMNS = [
  'alert_id', 'incident_id', 'ord', 'kind', 'key', 'display_name', 'roles', 'verdict', 'remediation_status', 'created_at',
  'attributes', 'source_type', 'raw',
] as const;
const COMMENT_COLUMNS = ['incident_id', 'alert_id', 'ord', 'author', 'created_at', 'text'] as const;
const STATUS_COLUMNS = ['incident_id', 'alert_id', 'ord', 'field', 'from_value', 'to_value', 'at', 'by', 'origin'] as const;

/** Tables in the order their buffered rows are written (parents before children). */
const TABLES = [
  ['incidents', INCIDENT_COLUMNS],
  ['alerts', ALERT_COLUMNS],
  ['alert_techniques', TECHNIQUE_COLUMNS],
  ['entities', ENTITY_COLUMNS],
  ['comments', COMMENT_COLUMNS],
  ['status_changes', STATUS_COLUMNS],
] as const;
type TableName = (typeof TABLES)[number][0];

const FLUSH_AT_ROWS = 20_000;
const CHUNK_ALERTS = 2_000;
const CHUNK_INCIDENTS = 500;
const LOOKUP_KEYS = 900;

/**
 * Writes incidents inside one transaction (the caller opens it). Decides per incident and per alert
 * whether the record is new, newer or stale; buffers new rows and writes them as multi-row INSERTs;
 * looks up the stored state of a chunk of records with one query per table.
 */
export class IncidentImporter {
  private readonly incidents = new Map<string, KnownIncident>();
  private readonly alerts = new Map<string, KnownAlert>();
  private readonly buffers = new Map<TableName, SqlValue[][]>(TABLES.map(([t]) => [t, []]));
  private buffered = 0;
  private readonly bulk: BulkInserter;
  /** Every incident of the import by id, with the strongest outcome any of its batches had. */
  private readonly results = new Map<string, ImportedIncidentResult>();
  private alertCount = 0;
  private records = 0;
  /** Partial incidents whose stored alerts changed: their own fields are derived again at the end. */
  private readonly rederive = new Set<string>();

  constructor(
    private readonly db: Kysely<Database>,
    kind: StoreKind,
    private readonly now: string,
    sqlite?: BetterSqlite3.Database,
    private readonly derivePartial?: PartialIncidentDeriver,
  ) {
    this.bulk = new BulkInserter(kind, sqlite);
  }

  async importAll(input: readonly Incident[]): Promise<{ summary: ImportSummary; results: ImportedIncidentResult[] }> {
    await this.importBatch(input);
    return this.finish();
  }

  /**
   * Imports one batch of a larger import (same transaction). A later batch may carry more alerts of
   * an incident an earlier one created: they merge, and the incident counts once in the results.
   */
  async importBatch(input: readonly Incident[]): Promise<void> {
    input.forEach((incident, index) => checkIncident(incident, this.records + index));
    this.records += input.length;
    let start = 0;
    while (start < input.length) {
      let end = start;
      let alerts = 0;
      while (end < input.length && end - start < CHUNK_INCIDENTS && (alerts < CHUNK_ALERTS || end === start)) {
        alerts += (input[end] as Incident).alerts.length;
        end++;
      }
      const chunk = input.slice(start, end);
      await this.prefetch(chunk);
      for (const incident of chunk) {
        this.alertCount += incident.alerts.length;
        const result = await this.importOne(incident);
        const seen = this.results.get(result.id);
        if (!seen || OUTCOME_RANK[result.outcome] > OUTCOME_RANK[seen.outcome]) this.results.set(result.id, result);
      }
      start = end;
    }
  }

  /** Writes what is buffered, derives changed partial incidents again, and sums up the import. */
  async finish(): Promise<{ summary: ImportSummary; results: ImportedIncidentResult[] }> {
    await this.flush();
    if (this.derivePartial && this.rederive.size > 0) {
      await this.rederivePartials(this.derivePartial);
      await this.flush();
    }
    const results = [...this.results.values()];
    const summary: ImportSummary = { incidents: results.length, alerts: this.alertCount, created: 0, updated: 0, unchanged: 0 };
    for (const r of results) summary[r.outcome]++;
    return { summary, results };
  }

  /**
   * A partial incident (made of standalone alerts) has no fields of its own: they follow from its
   * alerts. When alerts of one arrive in several imports or batches, its fields are derived again
   * from all its stored alerts, its source history replaced, and its content hash renewed.
   */
  private async rederivePartials(derive: PartialIncidentDeriver): Promise<void> {
    for (const part of slices([...this.rederive], LOOKUP_KEYS)) {
      const alertRows = await this.db
        .selectFrom('alerts')
        .select(['incident_id', 'title', 'severity', 'status', 'created_at', 'updated_at', 'resolved_at', 'content_hash'])
        .where('incident_id', 'in', part)
        .orderBy('incident_id')
        .orderBy('id')
        .execute();
      const byIncident = new Map<string, typeof alertRows>();
      for (const r of alertRows) {
        let list = byIncident.get(r.incident_id);
        if (!list) byIncident.set(r.incident_id, (list = []));
        list.push(r);
      }
      const stored = await this.db
        .selectFrom('incidents')
        .select(['id', 'source', 'source_id', 'title', 'severity', 'status', 'created_at', 'updated_at', 'resolved_at', 'partial'])
        .where('id', 'in', part)
        .execute();
      for (const incident of stored) {
        const rows = byIncident.get(incident.id);
        if (!rows || rows.length === 0 || Number(incident.partial) !== 1) continue;
        const derived = derive(
          rows.map((r) => ({ title: r.title, severity: r.severity, status: r.status, createdAt: r.created_at, updatedAt: r.updated_at, resolvedAt: r.resolved_at })),
        );
        const same =
          derived.title === incident.title &&
          derived.severity === incident.severity &&
          derived.status === incident.status &&
          derived.createdAt === incident.created_at &&
          derived.updatedAt === incident.updated_at &&
          derived.resolvedAt === incident.resolved_at;
        if (same) continue;
        const hash = contentHash(
          [derived.title, derived.severity, derived.status, derived.createdAt, derived.updatedAt, derived.resolvedAt ?? '\u0000', ...rows.map((r) => r.content_hash)].join('\u0002'),
        );
        await this.db
          .updateTable('incidents')
          .set({
            title: derived.title,
            severity: derived.severity,
            status: derived.status,
            created_at: derived.createdAt,
            updated_at: derived.updatedAt,
            resolved_at: derived.resolvedAt,
            content_hash: hash,
            imported_at: this.now,
          })
          .where('id', '=', incident.id)
          .execute();
        await this.db.deleteFrom('status_changes').where('incident_id', '=', incident.id).where('alert_id', 'is', null).where('origin', '<>', 'import').execute();
        derived.statusHistory.forEach((change, i) => this.push('status_changes', statusRow(incident.id, null, i, change)));
        const known = this.incidents.get(keyOf(incident.source, incident.source_id));
        if (known) Object.assign(known, { updatedAt: derived.updatedAt, hash, status: derived.status, severity: derived.severity });
      }
    }
  }

  private async importOne(incident: Incident): Promise<ImportedIncidentResult> {
    const id = incidentId(incident.source, incident.sourceId);
    const result = (outcome: Outcome): ImportedIncidentResult => ({ id, source: incident.source, sourceId: incident.sourceId, outcome });
    const alerts = incident.alerts.map((a) => prepareAlert(incident.source, a));
    const row = incidentRow(incident, id, '', this.now);
    const comments = incident.comments.map((c, i) => commentRow(id, null, i, c));
    const history = incident.statusHistory.map((s, i) => statusRow(id, null, i, s));
    const hash = contentHash(
      [hashText(row, 1, INCIDENT_HASH_INDEX), ...comments.map((r) => hashText(r, 2)), ...history.map((r) => hashText(r, 2)), ...alerts.map((a) => a.hash)].join('\u0002'),
    );
    row[INCIDENT_HASH_INDEX] = hash;
    const key = keyOf(incident.source, incident.sourceId);
    const stored = this.incidents.get(key);

    if (!stored) {
      this.push('incidents', row);
      for (const r of comments) this.push('comments', r);
      for (const r of history) this.push('status_changes', r);
      this.incidents.set(key, { id, partial: incident.partial, updatedAt: incident.updatedAt, hash, ...tracked(incident) });
      await this.mergeAlerts(incident.source, alerts, id);
      return result('created');
    }

    if (incident.partial) {
      // A partial record never sets the stored incident's own fields: only its alerts merge in. A
      // stored partial incident's fields are derived again from all its alerts at the end.
      const changed = await this.mergeAlerts(incident.source, alerts, stored.id);
      if (changed && stored.partial) this.rederive.add(stored.id);
      return result(changed ? 'updated' : 'unchanged');
    }

    if (!stored.partial) {
      const order = compareTimes(incident.updatedAt, stored.updatedAt);
      if (order < 0 || (order === 0 && hash === stored.hash)) return result('unchanged');
    }

    await this.flush();
    const changes = stored.partial ? [] : trackedChanges(stored, incident, incident.updatedAt);
    await this.db
      .updateTable('incidents')
      .set(incidentUpdate(incident, hash, this.now))
      .where('id', '=', stored.id)
      .execute();
    await this.db.deleteFrom('comments').where('incident_id', '=', stored.id).where('alert_id', 'is', null).execute();
    await this.db
      .deleteFrom('status_changes')
      .where('incident_id', '=', stored.id)
      .where('alert_id', 'is', null)
      .where('origin', '<>', 'import')
      .execute();
    incident.comments.forEach((c, i) => this.push('comments', commentRow(stored.id, null, i, c)));
    incident.statusHistory
      .filter((s) => s.origin !== 'import')
      .forEach((s, i) => this.push('status_changes', statusRow(stored.id, null, i, s)));
    changes.forEach((s, i) => this.push('status_changes', statusRow(stored.id, null, i, s)));
    this.incidents.set(key, { id: stored.id, partial: false, updatedAt: incident.updatedAt, hash, ...tracked(incident) });
    await this.mergeAlerts(incident.source, alerts, stored.id);
    return result('updated');
  }

  /** Merges an incident's alerts one by one (newer wins); true when any alert was created or updated. */
  private async mergeAlerts(source: string, alerts: PreparedAlert[], incId: string): Promise<boolean> {
    let changed = false;
    for (const prepared of alerts) {
      if ((await this.mergeAlert(source, prepared, incId)) !== 'unchanged') changed = true;
    }
    return changed;
  }

  private async mergeAlert(source: string, prepared: PreparedAlert, incId: string): Promise<Outcome> {
    const { alert, hash } = prepared;
    const key = keyOf(source, alert.sourceId);
    const known = this.alerts.get(key);
    if (!known) {
      const id = alertId(source, alert.sourceId);
      this.pushAlert(prepared, id, incId, prepared.history);
      this.alerts.set(key, { id, incidentId: incId, updatedAt: alert.updatedAt, hash, ...tracked(alert) });
      return 'created';
    }
    const order = compareTimes(alert.updatedAt, known.updatedAt);
    if (order < 0 || (order === 0 && hash === known.hash && known.incidentId === incId)) return 'unchanged';

    // Replace the alert's row and children in place; status changes of origin `import` stay.
    await this.flush();
    const id = known.id;
    const was = known.incidentId;
    await this.db.deleteFrom('entities').where('incident_id', '=', was).where('alert_id', '=', id).execute();
    await this.db.deleteFrom('alert_techniques').where('incident_id', '=', was).where('alert_id', '=', id).execute();
    await this.db.deleteFrom('comments').where('incident_id', '=', was).where('alert_id', '=', id).execute();
    await this.db
      .deleteFrom('status_changes')
      .where('incident_id', '=', was)
      .where('alert_id', '=', id)
      .where('origin', '<>', 'import')
      .execute();
    if (was !== incId) {
      await this.db.updateTable('status_changes').set({ incident_id: incId }).where('incident_id', '=', was).where('alert_id', '=', id).execute();
    }
    const row = prepared.row;
    row[0] = id;
    row[1] = incId;
    const update: Record<string, SqlValue> = {};
    ALERT_COLUMNS.forEach((column, i) => {
      if (column !== 'id') update[column] = row[i] ?? null;
    });
    await this.db.updateTable('alerts').set(update as Updateable<AlertsTable>).where('id', '=', id).execute();
    const history = [
      ...alert.statusHistory.filter((s) => s.origin !== 'import'),
      ...trackedChanges(known, alert, alert.updatedAt),
    ].map((s, i) => statusRow(incId, id, i, s));
    this.pushChildren(prepared, id, incId, history);
    this.alerts.set(key, { id, incidentId: incId, updatedAt: alert.updatedAt, hash, ...tracked(alert) });
    return 'updated';
  }

  private pushAlert(prepared: PreparedAlert, id: string, incId: string, history: SqlValue[][]): void {
    const row = prepared.row;
    row[0] = id;
    row[1] = incId;
    this.push('alerts', row);
    this.pushChildren(prepared, id, incId, history);
  }

  private pushChildren(prepared: PreparedAlert, id: string, incId: string, history: SqlValue[][]): void {
    for (const technique of prepared.alert.techniques) this.push('alert_techniques', [id, incId, technique]);
    for (const r of prepared.entities) {
      r[0] = id;
      r[1] = incId;
      this.push('entities', r);
    }
    for (const r of prepared.comments) {
      r[0] = incId;
      r[1] = id;
      this.push('comments', r);
    }
    for (const r of history) {
      r[0] = incId;
      r[1] = id;
      this.push('status_changes', r);
    }
  }

  private push(table: TableName, row: SqlValue[]): void {
    (this.buffers.get(table) as SqlValue[][]).push(row);
    this.buffered++;
  }

  async flush(): Promise<void> {
    if (this.buffered === 0) return;
    for (const [table, columns] of TABLES) {
      const rows = this.buffers.get(table) as SqlValue[][];
      if (rows.length === 0) continue;
      this.buffers.set(table, []);
      await this.bulk.insert(this.db, table, columns, rows);
    }
    this.buffered = 0;
  }

  /** Loads the stored state of the chunk's incidents and alerts that are not known yet (one query per table and source). */
  private async prefetch(chunk: readonly Incident[]): Promise<void> {
    // Buffers are written between chunks once large enough; tables go parents first.
    if (this.buffered >= FLUSH_AT_ROWS) await this.flush();
    const incidentIds = new Map<string, Set<string>>();
    const alertIds = new Map<string, Set<string>>();
    for (const incident of chunk) {
      if (!this.incidents.has(keyOf(incident.source, incident.sourceId))) addTo(incidentIds, incident.source, incident.sourceId);
      for (const alert of incident.alerts) {
        if (!this.alerts.has(keyOf(incident.source, alert.sourceId))) addTo(alertIds, incident.source, alert.sourceId);
      }
    }
    for (const [source, ids] of incidentIds) {
      for (const part of slices([...ids], LOOKUP_KEYS)) {
        const rows = await this.db
          .selectFrom('incidents')
          .select(['id', 'source_id', 'partial', 'updated_at', 'content_hash', 'status', 'classification', 'determination', 'assigned_to', 'severity'])
          .where('source', '=', source)
          .where('source_id', 'in', part)
          .execute();
        for (const r of rows) {
          this.incidents.set(keyOf(source, r.source_id), {
            id: r.id,
            partial: Number(r.partial) === 1,
            updatedAt: r.updated_at,
            hash: r.content_hash,
            status: r.status,
            classification: r.classification,
            determination: r.determination,
            assignedTo: r.assigned_to,
            severity: r.severity,
          });
        }
      }
    }
    for (const [source, ids] of alertIds) {
      for (const part of slices([...ids], LOOKUP_KEYS)) {
        const rows = await this.db
          .selectFrom('alerts')
          .select(['id', 'incident_id', 'source_id', 'updated_at', 'content_hash', 'status', 'classification', 'determination', 'assigned_to', 'severity'])
          .where('source', '=', source)
          .where('source_id', 'in', part)
          .execute();
        for (const r of rows) {
          this.alerts.set(keyOf(source, r.source_id), {
            id: r.id,
            incidentId: r.incident_id,
            updatedAt: r.updated_at,
            hash: r.content_hash,
            status: r.status,
            classification: r.classification,
            determination: r.determination,
            assignedTo: r.assigned_to,
            severity: r.severity,
          });
        }
      }
    }
  }
}

/** An incoming alert with its rows built once: they serve both the content hash and the INSERTs. */
interface PreparedAlert {
  alert: Alert;
  row: SqlValue[];
  entities: SqlValue[][];
  comments: SqlValue[][];
  history: SqlValue[][];
  hash: string;
}

const ALERT_HASH_INDEX = ALERT_COLUMNS.indexOf('content_hash');
const INCIDENT_HASH_INDEX = INCIDENT_COLUMNS.indexOf('content_hash');

function prepareAlert(source: string, alert: Alert): PreparedAlert {
  const row = alertRow(source, alert, '', '', '');
  const rawEvidence = isRecord(alert.raw) && Array.isArray(alert.raw.evidence) ? (alert.raw.evidence as unknown[]) : undefined;
  const entities = alert.evidence.map((e, i) => entityRow('', '', i, e, rawEvidence));
  const comments = alert.comments.map((c, i) => commentRow('', null, i, c));
  const history = alert.statusHistory.map((s, i) => statusRow('', null, i, s));
  // The hash covers the record's values, not Hindsight's ids and bookkeeping (columns 0-1 and the hash itself).
  const hash = contentHash(
    [hashText(row, 2, ALERT_HASH_INDEX), ...entities.map((r) => hashText(r, 2)), ...comments.map((r) => hashText(r, 2)), ...history.map((r) => hashText(r, 2))].join('\u0002'),
  );
  row[ALERT_HASH_INDEX] = hash;
  return { alert, row, entities, comments, history, hash };
}

/** The values of a row as one string for hashing (NULL distinct from any text). */
function hashText(values: SqlValue[], from: number, to: number = values.length): string {
  let text = '';
  for (let i = from; i < to; i++) {
    const v = values[i];
    text += v === null || v === undefined ? '\u0000\u0001' : `${v}\u0001`;
  }
  return text;
}

/**
 * Evidence parsed from an alert keeps the very object of the alert's raw `evidence` array as its
 * raw; that JSON is then stored once (in the alert) and the entity row holds a reference to it
 * (`@evidence:<index>`, never valid JSON), resolved when the incident is read.
 */
function entityRaw(e: Entity, ord: number, rawEvidence: unknown[] | undefined): string | null {
  if (rawEvidence && e.raw !== undefined && e.raw !== null && typeof e.raw === 'object') {
    if (rawEvidence[ord] === e.raw) return `${EVIDENCE_REF}${ord}`;
    const at = rawEvidence.indexOf(e.raw);
    if (at >= 0) return `${EVIDENCE_REF}${at}`;
  }
  return rawJsonText(e.raw);
}

export const EVIDENCE_REF = '@evidence:';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entityRow(alId: string, incId: string, ord: number, e: Entity, rawEvidence?: unknown[]): SqlValue[] {
  return [
    alId,
    incId,
    ord,
    e.kind,
    e.key,
    e.displayName,
    JSON.stringify(e.roles),
    e.verdict,
    e.remediationStatus,
    e.createdAt,
    JSON.stringify(e.attributes),
    e.sourceType,
    entityRaw(e, ord, rawEvidence),
  ];
}

function keyOf(source: string, sourceId: string): string {
  return `${source}\u0000${sourceId}`;
}

function addTo(map: Map<string, Set<string>>, source: string, id: string): void {
  let set = map.get(source);
  if (!set) map.set(source, (set = new Set()));
  set.add(id);
}

function* slices<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Orders two ISO times; falls back to text order when either does not parse. */
export function compareTimes(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(ta) || Number.isNaN(tb)) return a < b ? -1 : a > b ? 1 : 0;
  return ta - tb;
}

function tracked(record: TrackedValues): TrackedValues {
  return {
    status: record.status,
    classification: record.classification,
    determination: record.determination,
    assignedTo: record.assignedTo,
    severity: record.severity,
  };
}

function trackedChanges(before: TrackedValues, after: TrackedValues, at: string): StatusChange[] {
  const changes: StatusChange[] = [];
  for (const [field] of TRACKED_FIELDS) {
    const from = before[field] ?? null;
    const to = after[field] ?? null;
    if (from !== to) changes.push({ field, from, to, at, by: null, origin: 'import' });
  }
  return changes;
}

function incidentRow(incident: Incident, id: string, hash: string, now: string): SqlValue[] {
  return [
    id,
    incident.source,
    incident.sourceId,
    incident.sourceFormat,
    incident.tenantId,
    incident.title,
    incident.description,
    incident.summary,
    incident.severity,
    incident.status,
    incident.classification,
    incident.determination,
    incident.assignedTo,
    incident.createdAt,
    incident.updatedAt,
    incident.resolvedAt,
    JSON.stringify(incident.tags),
    incident.webUrl,
    incident.redirectIncidentId,
    incident.partial ? 1 : 0,
    rawJsonText(incident.raw),
    hash,
    now,
  ];
}

function incidentUpdate(incident: Incident, hash: string, now: string) {
  return {
    source_format: incident.sourceFormat,
    tenant_id: incident.tenantId,
    title: incident.title,
    description: incident.description,
    summary: incident.summary,
    severity: incident.severity,
    status: incident.status,
    classification: incident.classification,
    determination: incident.determination,
    assigned_to: incident.assignedTo,
    created_at: incident.createdAt,
    updated_at: incident.updatedAt,
    resolved_at: incident.resolvedAt,
    tags: JSON.stringify(incident.tags),
    web_url: incident.webUrl,
    redirect_incident_id: incident.redirectIncidentId,
    partial: 0,
    raw: rawJsonText(incident.raw),
    content_hash: hash,
    imported_at: now,
  };
}

function alertRow(source: string, alert: Alert, id: string, incId: string, hash: string): SqlValue[] {
  return [
    id,
    incId,
    source,
    alert.sourceId,
    alert.providerAlertId,
    alert.title,
    alert.description,
    alert.severity,
    alert.status,
    alert.classification,
    alert.determination,
    alert.category,
    alert.serviceSource,
    alert.detectionSource,
    alert.detectorId,
    alert.productName,
    alert.assignedTo,
    alert.actorDisplayName,
    alert.threatDisplayName,
    alert.threatFamilyName,
    alert.createdAt,
    alert.updatedAt,
    alert.firstActivityAt,
    alert.lastActivityAt,
    alert.resolvedAt,
    JSON.stringify(alert.techniques),
    alert.recommendedActions,
    alert.webUrl,
    rawJsonText(alert.raw),
    hash,
  ];
}

function commentRow(incId: string, alId: string | null, ord: number, c: Comment): SqlValue[] {
  return [incId, alId, ord, c.author, c.createdAt, c.text];
}

function statusRow(incId: string, alId: string | null, ord: number, s: StatusChange): SqlValue[] {
  return [incId, alId, ord, s.field, s.from, s.to, s.at, s.by, s.origin];
}

/**
 * A quick structural check of what the store relies on (the full zod validation happens at ingest):
 * a record that fails it stops the whole import before anything is committed.
 */
function checkIncident(incident: Incident, index: number): void {
  const fail = (path: string, what: string): never => {
    throw new InputError(`incident [${index}]${path}: ${what}`, { path: `[${index}]${path}` });
  };
  if (typeof incident !== 'object' || incident === null) fail('', 'is not an incident record');
  for (const field of ['source', 'sourceId', 'sourceFormat', 'title', 'severity', 'status', 'createdAt', 'updatedAt'] as const) {
    if (typeof incident[field] !== 'string') fail(`.${field}`, 'must be a string');
  }
  if (!incident.source || !incident.sourceId) fail('.sourceId', 'source and sourceId must not be empty');
  if (!Array.isArray(incident.alerts)) fail('.alerts', 'must be an array');
  if (!Array.isArray(incident.comments)) fail('.comments', 'must be an array');
  if (!Array.isArray(incident.statusHistory)) fail('.statusHistory', 'must be an array');
  if (!Array.isArray(incident.tags)) fail('.tags', 'must be an array');
  incident.alerts.forEach((alert, a) => {
    for (const field of ['sourceId', 'title', 'severity', 'status', 'createdAt', 'updatedAt'] as const) {
      if (typeof alert[field] !== 'string') fail(`.alerts[${a}].${field}`, 'must be a string');
    }
    if (!alert.sourceId) fail(`.alerts[${a}].sourceId`, 'must not be empty');
    if (!Array.isArray(alert.evidence)) fail(`.alerts[${a}].evidence`, 'must be an array');
    if (!Array.isArray(alert.techniques)) fail(`.alerts[${a}].techniques`, 'must be an array');
    if (!Array.isArray(alert.comments)) fail(`.alerts[${a}].comments`, 'must be an array');
    if (!Array.isArray(alert.statusHistory)) fail(`.alerts[${a}].statusHistory`, 'must be an array');
  });
}
