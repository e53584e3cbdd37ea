import { isRecord } from '../model/json.js';
import { batchesOf, detectRecordFormat, formatFromContext, type BatchSource, type DetectedFormat, type IngestFormat, type ParseResult } from './batches.js';
import type { GroupingOptions } from './grouping.js';
import { readFileDocuments } from './input-file.js';
import { documentsOfText } from './json-text.js';

export type { BatchSource, DetectedFormat, IngestFormat, ParseResult } from './batches.js';
export { FORMAT_NAMES, type FormatName, type MappedRecord, type RecordFormat } from './formats.js';
export { DEFAULT_GROUPING, derivePartialFields, GROUP_FIELDS, parseGroupBy, parseWindow, type GroupField, type GroupingOptions } from './grouping.js';
export { mapGraphEvidence } from './graph-evidence.js';
export { derivePartialIncident } from './graph.js';
export { mapM365dDevice, mapM365dEntity } from './m365d.js';

/**
 * Records per batch by default. Small enough that most of a batch's objects die young (5,000 cost
 * about 5% more CPU on a large import).
 */
const BATCH_RECORDS = 1_000;

/**
 * Parses a file of Defender incidents or alerts a batch of records at a time: the file is opened
 * and read once; an NDJSON file is read a block at a time (never held whole, whatever its size),
 * any other file as one text. Throws InputError (exit 2) naming the file, line/column or JSON path
 * when the batch holding the fault is reached.
 */
export async function* parseFileInBatches(
  path: string,
  format: IngestFormat = 'auto',
  batchRecords = BATCH_RECORDS,
  options: { grouping?: GroupingOptions; onWarning?: (message: string) => void } = {},
): AsyncGenerator<ParseResult> {
  yield* batchesOf(readFileDocuments(path, undefined, options.onWarning), { file: path, format, ...options }, batchRecords);
}

/** Reads and parses one whole file (see parseFileInBatches); warnings (invalid UTF-8, duplicate ids) go to `onWarning`. */
export async function parseFile(path: string, format: IngestFormat = 'auto', onWarning?: (message: string) => void): Promise<ParseResult> {
  return collect(parseFileInBatches(path, format, Number.POSITIVE_INFINITY, { onWarning }));
}

/**
 * Parses the text of one file already in memory, a batch of records at a time: one JSON object, an
 * array, a Graph page or NDJSON (its lines parsed as the batches are taken).
 */
export async function* parseTextInBatches(text: string, source: BatchSource, batchRecords = BATCH_RECORDS): AsyncGenerator<ParseResult> {
  yield* batchesOf([documentsOfText(text, source.file).documents], source, batchRecords);
}

/** Parses the whole text of one file (see parseTextInBatches). */
export async function parseText(text: string, source: BatchSource): Promise<ParseResult> {
  return collect(parseTextInBatches(text, source, Number.POSITIVE_INFINITY));
}

async function collect(batches: AsyncIterable<ParseResult>): Promise<ParseResult> {
  let format: DetectedFormat = 'graph';
  const formats = new Set<DetectedFormat>();
  const incidents: ParseResult['incidents'] = [];
  let alertsSoFar = 0;
  for await (const batch of batches) {
    format = batch.format;
    alertsSoFar = batch.alertsSoFar;
    for (const f of batch.formats ?? []) formats.add(f);
    for (const incident of batch.incidents) incidents.push(incident);
  }
  return { format, ...(formats.size > 0 ? { formats: [...formats] } : {}), incidents, alertsSoFar };
}

/** Which format a parsed JSON document (object, array or page) is in, if any (by its first record that tells). */
export function detectFormat(doc: unknown): DetectedFormat | undefined {
  if (Array.isArray(doc)) {
    for (const item of doc) {
      const f = detectFormat(item);
      if (f) return f;
    }
    return undefined;
  }
  if (!isRecord(doc)) return undefined;
  if (Array.isArray(doc.value)) return detectFormat(doc.value) ?? formatFromContext(doc);
  if (isRecord(doc.hits) && Array.isArray(doc.hits.hits)) return detectFormat(doc.hits.hits);
  if (isRecord(doc._source)) return detectFormat(doc._source);
  if (isRecord(doc.fields) && ('_index' in doc || '_id' in doc)) return detectFormat(doc.fields);
  if (Array.isArray(doc.results)) return detectFormat(doc.results);
  if (isRecord(doc.result)) return detectFormat(doc.result);
  return detectRecordFormat(doc);
}
