import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Alert, Incident, IncidentTriage } from '../../model/incident.js';
import type { Database } from '../database.js';
import { alertId, incidentId } from '../ids.js';
import { parseJsonText, toJsonText } from '../json-text.js';
import type { CommentsTable, EntitiesTable, StatusChangesTable, AlertsTable } from '../tables/incidents.js';
import type { ImportedIncidentResult, ImportResult, ImportSummary, StoreKind } from '../types.js';
import { checkIncident } from './check-incident.js';
import { compareTimes, keyOf, KnownRecords, tracked, trackedChanges, type KnownIncident } from './known-records.js';
import { derivePartialsAgain, type PartialIncidentDeriver } from './partial-incidents.js';
import { alertObservableRows, newObservableRow } from '../observables/rows.js';
import { RowBuffer } from './row-buffer.js';
import { alertChanges, alertRow, commentRow, entityRow, incidentChanges, incidentRow, rawEvidenceOf, recordHash, statusRow } from './rows.js';

type Outcome = ImportedIncidentResult['outcome'];
const OUTCOME_RANK: Record<Outcome, number> = { unchanged: 0, updated: 1, created: 2 };

/** Records looked up in the store at once: at most this many incidents, or this many alerts. */
const CHUNK_INCIDENTS = 500;
const CHUNK_ALERTS = 2_000;

/** An incoming alert with its rows built once: they serve both the content hash and the INSERTs. */
interface PreparedAlert {
  alert: Alert;
  row: AlertsTable;
  entities: EntitiesTable[];
  comments: CommentsTable[];
  history: StatusChangesTable[];
  hash: string;
}

/**
 * Writes incidents inside one transaction (the caller opens it). Decides per incident and per alert
 * whether the record is new, newer or stale; buffers new rows and writes them as multi-row INSERTs;
 * looks up the stored state of a chunk of records with one query per table.
 */
export class IncidentImporter {
  private readonly known: KnownRecords;
  private readonly rows: RowBuffer;
  /** Every incident of the import by id, with the strongest outcome any of its batches had. */
  private readonly results = new Map<string, ImportedIncidentResult & { key: string }>();
  private alertCount = 0;
  /** The alerts counted so far: an alert a file (or the import) holds twice is counted once. */
  private readonly countedAlerts = new Set<string>();
  private records = 0;
  /** Partial incidents whose stored alerts changed: their own fields are derived again at the end. */
  private readonly derivedAgain = new Set<string>();
  /** Observables already buffered by this import: each is written once, however many alerts carry it. */
  private readonly observablesWritten = new Set<string>();

  constructor(
    private readonly db: Kysely<Database>,
    kind: StoreKind,
    private readonly now: string,
    sqlite?: BetterSqlite3.Database,
    private readonly derivePartial?: PartialIncidentDeriver,
  ) {
    this.known = new KnownRecords(db);
    this.rows = new RowBuffer(db, kind, sqlite);
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
      // Buffers are written between chunks once large enough; tables go parents first.
      if (this.rows.full) await this.rows.flush();
      await this.known.lookUp(chunk);
      for (const incident of chunk) {
        for (const alert of incident.alerts) {
          const alertKey = keyOf(incident.source, alert.sourceId);
          if (!this.countedAlerts.has(alertKey)) {
            this.countedAlerts.add(alertKey);
            this.alertCount++;
          }
        }
        const result = await this.importOne(incident);
        const seen = this.results.get(result.id);
        if (!seen || OUTCOME_RANK[result.outcome] > OUTCOME_RANK[seen.outcome]) this.results.set(result.id, result);
      }
      start = end;
    }
  }

  /** Writes what is buffered, derives changed partial incidents again, and sums up the import. */
  async finish(): Promise<ImportResult> {
    await this.rows.flush();
    if (this.derivePartial && this.derivedAgain.size > 0) {
      await derivePartialsAgain(this.db, [...this.derivedAgain], this.derivePartial, this.now, this.known, this.rows);
      await this.rows.flush();
    }
    const results: ImportedIncidentResult[] = [];
    const triage = new Map<string, IncidentTriage>();
    const summary: ImportSummary = { incidents: 0, alerts: this.alertCount, created: 0, updated: 0, unchanged: 0 };
    for (const { key, ...result } of this.results.values()) {
      results.push(result);
      summary.incidents++;
      summary[result.outcome]++;
      const known = this.known.incidents.get(key);
      if (known) triage.set(result.id, { severity: known.severity ?? 'unknown', tags: parseJsonText(known.tags), classification: known.classification, determination: known.determination });
    }
    return { summary, results, triage };
  }

  private async importOne(incident: Incident): Promise<ImportedIncidentResult & { key: string }> {
    const id = incidentId(incident.source, incident.sourceId);
    const key = keyOf(incident.source, incident.sourceId);
    const result = (outcome: Outcome) => ({ id, source: incident.source, sourceId: incident.sourceId, outcome, key });
    const alerts = incident.alerts.map((a) => prepareAlert(incident.source, a));
    const stored = this.known.incidents.get(key);
    const row = incidentRow(incident, id, this.now);
    const comments = incident.comments.map((c, i) => commentRow(id, null, i, c));
    const history = incident.statusHistory.map((s, i) => statusRow(id, null, i, s));
    const hash = recordHash(row, comments, history, alerts.map((a) => a.hash));
    row.contentHash = hash;
    // One incident both Defender XDR and Sentinel report (the unified portal): whichever source
    // writes it last, it keeps the Sentinel incident number it is addressed by. The hash stays the
    // record's own, so the next identical record from either source is unchanged.
    if (stored && !incident.partial) row.tags = toJsonText(withSentinelNumbers(incident.tags, parseJsonText(stored.tags)));
    /** What the import knows of the incident once it has written this record under `storedId`. */
    const written = (storedId: string): KnownIncident => ({ id: storedId, partial: incident.partial, updatedAt: incident.updatedAt, hash, tags: row.tags, sourceFormat: incident.sourceFormat, ...tracked(incident) });

    if (!stored) {
      this.rows.push('incidents', row);
      for (const r of comments) this.rows.push('comments', r);
      for (const r of history) this.rows.push('statusChanges', r);
      this.known.incidents.set(key, written(id));
      await this.mergeAlerts(incident.source, alerts, id);
      return result('created');
    }

    if (incident.partial) {
      // A partial record never sets the stored incident's own fields: only its alerts merge in. A
      // stored partial incident's fields are derived again from all its alerts at the end.
      const changed = await this.mergeAlerts(incident.source, alerts, stored.id);
      if (changed && stored.partial) this.derivedAgain.add(stored.id);
      return result(changed ? 'updated' : 'unchanged');
    }

    if (!stored.partial) {
      const order = compareTimes(incident.updatedAt, stored.updatedAt);
      // Sentinel's copy of a Defender XDR incident (the unified portal) at the time already stored is
      // the same version seen through another API: it never overwrites the record Defender gave.
      const copy = stored.sourceFormat !== incident.sourceFormat && isCopyOfAnotherProduct(incident);
      if (copy && order === 0) return result((await this.addSentinelNumbers(stored, incident.tags)) ? 'updated' : 'unchanged');
      if (order < 0 || (order === 0 && hash === stored.hash)) return result('unchanged');
    }

    await this.rows.flush();
    const changes = stored.partial ? [] : trackedChanges(stored, incident, incident.updatedAt);
    await this.db.updateTable('incidents').set(incidentChanges(row)).where('id', '=', stored.id).execute();
    await this.db.deleteFrom('comments').where('incidentId', '=', stored.id).where('alertId', 'is', null).execute();
    await this.db.deleteFrom('statusChanges').where('incidentId', '=', stored.id).where('alertId', 'is', null).where('origin', '<>', 'import').execute();
    incident.comments.forEach((c, i) => this.rows.push('comments', commentRow(stored.id, null, i, c)));
    incident.statusHistory
      .filter((s) => s.origin !== 'import')
      .forEach((s, i) => this.rows.push('statusChanges', statusRow(stored.id, null, i, s)));
    changes.forEach((s, i) => this.rows.push('statusChanges', statusRow(stored.id, null, i, s)));
    this.known.incidents.set(key, written(stored.id));
    await this.mergeAlerts(incident.source, alerts, stored.id);
    return result('updated');
  }

  /** Adds the Sentinel incident numbers a copy names to the stored incident's tags; true when any was missing. */
  private async addSentinelNumbers(stored: KnownIncident, tags: string[]): Promise<boolean> {
    const had = parseJsonText(stored.tags);
    const merged = withSentinelNumbers(had, tags);
    if (merged.length === had.length) return false;
    await this.rows.flush();
    stored.tags = toJsonText(merged);
    await this.db.updateTable('incidents').set({ tags: stored.tags }).where('id', '=', stored.id).execute();
    return true;
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
    const known = this.known.alerts.get(key);
    if (!known) {
      const id = alertId(source, alert.sourceId);
      this.pushAlert(prepared, id, incId, prepared.history);
      this.known.alerts.set(key, { id, incidentId: incId, updatedAt: alert.updatedAt, hash, ...tracked(alert) });
      return 'created';
    }
    const order = compareTimes(alert.updatedAt, known.updatedAt);
    if (order < 0 || (order === 0 && hash === known.hash && known.incidentId === incId)) return 'unchanged';

    // Replace the alert's row and children in place; status changes of origin `import` stay.
    await this.rows.flush();
    const id = known.id;
    const was = known.incidentId;
    await this.db.deleteFrom('entities').where('incidentId', '=', was).where('alertId', '=', id).execute();
    await this.db.deleteFrom('observableSightings').where('incidentId', '=', was).where('alertId', '=', id).where('origin', '=', 'entity').execute();
    await this.db.deleteFrom('alertTechniques').where('incidentId', '=', was).where('alertId', '=', id).execute();
    await this.db.deleteFrom('comments').where('incidentId', '=', was).where('alertId', '=', id).execute();
    await this.db.deleteFrom('statusChanges').where('incidentId', '=', was).where('alertId', '=', id).where('origin', '<>', 'import').execute();
    if (was !== incId) {
      await this.db.updateTable('statusChanges').set({ incidentId: incId }).where('incidentId', '=', was).where('alertId', '=', id).execute();
    }
    prepared.row.id = id;
    prepared.row.incidentId = incId;
    await this.db.updateTable('alerts').set(alertChanges(prepared.row)).where('id', '=', id).execute();
    const history = [...alert.statusHistory.filter((s) => s.origin !== 'import'), ...trackedChanges(known, alert, alert.updatedAt)].map((s, i) => statusRow(incId, id, i, s));
    this.pushChildren(prepared, id, incId, history);
    this.known.alerts.set(key, { id, incidentId: incId, updatedAt: alert.updatedAt, hash, ...tracked(alert) });
    return 'updated';
  }

  private pushAlert(prepared: PreparedAlert, id: string, incId: string, history: StatusChangesTable[]): void {
    prepared.row.id = id;
    prepared.row.incidentId = incId;
    this.rows.push('alerts', prepared.row);
    this.pushChildren(prepared, id, incId, history);
  }

  private pushChildren(prepared: PreparedAlert, id: string, incId: string, history: StatusChangesTable[]): void {
    for (const techniqueId of prepared.alert.techniques) this.rows.push('alertTechniques', { alertId: id, incidentId: incId, techniqueId });
    for (const r of prepared.entities) {
      r.alertId = id;
      r.incidentId = incId;
      this.rows.push('entities', r);
    }
    // The evidence's observables: a new observable once, a sighting per (observable, alert).
    const observed = alertObservableRows(incId, id, prepared.alert, prepared.alert.evidence);
    for (const o of observed.observables) {
      if (this.observablesWritten.has(o.id)) continue;
      this.observablesWritten.add(o.id);
      this.rows.push('observables', newObservableRow(o.id, o.type, o.value, 'entity', this.now));
    }
    for (const r of observed.sightings) this.rows.push('observableSightings', r);
    for (const r of prepared.comments) {
      r.incidentId = incId;
      r.alertId = id;
      this.rows.push('comments', r);
    }
    for (const r of history) {
      r.incidentId = incId;
      r.alertId = id;
      this.rows.push('statusChanges', r);
    }
  }
}

/** An alert's rows and content hash; its ids are filled in when it is filed under an incident. */
function prepareAlert(source: string, alert: Alert): PreparedAlert {
  const row = alertRow(source, alert);
  const rawEvidence = rawEvidenceOf(alert);
  const entities = alert.evidence.map((e, i) => entityRow(i, e, rawEvidence));
  const comments = alert.comments.map((c, i) => commentRow('', null, i, c));
  const history = alert.statusHistory.map((s, i) => statusRow('', null, i, s));
  const hash = recordHash(row, entities, comments, history);
  row.contentHash = hash;
  return { alert, row, entities, comments, history, hash };
}

/** `tags`, with the `sentinel:<number>` tags of `other` it lacks. */
function withSentinelNumbers(tags: string[], other: string[]): string[] {
  const kept = other.filter((t) => t.startsWith('sentinel:') && !tags.includes(t));
  return kept.length === 0 ? tags : [...tags, ...kept];
}

/** A record read through another product's API than its source's own (Sentinel listing a Defender XDR incident). */
function isCopyOfAnotherProduct(incident: Incident): boolean {
  return incident.sourceFormat === 'sentinel' && incident.source !== 'microsoft-sentinel';
}
