import type { Kysely } from 'kysely';
import type { Incident, StatusChange } from '../../model/incident.js';
import type { Database } from '../database.js';
import { fromFlag, type JsonText } from '../json-text.js';

/** The fields whose changes between two imports are recorded as status changes. */
const TRACKED_FIELDS = ['status', 'classification', 'determination', 'assignedTo', 'severity'] as const;

export type TrackedValues = Record<(typeof TRACKED_FIELDS)[number], string | null>;

/** What the import knows of a stored incident: as it was, or as this import has written it. */
export interface KnownIncident extends TrackedValues {
  id: string;
  partial: boolean;
  updatedAt: string;
  hash: string;
  tags: JsonText<string[]>;
  /** The format of the record last written (`graph`, `sentinel`...): two sources may report one incident. */
  sourceFormat: string;
}

export interface KnownAlert extends TrackedValues {
  id: string;
  incidentId: string;
  updatedAt: string;
  hash: string;
}

/** Keys of an `in (...)` list per query: under SQLite's limit on bound parameters with room to spare. */
export const LOOKUP_KEYS = 900;

/**
 * The stored state of the incidents and alerts an import meets, by source and source id: looked up
 * a chunk of records at a time (one query per table and source), then kept up to date by the
 * import as it writes, so that each record is decided without reading the store again.
 */
export class KnownRecords {
  readonly incidents = new Map<string, KnownIncident>();
  readonly alerts = new Map<string, KnownAlert>();

  constructor(private readonly db: Kysely<Database>) {}

  /** Loads the stored state of the chunk's incidents and alerts that are not known yet. */
  async lookUp(chunk: readonly Incident[]): Promise<void> {
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
          .select(['id', 'sourceId', 'partial', 'updatedAt', 'contentHash', 'status', 'classification', 'determination', 'assignedTo', 'severity', 'tags', 'sourceFormat'])
          .where('source', '=', source)
          .where('sourceId', 'in', part)
          .execute();
        for (const r of rows) {
          this.incidents.set(keyOf(source, r.sourceId), {
            id: r.id,
            partial: fromFlag(r.partial),
            updatedAt: r.updatedAt,
            hash: r.contentHash,
            tags: r.tags,
            sourceFormat: r.sourceFormat,
            status: r.status,
            classification: r.classification,
            determination: r.determination,
            assignedTo: r.assignedTo,
            severity: r.severity,
          });
        }
      }
    }
    for (const [source, ids] of alertIds) {
      for (const part of slices([...ids], LOOKUP_KEYS)) {
        const rows = await this.db
          .selectFrom('alerts')
          .select(['id', 'incidentId', 'sourceId', 'updatedAt', 'contentHash', 'status', 'classification', 'determination', 'assignedTo', 'severity'])
          .where('source', '=', source)
          .where('sourceId', 'in', part)
          .execute();
        for (const r of rows) {
          this.alerts.set(keyOf(source, r.sourceId), {
            id: r.id,
            incidentId: r.incidentId,
            updatedAt: r.updatedAt,
            hash: r.contentHash,
            status: r.status,
            classification: r.classification,
            determination: r.determination,
            assignedTo: r.assignedTo,
            severity: r.severity,
          });
        }
      }
    }
  }
}

export function keyOf(source: string, sourceId: string): string {
  return `${source}\u0000${sourceId}`;
}

export function tracked(record: TrackedValues): TrackedValues {
  return {
    status: record.status,
    classification: record.classification,
    determination: record.determination,
    assignedTo: record.assignedTo,
    severity: record.severity,
  };
}

/** The tracked fields that differ, as status changes seen between two imports. */
export function trackedChanges(before: TrackedValues, after: TrackedValues, at: string): StatusChange[] {
  const changes: StatusChange[] = [];
  for (const field of TRACKED_FIELDS) {
    const from = before[field] ?? null;
    const to = after[field] ?? null;
    if (from !== to) changes.push({ field, from, to, at, by: null, origin: 'import' });
  }
  return changes;
}

/** Orders two ISO times; falls back to text order when either does not parse. */
export function compareTimes(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(ta) || Number.isNaN(tb)) return a < b ? -1 : a > b ? 1 : 0;
  return ta - tb;
}

export function* slices<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function addTo(map: Map<string, Set<string>>, source: string, id: string): void {
  let set = map.get(source);
  if (!set) map.set(source, (set = new Set()));
  set.add(id);
}
