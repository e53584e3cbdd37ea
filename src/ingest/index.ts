import { isRecord } from '../model/json.js';
import { batchesOf, detectRecordFormat, formatFromContext, type DetectedFormat, type IngestFormat, type ParseResult } from './batches.js';
import { readFileDocuments } from './input-file.js';
import { documentsOfText } from './json-text.js';

export type { DetectedFormat, IngestFormat, ParseResult } from './batches.js';
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
  onWarning?: (message: string) => void,
): AsyncGenerator<ParseResult> {
  yield* batchesOf(readFileDocuments(path, undefined, onWarning), { file: path, format, onWarning }, batchRecords);
}

/** Reads and parses one whole file (see parseFileInBatches); warnings (invalid UTF-8, duplicate ids) go to `onWarning`. */
export async function parseFile(path: string, format: IngestFormat = 'auto', onWarning?: (message: string) => void): Promise<ParseResult> {
  return collect(parseFileInBatches(path, format, Number.POSITIVE_INFINITY, onWarning));
}

/**
 * Parses the text of one file already in memory, a batch of records at a time: one JSON object, an
 * array, a Graph page or NDJSON (its lines parsed as the batches are taken).
 */
export async function* parseTextInBatches(
  text: string,
  source: { file: string; format?: IngestFormat; onWarning?: (message: string) => void },
  batchRecords = BATCH_RECORDS,
): AsyncGenerator<ParseResult> {
  yield* batchesOf([documentsOfText(text, source.file).documents], source, batchRecords);
}

/** Parses the whole text of one file (see parseTextInBatches). */
export async function parseText(text: string, source: { file: string; format?: IngestFormat; onWarning?: (message: string) => void }): Promise<ParseResult> {
  return collect(parseTextInBatches(text, source, Number.POSITIVE_INFINITY));
}

async function collect(batches: AsyncIterable<ParseResult>): Promise<ParseResult> {
  let format: DetectedFormat = 'graph';
  const incidents: ParseResult['incidents'] = [];
  for await (const batch of batches) {
    format = batch.format;
    for (const incident of batch.incidents) incidents.push(incident);
  }
  return { format, incidents };
}

/** Which Defender format a parsed JSON document (object, array or page) is in, if any. */
export function detectFormat(doc: unknown): DetectedFormat | undefined {
  if (Array.isArray(doc)) {
    for (const item of doc) {
      const f = isRecord(item) ? detectRecordFormat(item) : undefined;
      if (f) return f;
    }
    return undefined;
  }
  if (!isRecord(doc)) return undefined;
  if (Array.isArray(doc.value)) return detectFormat(doc.value) ?? formatFromContext(doc);
  return detectRecordFormat(doc);
}
