import type { StoredIncidentVersion } from '../store/incidents/index.js';
import type { ImportedIncidentResult, ImportSummary } from '../store/index.js';
import type { AuditedChange } from './audit.js';

/**
 * The audit entry of one import: the files, the counts, and for every incident it created or
 * updated (unchanged ones are not a change) the stored version before and after, review state
 * included. Null when the import changed nothing.
 */
export function importAuditChange(
  files: readonly string[],
  result: { summary: ImportSummary; results: readonly ImportedIncidentResult[] },
  before: ReadonlyMap<string, StoredIncidentVersion>,
  after: ReadonlyMap<string, StoredIncidentVersion>,
): Omit<AuditedChange<unknown>, 'result'> | null {
  const changed = result.results.filter((r) => r.outcome !== 'unchanged');
  if (changed.length === 0) return null;
  const version = (v: StoredIncidentVersion | undefined) => (v ? { contentHash: v.contentHash, updatedAt: v.updatedAt, reviewState: v.reviewState } : null);
  const first = changed[0];
  return {
    entityId: changed.length === 1 && first ? first.id : `${changed.length} incidents`,
    before: { incidents: changed.filter((r) => before.has(r.id)).map((r) => ({ id: r.id, ...version(before.get(r.id)) })) },
    after: { files: [...files], summary: result.summary, incidents: changed.map((r) => ({ id: r.id, outcome: r.outcome, ...version(after.get(r.id)) })) },
  };
}
