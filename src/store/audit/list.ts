/** Reading the audit trail, newest first, with filters. */
import type { Kysely } from 'kysely';
import type { AuditEntry, AuditQuery } from '../../model/audit.js';
import type { Database } from '../database.js';
import { auditEntryOf } from './chain.js';

/** At most this many entries in one answer. */
const MAX_ENTRIES = 1000;

/** The entries that match, newest first (100 unless `limit` says otherwise; never more than 1000). */
export async function listAuditEntries(db: Kysely<Database>, query: AuditQuery = {}): Promise<AuditEntry[]> {
  let q = db.selectFrom('auditLog').selectAll();
  if (query.entityType) q = q.where('entityType', '=', query.entityType);
  if (query.entityId) q = q.where('entityId', '=', query.entityId);
  if (query.actor) q = q.where('actor', '=', query.actor);
  if (query.before !== undefined) q = q.where('seq', '<', query.before);
  const rows = await q
    .orderBy('seq', 'desc')
    .limit(Math.min(query.limit ?? 100, MAX_ENTRIES))
    .execute();
  return rows.map(auditEntryOf);
}
