/** Reading the audit trail, newest first, with filters. */
import { sql, type Kysely } from 'kysely';
import type { AuditEntry, AuditQuery } from '../../model/audit.js';
import type { Database } from '../database.js';
import { auditEntryOf } from './chain.js';

/** At most this many entries in one answer. */
const MAX_ENTRIES = 1000;

/** `text` as a LIKE pattern that matches it literally (with `escape '\'`). */
function literal(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The entries that match, newest first (100 unless `limit` says otherwise; never more than 1000).
 * The incident filter is a superset here (the entity id, or the id quoted in the entry's JSON):
 * the caller keeps the entries that are really about the incident.
 */
export async function listAuditEntries(db: Kysely<Database>, query: AuditQuery = {}): Promise<AuditEntry[]> {
  let q = db.selectFrom('auditLog').selectAll();
  if (query.entityType) q = q.where('entityType', '=', query.entityType);
  if (query.entityId) q = q.where('entityId', '=', query.entityId);
  if (query.actor) q = q.where('actor', '=', query.actor);
  if (query.actions?.length) q = q.where('action', 'in', [...query.actions]);
  if (query.since) q = q.where('at', '>=', query.since);
  if (query.until) q = q.where('at', '<', query.until);
  if (query.incident) {
    const id = query.incident;
    const quoted = `%${literal(JSON.stringify(id))}%`;
    q = q.where((eb) =>
      eb.or([
        eb('entityId', '=', id),
        eb('entityId', 'like', sql<string>`${`${literal(id)}/%`} escape '\\'`),
        eb('after', 'like', sql<string>`${quoted} escape '\\'`),
        eb('before', 'like', sql<string>`${quoted} escape '\\'`),
      ]),
    );
  }
  if (query.before !== undefined) q = q.where('seq', '<', query.before);
  const rows = await q
    .orderBy('seq', 'desc')
    .limit(Math.min(query.limit ?? 100, MAX_ENTRIES))
    .execute();
  return rows.map(auditEntryOf);
}
