import { InputError } from '../model/errors.js';
import type { Incident } from '../model/incident.js';
import { isRecord, type JsonObject } from '../model/json.js';
import { Duplicates } from './duplicates.js';
import { describe, Where } from './fields.js';
import { detectRecord, FORMAT_NAMES, FORMATS, formatByName, type FormatName, type MappedAlert, type RecordFormat } from './formats.js';
import { DEFAULT_GROUPING, groupAlerts, type GroupingOptions } from './grouping.js';
import type { JsonDocument } from './json-text.js';
import { formatFromContext } from './microsoft-formats.js';

/** `auto` detects the format from the file's content (per record where the shapes tell). */
export type IngestFormat = 'auto' | FormatName;
export type DetectedFormat = FormatName;

export interface ParseResult {
  /** The file's format: the requested one, else the first one a record told. */
  format: DetectedFormat;
  /** Every format a record of this batch was read as (more than one in a mixed NDJSON file); absent when it had no record. */
  formats?: DetectedFormat[];
  incidents: Incident[];
  /** Distinct alerts of the file so far, this batch included (an alert the file repeats counts once). */
  alertsSoFar: number;
}

export interface BatchSource {
  file: string;
  format?: IngestFormat;
  /** How alerts that name no incident are grouped (default: host and user, 1h windows). */
  grouping?: GroupingOptions;
  /** Told of what is kept but worth a look: an id the file holds twice, invalid UTF-8. */
  onWarning?: (message: string) => void;
}

/** One record of a document and where it is. */
interface RecordAt {
  value: unknown;
  where: Where;
  /** The format the record's own shape tells (auto detection), if any. */
  format: RecordFormat | undefined;
  /** The format a page's @odata.context names, if any. */
  contextHint: FormatName | undefined;
  /** The record's own JSON text, when it is alone on its NDJSON line. */
  text: string | undefined;
  /** An empty page: no record, only its @odata.context to tell the format by. */
  empty: boolean;
}

/**
 * The incidents of JSON documents, at most `batchRecords` records to a batch, whatever the shape of
 * each document. Envelopes are unwrapped here, for every format alike (see recordsOf); the formats
 * (src/ingest/formats.ts) only see records. The documents come a block at a time (a block of an
 * NDJSON file, or one whole document) and are parsed as the batches are taken. Incidents come whole;
 * standalone alerts join an incident of the same batch they name, else become partial incidents (the
 * one they name, or the one the grouping rule gives); the store merges a partial incident's alerts
 * with what an earlier batch or import stored, so the end result is the same as one batch. A bad
 * record throws when its batch is reached: the caller writes all batches in one transaction and rolls back.
 */
export async function* batchesOf(
  blocks: AsyncIterable<Iterable<JsonDocument>> | Iterable<Iterable<JsonDocument>>,
  source: BatchSource,
  batchRecords: number,
): AsyncGenerator<ParseResult> {
  const batcher = new Batcher(source.file, checkFormat(source), source.grouping ?? DEFAULT_GROUPING, batchRecords, new Duplicates(source.file, source.onWarning));
  for await (const documents of blocks) {
    for (const record of recordsOf(documents, source.file)) {
      const batch = batcher.add(record);
      if (batch) yield batch;
    }
  }
  yield* batcher.end();
}

function checkFormat(source: BatchSource): RecordFormat | undefined {
  const requested = source.format ?? 'auto';
  if (requested === 'auto') return undefined;
  const format = formatByName(requested);
  if (format) return format;
  throw new InputError(`unknown format "${requested}" (expected auto, ${FORMAT_NAMES.join(', ')})`, { file: source.file });
}

/**
 * Collects records into batches. With a requested format every record is read as it; with `auto`
 * each record is read as the format its own shape tells, and a record whose shape tells none as the
 * file's format: the first one a record told, else a page's @odata.context. Records read before the
 * file's format is known wait in the first batch.
 */
class Batcher {
  private fileFormat: RecordFormat | undefined;
  private contextHint: FormatName | undefined;
  private batch: RecordAt[] = [];
  private emitted = false;

  constructor(
    private readonly file: string,
    private readonly requested: RecordFormat | undefined,
    private readonly grouping: GroupingOptions,
    private readonly batchRecords: number,
    private readonly duplicates: Duplicates,
  ) {
    this.fileFormat = requested;
  }

  add(record: RecordAt): ParseResult | undefined {
    if (!this.requested && !record.empty && isRecord(record.value)) {
      record.format = detectRecord(record.value);
      this.fileFormat ??= record.format;
    }
    this.batch.push(record);
    this.contextHint ??= record.contextHint;
    if (this.fileFormat === undefined) return undefined;
    if (this.batch.length < this.batchRecords) return undefined;
    return this.take(this.fileFormat);
  }

  *end(): Generator<ParseResult> {
    let format = this.fileFormat ?? (this.contextHint ? formatByName(this.contextHint) : undefined);
    if (format === undefined) {
      const first = this.batch.find((r) => !r.empty);
      if (first) first.where.fail(`cannot tell the format: expected one of ${FORMATS.map((f) => f.describe ?? f.name).join('; ')}`);
      format = FORMATS[0]!;
    }
    if (this.batch.length > 0 || !this.emitted) yield this.take(format);
    this.duplicates.end();
  }

  private take(fileFormat: RecordFormat): ParseResult {
    const records = this.batch;
    this.batch = [];
    this.emitted = true;
    const formats = new Set<FormatName>();
    const incidents = parseRecords(records, fileFormat, { file: this.file, grouping: this.grouping, duplicates: this.duplicates }, formats);
    return { format: fileFormat.name, ...(formats.size > 0 ? { formats: [...formats] } : {}), incidents, alertsSoFar: this.duplicates.alertCount };
  }
}

/** Keys an Elasticsearch/OpenSearch search response or Splunk REST envelope may carry beside its records. */
const SPLUNK_RESULTS_KEYS = new Set(['results', 'preview', 'init_offset', 'messages', 'fields', 'highlighted', 'post_process_count']);
const SPLUNK_EXPORT_KEYS = new Set(['result', 'preview', 'offset', 'lastrow']);

function onlyKeys(obj: JsonObject, allowed: Set<string>): boolean {
  for (const k of Object.keys(obj)) if (!allowed.has(k)) return false;
  return true;
}

/**
 * An Elasticsearch/OpenSearch hit `{_index, _id, _source}`, or one that carries only `fields` (a
 * search with `_source: false` and `fields: [...]`, as Kibana's own alert table asks): every field
 * flattened, its values in arrays, which the mappers read as they read multi-valued fields.
 */
function isHit(value: unknown): value is JsonObject {
  return isRecord(value) && (isRecord(value._source) || (value._source === undefined && isRecord(value.fields))) && ('_index' in value || '_id' in value);
}

/** The document of a hit: its `_source`, else its `fields`. */
function hitDocument(hit: JsonObject, where: Where): { value: JsonObject; where: Where } {
  return isRecord(hit._source) ? { value: hit._source, where: where.key('_source') } : { value: hit.fields as JsonObject, where: where.key('fields') };
}

/**
 * The records of documents, envelopes unwrapped: an array (each item, a hit's `_source`), a
 * Graph-style page `{value: [...]}`, an Elasticsearch/OpenSearch search response
 * `{hits: {hits: [{_source}]}}` or one hit `{_index, _id, _source}`, Splunk's REST search results
 * `{results: [...]}` (with preview/fields/messages beside) and export lines `{preview, offset,
 * result: {...}}`; anything else is one record.
 */
function* recordsOf(documents: Iterable<JsonDocument>, file: string): Generator<RecordAt> {
  const item = (value: unknown, where: Where, contextHint?: FormatName, text?: string): RecordAt =>
    isHit(value) ? { ...hitDocument(value, where), format: undefined, contextHint, text: undefined, empty: false } : { value, where, format: undefined, contextHint, text, empty: false };
  const empty = (where: Where, contextHint: FormatName | undefined): RecordAt => ({ value: undefined, where, format: undefined, contextHint, text: undefined, empty: true });
  for (const doc of documents) {
    const root = new Where(file, '$', doc.line);
    const value = doc.value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) yield item(value[i], root.index(i));
      continue;
    }
    if (!isRecord(value)) {
      yield item(value, root, undefined, doc.text);
      continue;
    }
    const contextHint = formatFromContext(value);
    const hits = isRecord(value.hits) && Array.isArray(value.hits.hits) ? value.hits.hits : undefined;
    let list: { items: unknown[]; at: Where } | undefined;
    if (Array.isArray(value.value)) list = { items: value.value, at: root.key('value') };
    else if (hits) list = { items: hits, at: root.key('hits').key('hits') };
    else if (Array.isArray(value.results) && onlyKeys(value, SPLUNK_RESULTS_KEYS)) list = { items: value.results, at: root.key('results') };
    if (list) {
      if (list.items.length === 0) yield empty(list.at, contextHint);
      for (let i = 0; i < list.items.length; i++) {
        const entry = list.items[i];
        const at = list.at.index(i);
        if (hits && !isHit(entry)) at.fail(`expected a search hit with a "_source" or "fields" object, got ${describe(entry)}`);
        yield item(entry, at, contextHint);
      }
    } else if (isRecord(value.result) && onlyKeys(value, SPLUNK_EXPORT_KEYS)) {
      yield item(value.result, root.key('result'));
    } else {
      // A record alone on its NDJSON line: the line is its raw JSON (unless it is a hit around the record).
      yield item(value, root, contextHint, doc.text);
    }
  }
}

/** Turns records into incidents: each read as its own format or the file's, standalone alerts grouped. */
function parseRecords(
  records: readonly RecordAt[],
  fileFormat: RecordFormat,
  { file, grouping, duplicates }: { file: string; grouping: GroupingOptions; duplicates: Duplicates },
  formats: Set<FormatName>,
): Incident[] {
  const incidents: Incident[] = [];
  const standalone: MappedAlert[] = [];
  const context = { file };
  for (const { value, where, empty, text, format } of records) {
    if (empty) continue;
    const reader = format ?? fileFormat;
    formats.add(reader.name);
    const mapped = reader.parse(objectRecord(value, where), where, context);
    for (const m of mapped) {
      if (text !== undefined && mapped.length === 1) (m.kind === 'incident' ? m.incident : m.alert).rawText = text;
      if (m.kind === 'incident') {
        // A repeated incident's alerts repeat with it: the incident alone is reported. (Partial incidents
        // of one key, several to a file, are expected.)
        const repeated = !m.incident.partial && duplicates.incident(m.incident.source, m.incident.sourceId, where);
        for (const alert of m.incident.alerts) duplicates.alert(m.incident.source, alert.sourceId, where, !repeated);
        incidents.push(m.incident);
      } else {
        duplicates.alert(m.source, m.alert.sourceId, where);
        standalone.push(m);
      }
    }
  }

  // Standalone alerts naming an incident of the same batch join it; the rest become partial incidents.
  // An alert an incident of the batch already references (an OCSF Incident Finding's finding_info_list)
  // replaces that reference with its full content instead.
  const byId = new Map(incidents.map((i) => [`${i.source}\u0000${i.sourceId}`, i]));
  const referenced = new Map<string, { incident: Incident; index: number }>();
  for (const incident of incidents) incident.alerts.forEach((a, index) => referenced.set(`${incident.source}\u0000${a.sourceId}`, { incident, index }));
  const rest: MappedAlert[] = [];
  for (const entry of standalone) {
    const target = entry.incidentKey === undefined ? undefined : byId.get(`${entry.source}\u0000${entry.incidentKey}`);
    const reference = entry.incidentKey === undefined ? referenced.get(`${entry.source}\u0000${entry.alert.sourceId}`) : undefined;
    if (reference) reference.incident.alerts[reference.index] = entry.alert;
    else if (!target) rest.push(entry);
    else if (!target.alerts.some((a) => a.sourceId === entry.alert.sourceId)) target.alerts.push(entry.alert);
  }
  for (const incident of groupAlerts(rest, grouping)) incidents.push(incident);
  // The mappers build complete model records (every field set, times normalised), so they are not
  // validated a second time: test/ingest/schema.test.ts checks fixtures' output against IncidentSchema.
  return incidents;
}

function objectRecord(value: unknown, where: Where): JsonObject {
  if (!isRecord(value)) return where.fail(`expected an incident or alert object, got ${describe(value)}`);
  return value;
}

/** The format a record's own shape tells, if any. */
export function detectRecordFormat(obj: JsonObject): DetectedFormat | undefined {
  return detectRecord(obj)?.name;
}

export { formatFromContext };
