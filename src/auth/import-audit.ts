import type { Kysely } from 'kysely';
import type { ReviewTables } from '../review/repo-schema.js';
import type { Database } from '../store/schema.js';
import type { ImportedIncidentResult, ImportSummary } from '../store/types.js';
import type { AuditEntryInput } from './audit.js';

/** What the store held of one incident: its content hash, its source's update time and its review state. */
export interface StoredIncidentVersion {
  contentHash: string;
  updatedAt: string;
  reviewState: string | null;
}

const CHUNK = 500;

/** The stored version of each of these incidents that exists (read inside the import's transaction). */
export async function storedIncidentVersions(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, StoredIncidentVersion>> {
  const d = db.withTables<ReviewTables>();
  const out = new Map<string, StoredIncidentVersion>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const rows = await d
      .selectFrom('incidents as i')
      .leftJoin('reviews as r', 'r.incident_id', 'i.id')
      .select(['i.id', 'i.content_hash', 'i.updated_at', 'r.state'])
      .where('i.id', 'in', unique.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.set(r.id, { contentHash: r.content_hash, updatedAt: r.updated_at, reviewState: r.state ?? null });
  }
  return out;
}

/**
 * The audit entry of one import: the files, the counts, and for every incident it created or
 * updated (unchanged ones are not a change) the stored version before and after, review state
 * included. Null when the import changed nothing.
 */
export function importAuditEntry(
  actor: string,
  files: readonly string[],
  result: { summary: ImportSummary; results: readonly ImportedIncidentResult[] },
  before: ReadonlyMap<string, StoredIncidentVersion>,
  after: ReadonlyMap<string, StoredIncidentVersion>,
): AuditEntryInput | null {
  const changed = result.results.filter((r) => r.outcome !== 'unchanged');
  if (changed.length === 0) return null;
  const version = (v: StoredIncidentVersion | undefined) => (v ? { contentHash: v.contentHash, updatedAt: v.updatedAt, reviewState: v.reviewState } : null);
  const first = changed[0];
  return {
    actor,
    action: 'incident.import',
    entityType: 'import',
    entityId: changed.length === 1 && first ? first.id : `${changed.length} incidents`,
    before: { incidents: changed.filter((r) => before.has(r.id)).map((r) => ({ id: r.id, ...version(before.get(r.id)) })) },
    after: { files: [...files], summary: result.summary, incidents: changed.map((r) => ({ id: r.id, outcome: r.outcome, ...version(after.get(r.id)) })) },
  };
}
