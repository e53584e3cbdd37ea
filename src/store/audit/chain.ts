import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AuditEntry } from '../../model/audit.js';
import { canonicalJson } from '../../model/canonical-json.js';
import type { Database } from '../database.js';
import { isPostgres } from '../dialect.js';
import type { AuditLogTable } from '../tables/accounts.js';

/** The `prevHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** One entry as it is appended: who did what to which entity, before and after. */
export interface AuditEntryInput {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  /** Defaults to now. */
  at?: string;
}

/** sha256(prevHash + canonical JSON of the entry's stored fields), hex. */
export function auditHash(row: Omit<AuditLogTable, 'hash'>): string {
  const body = canonicalJson({
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    before: row.before,
    after: row.after,
  });
  return createHash('sha256').update(row.prevHash).update(body).digest('hex');
}

/**
 * Appends one entry, chained to the last one. `db` must be the transaction of the write the entry
 * records, so both commit or neither does. There is no update or delete: the trail is append-only.
 */
export async function appendAuditEntry(db: Kysely<Database>, entry: AuditEntryInput): Promise<AuditEntry> {
  if (!db.isTransaction) throw new Error('an audit entry is appended inside the transaction of the write it records');
  // One writer at a time extends the chain (SQLite transactions are serialised already).
  if (isPostgres(db)) await sql`select pg_advisory_xact_lock(47004700)`.execute(db);
  const last = await db.selectFrom('auditLog').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const row: Omit<AuditLogTable, 'hash'> = {
    seq: (last ? Number(last.seq) : 0) + 1,
    at: entry.at ?? new Date().toISOString(),
    actor: entry.actor,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    before: entry.before === undefined || entry.before === null ? null : canonicalJson(entry.before),
    after: entry.after === undefined || entry.after === null ? null : canonicalJson(entry.after),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const full: AuditLogTable = { ...row, hash: auditHash(row) };
  await db.insertInto('auditLog').values(full).execute();
  return auditEntryOf(full);
}

export function auditEntryOf(row: AuditLogTable): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    before: row.before === null ? null : (JSON.parse(row.before) as unknown),
    after: row.after === null ? null : (JSON.parse(row.after) as unknown),
    prevHash: row.prevHash,
    hash: row.hash,
  };
}
