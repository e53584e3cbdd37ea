import { readFile } from 'node:fs/promises';
import { InputError } from '../model/errors.js';
import type { Alert, Incident } from '../model/incident.js';
import { describe, isObject, Where, type JsonObject } from './fields.js';
import { groupAlertsIntoIncidents, isGraphAlert, parseGraphAlert, parseGraphIncident } from './graph.js';
import { iterateJsonDocuments, type JsonDocument } from './json-text.js';
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
export { mapM365dDevice, mapM365dEntity } from './m365d.js';

interface RecordAt {
  value: unknown;
  where: Where;
  /** An empty page: no record, only its @odata.context to tell the format by. */
  empty?: boolean;
}

/** Reads and parses one file of Defender incidents or alerts. Throws InputError (exit 2) naming the file, line/column or JSON path. */
export async function parseFile(path: string, format: IngestFormat = 'auto'): Promise<ParseResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'file not found' : `cannot read the file: ${(error as Error).message}`, { file: path });
  }
  return parseText(text, { file: path, format });
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
  const file = source.file;
  const requested = source.format ?? 'auto';
  if (!['auto', 'graph', 'm365d'].includes(requested)) throw new InputError(`unknown format "${requested}" (expected auto, graph or m365d)`, { file });
  const { documents } = iterateJsonDocuments(text, file);
  const records = recordsOf(documents, file);

  // The format: the first record that tells it, else the page's @odata.context; records read
  // while looking are kept for the first batch.
  const pending: RecordAt[] = [];
  let format: DetectedFormat | undefined = requested === 'auto' ? undefined : requested;
  let contextHint: DetectedFormat | undefined;
  let next = records.next();
  while (format === undefined && !next.done) {
    const record = next.value;
    contextHint ??= record.contextHint;
    pending.push(record);
    if (isObject(record.value)) format = detectRecordFormat(record.value);
    next = records.next();
  }
  if (format === undefined) {
    if (contextHint) format = contextHint;
    else if (pending.length === 0) format = 'graph';
    else {
      const first = pending[0]!;
      return first.where.fail('cannot tell the format: expected Microsoft Graph security incidents/alerts (id, createdDateTime) or Microsoft 365 Defender incidents (incidentId, createdTime)');
    }
  }

  let batch = pending;
  let emitted = false;
  for (;;) {
    while (batch.length < batchRecords && !next.done) {
      batch.push(next.value);
      next = records.next();
    }
    if (batch.length > 0 || !emitted) yield { format, incidents: parseRecords(batch, format) };
    emitted = true;
    if (next.done) return;
    batch = [];
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
    } else yield { value: doc.value, where: root, ...(contextHint ? { contextHint } : {}) };
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
