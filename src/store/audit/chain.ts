import { createHash, createHmac } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AuditEntry } from '../../model/audit.js';
import { canonicalJson } from '../../model/canonical-json.js';
import type { Database } from '../database.js';
import { isPostgres } from '../dialect.js';
import type { AuditLogTable } from '../tables/accounts.js';
import type { AuditKey } from './keyring.js';

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

type UnsealedRow = Omit<AuditLogTable, 'hash' | 'keyId'>;

function entryBody(row: UnsealedRow): string {
  return canonicalJson({
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    before: row.before,
    after: row.after,
  });
}

/** sha256(prevHash + canonical JSON of the entry's stored fields), hex: entries from before keyed MACs. */
export function auditHash(row: UnsealedRow): string {
  return createHash('sha256').update(row.prevHash).update(entryBody(row)).digest('hex');
}

/**
 * HMAC-SHA-256 with the audit key over the key's id, `prevHash` and the entry's canonical JSON, hex.
 * Without the key nobody can compute it, so an entry cannot be added, altered or re-chained
 * unseen; the id is covered so an entry cannot be moved to another key.
 */
export function auditMac(row: UnsealedRow, key: AuditKey): string {
  return createHmac('sha256', key.key).update(`hindsight-audit-v1\n${key.id}\n`).update(row.prevHash).update(entryBody(row)).digest('hex');
}

/**
 * Appends one entry, chained to the last one and sealed with `key`. `db` must be the transaction of
 * the write the entry records, so both commit or neither does. There is no update or delete: the
 * trail is append-only.
 */
export async function appendAuditEntry(db: Kysely<Database>, entry: AuditEntryInput, key: AuditKey): Promise<AuditEntry> {
  if (!db.isTransaction) throw new Error('an audit entry is appended inside the transaction of the write it records');
  // One writer at a time extends the chain (SQLite transactions are serialised already).
  if (isPostgres(db)) await sql`select pg_advisory_xact_lock(47004700)`.execute(db);
  const last = await auditHead(db);
  const row: UnsealedRow = {
    seq: (last ? last.seq : 0) + 1,
    at: entry.at ?? new Date().toISOString(),
    actor: entry.actor,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    before: entry.before === undefined || entry.before === null ? null : canonicalJson(entry.before),
    after: entry.after === undefined || entry.after === null ? null : canonicalJson(entry.after),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const full: AuditLogTable = { ...row, hash: auditMac(row, key), keyId: key.id };
  await db.insertInto('auditLog').values(full).execute();
  return auditEntryOf(full);
}

/** The last entry's seq, MAC and key (none when the trail is empty). */
export async function auditHead(db: Kysely<Database>): Promise<{ seq: number; hash: string; keyId: string | null; at: string } | undefined> {
  const last = await db.selectFrom('auditLog').select(['seq', 'hash', 'keyId', 'at']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return last ? { ...last, seq: Number(last.seq) } : undefined;
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
