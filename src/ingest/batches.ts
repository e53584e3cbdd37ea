import { InputError } from '../model/errors.js';
import type { Alert, Incident } from '../model/incident.js';
import { isRecord, type JsonObject } from '../model/json.js';
import { describe, idOf, Where } from './fields.js';
import { groupAlertsIntoIncidents, isGraphAlert, parseGraphAlert, parseGraphIncident } from './graph.js';
import type { JsonDocument } from './json-text.js';
import { parseM365dAlert, parseM365dIncident } from './m365d.js';

/** `auto` detects the format from the file's content. */
export type IngestFormat = 'auto' | 'graph' | 'm365d';
export type DetectedFormat = 'graph' | 'm365d';

export interface ParseResult {
  format: DetectedFormat;
  incidents: Incident[];
}

/** One record of a document and where it is. */
interface RecordAt {
  value: unknown;
  where: Where;
  /** The format a page's @odata.context names, if any. */
  contextHint: DetectedFormat | undefined;
  /** The record's own JSON text, when it is alone on its NDJSON line. */
  text: string | undefined;
  /** An empty page: no record, only its @odata.context to tell the format by. */
  empty: boolean;
}

/**
 * The incidents of JSON documents, at most `batchRecords` records to a batch, whatever the shape of
 * each document: one object, an array, a Graph/Defender page `{"value": [...]}` (with or without
 * `@odata.context`/`@odata.nextLink`), or one NDJSON line. The documents come a block at a time
 * (a block of an NDJSON file, or one whole document) and are parsed as the batches are taken.
 * Records may be incidents (alerts expanded or not) or standalone alerts, which are grouped by
 * incidentId into partial incidents (or added to an incident of the same batch); the store merges a
 * partial incident's alerts with what an earlier batch stored, so the end result is the same as one
 * batch. A bad record throws when its batch is reached: the caller writes all batches in one
 * transaction and rolls back.
 */
export async function* batchesOf(
  blocks: AsyncIterable<Iterable<JsonDocument>> | Iterable<Iterable<JsonDocument>>,
  source: { file: string; format?: IngestFormat; onWarning?: (message: string) => void },
  batchRecords: number,
): AsyncGenerator<ParseResult> {
  const batcher = new Batcher(source.file, checkFormat(source), batchRecords, new Duplicates(source.file, source.onWarning));
  for await (const documents of blocks) {
    for (const record of recordsOf(documents, source.file)) {
      const batch = batcher.add(record);
      if (batch) yield batch;
    }
  }
  yield* batcher.end();
}

function checkFormat(source: { file: string; format?: IngestFormat }): IngestFormat {
  const requested = source.format ?? 'auto';
  if (!['auto', 'graph', 'm365d'].includes(requested)) throw new InputError(`unknown format "${requested}" (expected auto, graph or m365d)`, { file: source.file });
  return requested;
}

/**
 * Collects records into batches. The format is the requested one, else the first record that tells
 * it, else a page's @odata.context; records read while looking wait in the first batch.
 */
class Batcher {
  private format: DetectedFormat | undefined;
  private contextHint: DetectedFormat | undefined;
  private batch: RecordAt[] = [];
  private emitted = false;

  constructor(
    private readonly file: string,
    requested: IngestFormat,
    private readonly batchRecords: number,
    private readonly duplicates: Duplicates,
  ) {
    this.format = requested === 'auto' ? undefined : requested;
  }

  add(record: RecordAt): ParseResult | undefined {
    this.batch.push(record);
    if (this.format === undefined) {
      this.contextHint ??= record.contextHint;
      if (isRecord(record.value)) this.format = detectRecordFormat(record.value);
      if (this.format === undefined) return undefined;
    }
    if (this.batch.length < this.batchRecords) return undefined;
    return this.take(this.format);
  }

  *end(): Generator<ParseResult> {
    let format = this.format ?? this.contextHint;
    if (format === undefined) {
      const first = this.batch.find((r) => !r.empty);
      if (first) first.where.fail('cannot tell the format: expected Microsoft Graph security incidents/alerts (id, createdDateTime) or Microsoft 365 Defender incidents (incidentId, createdTime)');
      format = 'graph';
    }
    if (this.batch.length > 0 || !this.emitted) yield this.take(format);
    this.duplicates.end();
  }

  private take(format: DetectedFormat): ParseResult {
    const records = this.batch;
    this.batch = [];
    this.emitted = true;
    return { format, incidents: parseRecords(records, format, this.duplicates) };
  }
}

function* recordsOf(documents: Iterable<JsonDocument>, file: string): Generator<RecordAt> {
  for (const doc of documents) {
    const root = new Where(file, '$', doc.line);
    const contextHint = formatFromContext(doc.value);
    if (Array.isArray(doc.value)) {
      for (let i = 0; i < doc.value.length; i++) yield { value: doc.value[i], where: root.index(i), contextHint: undefined, text: undefined, empty: false };
    } else if (isRecord(doc.value) && Array.isArray(doc.value.value)) {
      const at = root.key('value');
      const list = doc.value.value;
      if (list.length === 0 && contextHint) yield { value: undefined, where: at, contextHint, text: undefined, empty: true };
      for (let i = 0; i < list.length; i++) yield { value: list[i], where: at.index(i), contextHint, text: undefined, empty: false };
    } else {
      // A record alone on its NDJSON line: the line is its raw JSON.
      yield { value: doc.value, where: root, contextHint, text: doc.text, empty: false };
    }
  }
}

/** Turns records of a known format into incidents (standalone alerts grouped by incident). */
function parseRecords(records: readonly RecordAt[], format: DetectedFormat, duplicates: Duplicates): Incident[] {
  const incidents: Incident[] = [];
  const standalone: { alert: Alert; raw: JsonObject; where: Where }[] = [];
  for (const { value: record, where, empty, text } of records) {
    if (empty) continue;
    const value = objectRecord(record, where);
    if (format === 'graph' ? isGraphAlert(value) : isM365dAlert(value)) {
      const alert = format === 'graph' ? parseGraphAlert(value, where) : parseM365dAlert(value, where);
      if (text !== undefined) alert.rawText = text;
      duplicates.alert(alert.sourceId, where);
      standalone.push({ alert, raw: value, where });
    } else {
      const incident = format === 'graph' ? parseGraphIncident(value, where) : parseM365dIncident(value, where);
      if (text !== undefined) incident.rawText = text;
      // A repeated incident's alerts repeat with it: the incident alone is reported.
      const repeated = duplicates.incident(incident.sourceId, where);
      for (const alert of incident.alerts) duplicates.alert(alert.sourceId, where, !repeated);
      incidents.push(incident);
    }
  }

  // Standalone alerts of an incident that is in the same batch join it; the rest become partial incidents.
  const byId = new Map(incidents.map((i) => [i.sourceId, i]));
  const orphans: typeof standalone = [];
  for (const entry of standalone) {
    const incidentId = idOf(entry.raw.incidentId, entry.where.key('incidentId'));
    const target = incidentId === null ? undefined : byId.get(incidentId);
    if (!target) {
      orphans.push(entry);
      continue;
    }
    if (!target.alerts.some((a) => a.sourceId === entry.alert.sourceId)) target.alerts.push(entry.alert);
  }
  for (const incident of groupAlertsIntoIncidents(orphans, format)) incidents.push(incident);
  // The mappers build complete model records (every field set, times normalised by parseTime), so
  // they are not validated a second time: test/ingest/schema.test.ts checks that each fixture's
  // output is exactly what IncidentSchema.parse makes of it.
  return incidents;
}

/** An m365d record that is a standalone alert rather than an incident. */
function isM365dAlert(value: JsonObject): boolean {
  return 'alertId' in value && !('incidentName' in value) && !('createdTime' in value);
}

function objectRecord(value: unknown, where: Where): JsonObject {
  if (!isRecord(value)) return where.fail(`expected an incident or alert object, got ${describe(value)}`);
  return value;
}

export function detectRecordFormat(obj: JsonObject): DetectedFormat | undefined {
  const odata = obj['@odata.type'];
  if (typeof odata === 'string' && /microsoft\.graph\.security\.(incident|alert)$/i.test(odata)) return 'graph';
  if ('incidentId' in obj && ('incidentName' in obj || 'createdTime' in obj || 'lastUpdateTime' in obj)) return 'm365d';
  if ('alertId' in obj && ('creationTime' in obj || 'lastUpdatedTime' in obj)) return 'm365d';
  if ('id' in obj && ('createdDateTime' in obj || 'lastUpdateDateTime' in obj)) return 'graph';
  return undefined;
}

export function formatFromContext(doc: unknown): DetectedFormat | undefined {
  if (!isRecord(doc)) return undefined;
  const context = doc['@odata.context'];
  if (typeof context !== 'string') return undefined;
  if (/graph\.microsoft\.com/i.test(context) || /#security\//i.test(context)) return 'graph';
  if (/api\.security\.microsoft\.com|securitycenter|\$metadata#Incidents/i.test(context)) return 'm365d';
  return undefined;
}

/** How many duplicate ids of one file are named one by one before the rest are only counted. */
const NAMED_DUPLICATES = 20;

/**
 * The ids of incidents and alerts seen in one file, to report an id the file holds more than once:
 * one warning per id (naming the file and where it appears again), the first 20 ids named and the
 * rest counted. The records still go to the store, which keeps one row per id (the newer record
 * wins) and counts each incident and alert once.
 */
class Duplicates {
  private readonly incidents = new Set<string>();
  private readonly alerts = new Set<string>();
  private readonly reported = new Set<string>();
  private unnamed = 0;

  constructor(
    private readonly file: string,
    private readonly onWarning: ((message: string) => void) | undefined,
  ) {}

  /** Notes an incident id; true when it had been seen in the file. */
  incident(id: string, where: Where): boolean {
    if (!this.incidents.has(id)) {
      this.incidents.add(id);
      return false;
    }
    this.report('incident', id, where);
    return true;
  }

  /** Notes an alert id (reporting a repeat unless `report` is false). */
  alert(id: string, where: Where, report = true): void {
    if (!this.alerts.has(id)) this.alerts.add(id);
    else if (report) this.report('alert', id, where);
  }

  end(): void {
    if (this.unnamed > 0) this.onWarning?.(`${this.file}: ${this.unnamed} more duplicate id(s); each is imported and counted once`);
  }

  private report(kind: string, id: string, where: Where): void {
    if (!this.onWarning || this.reported.has(`${kind}:${id}`)) return;
    this.reported.add(`${kind}:${id}`);
    if (this.reported.size > NAMED_DUPLICATES) this.unnamed++;
    else this.onWarning(`${this.file}: ${where.shownPath}: duplicate ${kind} id ${JSON.stringify(id)} (it appears earlier in the file); it is imported and counted once`);
  }
}
