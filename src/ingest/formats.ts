import type { Alert, Incident } from '../model/incident.js';
import type { JsonObject } from '../model/json.js';
import type { Where } from './fields.js';
import { elasticFormat } from './elastic.js';
import { graphFormat, m365dFormat, sentinelFormat } from './microsoft-formats.js';
import { ocsfFormat } from './ocsf.js';
import { splunkFormat } from './splunk.js';
import { theHiveFormat } from './thehive.js';
import { wazuhFormat } from './wazuh.js';

/** Every format `hindsight import --format` names. */
export const FORMAT_NAMES = ['graph', 'm365d', 'sentinel', 'ocsf', 'elastic', 'wazuh', 'thehive', 'splunk'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export interface ParseContext {
  file: string;
}

/** Where a standalone alert's grouping looks: its hosts and users, primary first, as the source named them. */
export interface GroupHints {
  hosts: string[];
  users: string[];
}

/**
 * What a mapper makes of one record:
 * - `incident`: a whole incident or case with its alerts. With `incident.partial = true` the store
 *   merges its alerts into a stored incident of the same source + sourceId.
 * - `alert`: a standalone alert. With `incidentKey` it joins that incident (a partial incident of
 *   that sourceId, or an incident of the same source in the same batch); without, the grouping rule
 *   (src/ingest/grouping.ts) places it.
 */
export type MappedRecord =
  | { kind: 'incident'; incident: Incident }
  | {
      kind: 'alert';
      alert: Alert;
      source: string;
      sourceFormat: FormatName;
      incidentKey?: string;
      tenantId?: string | null;
      group: GroupHints;
      /** The web address of the incident `incidentKey` names, when the alert carries it (Graph's incidentWebUrl). */
      incidentWebUrl?: string | null;
    };

export type MappedAlert = Extract<MappedRecord, { kind: 'alert' }>;

/**
 * One source format. Envelopes are unwrapped centrally, in batches.ts, before `detect`/`parse` see a
 * record: a JSON array, NDJSON lines, a Graph-style page `{value: [...]}`, an Elasticsearch/OpenSearch
 * search response `{hits: {hits: [{_source}]}}` or a single hit `{_index, _source}`, Splunk's REST
 * results `{results: [...]}` and export lines `{"result": {...}}`. A format therefore only ever sees
 * the record itself.
 */
export interface RecordFormat {
  name: FormatName;
  /** Unambiguous shape test of one record (true only when the shape is this format's). */
  detect(record: JsonObject): boolean;
  /** Maps one record; throws via where.fail(...) naming the JSON path on bad input. */
  parse(record: JsonObject, where: Where, context: ParseContext): MappedRecord[];
  /** What a person is told this format looks like, when a file's format cannot be told. */
  describe?: string;
}

/** The registered formats, in detection order (each detect is unambiguous, so the order only settles ties defensively). */
export const FORMATS: readonly RecordFormat[] = [graphFormat, m365dFormat, sentinelFormat, ocsfFormat, elasticFormat, wazuhFormat, theHiveFormat, splunkFormat];

export function formatByName(name: string): RecordFormat | undefined {
  return FORMATS.find((f) => f.name === name);
}

/** The format whose shape this record has, if exactly one tells. */
export function detectRecord(record: JsonObject): RecordFormat | undefined {
  for (const format of FORMATS) if (format.detect(record)) return format;
  return undefined;
}
