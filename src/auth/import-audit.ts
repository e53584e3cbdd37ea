import type { ImportFilesResult } from '../services/import-files.js';
import type { IncidentStore } from '../store/types.js';
import type { Database } from '../store/schema.js';
import type { Kysely } from 'kysely';
import { recordAudit } from './audit.js';

/**
 * Records one import in the audit trail: the files, the counts, and the incidents it created or
 * updated (unchanged ones are not a change). A store without a database handle records nothing.
 */
export async function auditImport(store: IncidentStore, actor: string, files: string[], result: Pick<ImportFilesResult, 'summary' | 'results'>): Promise<void> {
  if (!('db' in store)) return;
  const db = (store as IncidentStore & { db: Kysely<Database> }).db;
  const changed = result.results.filter((r) => r.outcome !== 'unchanged').map((r) => ({ id: r.id, outcome: r.outcome }));
  if (changed.length === 0) return;
  await recordAudit(db, {
    actor,
    action: 'incident.import',
    entityType: 'import',
    entityId: changed.length === 1 && changed[0] ? changed[0].id : `${changed.length} incidents`,
    after: { files, summary: result.summary, incidents: changed },
  });
}
