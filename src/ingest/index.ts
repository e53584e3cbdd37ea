import { readFile } from 'node:fs/promises';
import { InputError } from '../model/errors.js';
import { rememberSourceText } from '../model/raw-json.js';
import type { Alert, Incident } from '../model/incident.js';
import { describe, isObject, Where, type JsonObject } from './fields.js';
import { groupAlertsIntoIncidents, isGraphAlert, parseGraphAlert, parseGraphIncident } from './graph.js';
import { fileLooksLikeNdjson, iterateJsonDocuments, streamNdjsonBlocks, type JsonDocument } from './json-text.js';
import { parseM365dAlert, parseM365dIncident } from './m365d.js';

/** `auto` detects the format from the file's content. */
export type IngestFormat = 'auto' | 'graph' | 'm365d';
export type DetectedFormat = 'graph' | 'm365d';

export interface ParseResult {
  format: DetectedFormat;
  incidents: Incident[];
}

export { findSyntaxError } from './json-text.js';
export { mapGraphEvidence } from './graph-evidence.js';
export { derivePartialIncident } from './graph.js';
export { mapM365dDevice, mapM365dEntity } from './m365d.js';

interface RecordAt {
  value: unknown;
  where: Where;
  /** An empty page: no record, only its @odata.context to tell the format by. */
  empty?: boolean;
}

/** Reads and parses one file of Defender incidents or alerts. Throws InputError (exit 2) naming the file, line/column or JSON path. */
export async function parseFile(path: string, format: IngestFormat = 'auto'): Promise<ParseResult> {
  return parseText(await readInputFile(path), { file: path, format });
}

/** The text of an input file; a missing or unreadable file is an InputError naming it. */
export async function readInputFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_STRING_TOO_LONG') throw new InputError('the file is too large to read as one JSON document: export it as NDJSON (one record per line), which is read line by line', { file: path });
    throw new InputError(code === 'ENOENT' ? 'file not found' : `cannot read the file: ${(error as Error).message}`, { file: path });
  }
}

/**
 * Parses a file a batch of records at a time: an NDJSON file is read from disk line by line (never
 * held whole, whatever its size), any other file as one text (see parseTextInBatches).
 */
export async function* parseFileInBatches(path: string, format: IngestFormat = 'auto', batchRecords = 5_000): AsyncGenerator<ParseResult> {
  let ndjson: boolean;
  try {
    ndjson = await fileLooksLikeNdjson(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'file not found' : `cannot read the file: ${(error as Error).message}`, { file: path });
  }
  if (!ndjson) {
    yield* parseTextInBatches(await readInputFile(path), { file: path, format }, batchRecords);
    return;
  }
  yield* batchesOf(recordsOfBlocks(streamNdjsonBlocks(path), path), { file: path, format }, batchRecords);
}

/** The records of each block of NDJSON documents, a block at a time. */
async function* recordsOfBlocks(blocks: AsyncIterable<JsonDocument[]>, file: string): AsyncGenerator<Iterable<RecordAt & { contextHint?: DetectedFormat }>> {
  for await (const documents of blocks) yield recordsOf(documents, file);
}

/**
 * Parses the text of one file: one JSON object, an array, a Graph/Defender page
 * `{"value": [...]}` (with or without `@odata.context`/`@odata.nextLink`), or NDJSON. Records may be
 * incidents (alerts expanded or not) or standalone alerts, which are grouped by incidentId into
 * partial incidents (or added to an incident of the same file). All-or-nothing: any bad record
 * rejects the whole file.
 */
export function parseText(text: string, source: { file: string; format?: IngestFormat }): ParseResult {
  let format: DetectedFormat = 'graph';
  const incidents: Incident[] = [];
  for (const batch of parseTextInBatches(text, source, Number.POSITIVE_INFINITY)) {
    format = batch.format;
    for (const incident of batch.incidents) incidents.push(incident);
  }
  return { format, incidents };
}

/**
 * parseText in batches of at most `batchRecords` records, for files too large to hold parsed all at
 * once: NDJSON lines are parsed as the batches are taken. Standalone alerts are grouped within a
 * batch; the store merges a partial incident's alerts with what an earlier batch stored, so the end
 * result is the same as one batch. A bad record throws when its batch is reached: the caller writes
 * all batches in one transaction and rolls back.
 */
export function* parseTextInBatches(
  text: string,
  source: { file: string; format?: IngestFormat },
  batchRecords = 5_000,
): Generator<ParseResult> {
  const requested = checkFormat(source);
  const { documents } = iterateJsonDocuments(text, source.file);
  const batcher = new Batcher(source.file, requested, batchRecords);
  for (const record of recordsOf(documents, source.file)) {
    const batch = batcher.add(record);
    if (batch) yield batch;
  }
  yield* batcher.end();
}

/** parseTextInBatches over records that arrive asynchronously, a block at a time (an NDJSON file read from disk). */
async function* batchesOf(
  blocks: AsyncIterable<Iterable<RecordAt & { contextHint?: DetectedFormat }>>,
  source: { file: string; format?: IngestFormat },
  batchRecords: number,
): AsyncGenerator<ParseResult> {
  const batcher = new Batcher(source.file, checkFormat(source), batchRecords);
  for await (const records of blocks) {
    for (const record of records) {
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
  ) {
    this.format = requested === 'auto' ? undefined : requested;
  }

  add(record: RecordAt & { contextHint?: DetectedFormat }): ParseResult | undefined {
    this.batch.push(record);
    if (this.format === undefined) {
      this.contextHint ??= record.contextHint;
      if (isObject(record.value)) this.format = detectRecordFormat(record.value);
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
  }

  private take(format: DetectedFormat): ParseResult {
    const records = this.batch;
    this.batch = [];
    this.emitted = true;
    return { format, incidents: parseRecords(records, format) };
  }
}

function* recordsOf(documents: Iterable<JsonDocument>, file: string): Generator<RecordAt & { contextHint?: DetectedFormat }> {
  for (const doc of documents) {
    const root = new Where(file, '$', doc.line);
    const contextHint = formatFromContext(doc.value);
    if (Array.isArray(doc.value)) {
      for (let i = 0; i < doc.value.length; i++) yield { value: doc.value[i], where: root.index(i) };
    } else if (isObject(doc.value) && Array.isArray(doc.value.value)) {
      const at = root.key('value');
      const list = doc.value.value;
      if (list.length === 0 && contextHint) yield { value: undefined, where: at, contextHint, empty: true };
      for (let i = 0; i < list.length; i++) yield { value: list[i], where: at.index(i), ...(contextHint ? { contextHint } : {}) };
    } else {
      // A record alone on its line: its line is its raw JSON.
      if (doc.text !== undefined && isObject(doc.value)) rememberSourceText(doc.value, doc.text);
      yield { value: doc.value, where: root, ...(contextHint ? { contextHint } : {}) };
    }
  }
}

/** Turns records of a known format into incidents (standalone alerts grouped by incident). */
function parseRecords(records: readonly RecordAt[], format: DetectedFormat): Incident[] {
  const incidents: Incident[] = [];
  const standalone: { alert: Alert; raw: JsonObject; where: Where }[] = [];
  for (const { value: record, where, empty } of records) {
    if (empty) continue;
    const value = objectRecord(record, where);
    if (format === 'graph') {
      if (isGraphAlert(value)) standalone.push({ alert: parseGraphAlert(value, where), raw: value, where });
      else incidents.push(parseGraphIncident(value, where));
    } else if ('alertId' in value && !('incidentName' in value) && !('createdTime' in value)) {
      standalone.push({ alert: parseM365dAlert(value, where), raw: value, where });
    } else incidents.push(parseM365dIncident(value, where));
  }

  // Standalone alerts of an incident that is in the same batch join it; the rest become partial incidents.
  const byId = new Map(incidents.map((i) => [i.sourceId, i]));
  const orphans: typeof standalone = [];
  for (const entry of standalone) {
    const incidentId = entry.raw.incidentId;
    const target = incidentId === undefined || incidentId === null ? undefined : byId.get(String(incidentId));
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

/** Which Defender format a parsed JSON document (object, array or page) is in, if any. */
export function detectFormat(doc: unknown): DetectedFormat | undefined {
  if (Array.isArray(doc)) {
    for (const item of doc) {
      const f = isObject(item) ? detectRecordFormat(item) : undefined;
      if (f) return f;
    }
    return undefined;
  }
  if (!isObject(doc)) return undefined;
  if (Array.isArray(doc.value)) return detectFormat(doc.value) ?? formatFromContext(doc);
  return detectRecordFormat(doc);
}

function objectRecord(value: unknown, where: Where): JsonObject {
  if (!isObject(value)) return where.fail(`expected an incident or alert object, got ${describe(value)}`);
  return value;
}

function detectRecordFormat(obj: JsonObject): DetectedFormat | undefined {
  const odata = obj['@odata.type'];
  if (typeof odata === 'string' && /microsoft\.graph\.security\.(incident|alert)$/i.test(odata)) return 'graph';
  if ('incidentId' in obj && ('incidentName' in obj || 'createdTime' in obj || 'lastUpdateTime' in obj)) return 'm365d';
  if ('alertId' in obj && ('creationTime' in obj || 'lastUpdatedTime' in obj)) return 'm365d';
  if ('id' in obj && ('createdDateTime' in obj || 'lastUpdateDateTime' in obj)) return 'graph';
  return undefined;
}

function formatFromContext(doc: unknown): DetectedFormat | undefined {
  if (!isObject(doc)) return undefined;
  const context = doc['@odata.context'];
  if (typeof context !== 'string') return undefined;
  if (/graph\.microsoft\.com/i.test(context) || /#security\//i.test(context)) return 'graph';
  if (/api\.security\.microsoft\.com|securitycenter|\$metadata#Incidents/i.test(context)) return 'm365d';
  return undefined;
}
