import { readFile } from 'node:fs/promises';
import { InputError } from '../model/errors.js';
import type { Alert, Incident } from '../model/incident.js';
import { describe, isObject, Where, type JsonObject } from './fields.js';
import { groupAlertsIntoIncidents, isGraphAlert, parseGraphAlert, parseGraphIncident } from './graph.js';
import { readJsonDocuments } from './json-text.js';
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
  const file = source.file;
  const requested = source.format ?? 'auto';
  if (!['auto', 'graph', 'm365d'].includes(requested)) throw new InputError(`unknown format "${requested}" (expected auto, graph or m365d)`, { file });
  const { documents } = readJsonDocuments(text, file);

  const records: RecordAt[] = [];
  let contextHint: DetectedFormat | undefined;
  for (const doc of documents) {
    const root = new Where(file, '$', doc.line);
    contextHint ??= formatFromContext(doc.value);
    if (Array.isArray(doc.value)) doc.value.forEach((v, i) => records.push({ value: v, where: root.index(i) }));
    else if (isObject(doc.value) && Array.isArray(doc.value.value)) {
      const at = root.key('value');
      doc.value.value.forEach((v, i) => records.push({ value: v, where: at.index(i) }));
    } else records.push({ value: doc.value, where: root });
  }

  let format: DetectedFormat;
  if (requested !== 'auto') format = requested;
  else {
    const found = records.map((r) => (isObject(r.value) ? detectRecordFormat(r.value) : undefined)).find((f) => f !== undefined);
    if (found) format = found;
    else if (contextHint) format = contextHint;
    else if (records.length === 0) format = 'graph';
    else {
      const first = records[0]!;
      return first.where.fail('cannot tell the format: expected Microsoft Graph security incidents/alerts (id, createdDateTime) or Microsoft 365 Defender incidents (incidentId, createdTime)');
    }
  }

  const incidents: Incident[] = [];
  const standalone: { alert: Alert; raw: JsonObject; where: Where }[] = [];
  for (const { value: record, where } of records) {
    const value = objectRecord(record, where);
    if (format === 'graph') {
      if (isGraphAlert(value)) standalone.push({ alert: parseGraphAlert(value, where), raw: value, where });
      else incidents.push(parseGraphIncident(value, where));
    } else if ('alertId' in value && !('incidentName' in value) && !('createdTime' in value)) {
      standalone.push({ alert: parseM365dAlert(value, where), raw: value, where });
    } else incidents.push(parseM365dIncident(value, where));
  }

  // Standalone alerts of an incident that is in the same file join it; the rest become partial incidents.
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
  incidents.push(...groupAlertsIntoIncidents(orphans, format));
  // The mappers build complete model records (every field set, times normalised by parseTime), so
  // they are not validated a second time: test/ingest/schema.test.ts checks that each fixture's
  // output is exactly what IncidentSchema.parse makes of it.
  return { format, incidents };
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
