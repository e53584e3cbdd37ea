import { createHash } from 'node:crypto';
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { AuditLogTable, AuthTables } from './schema.js';

type DB = Database & AuthTables;

/** The `prev_hash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntryInput {
  /** Who: a username, `cli:<login>` for the command line without an account, or a system actor. */
  actor: string;
  /** What was done, e.g. `finding.add`, `review.approve`, `user.add`, `incident.import`. */
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  /** Defaults to now. */
  at?: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** sha256(prev_hash + canonical JSON of the entry's stored fields), hex. */
export function auditHash(row: Omit<AuditLogTable, 'hash'>): string {
  const body = canonicalJson({
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    before: row.before,
    after: row.after,
  });
  return createHash('sha256').update(row.prev_hash).update(body).digest('hex');
}

/** Any Kysely handle or transaction over the store's database (whatever extra tables its type names). */
export type AuditWriter = Pick<Kysely<Database>, 'isTransaction'>;

/**
 * Appends one entry to the audit trail, chained to the previous one. Runs in the given
 * transaction when `db` is one (so the entry commits or rolls back with the write it records),
 * otherwise in its own. There is no update or delete: the trail is append-only.
 */
export async function recordAudit(db: AuditWriter, entry: AuditEntryInput): Promise<AuditEntry> {
  const adb = db as unknown as Kysely<DB>;
  if (adb.isTransaction) return append(adb, entry);
  return adb.transaction().execute((trx) => append(trx, entry));
}

/**
 * Runs a write and appends the audit entries it describes in one transaction: the write and its
 * entries commit together or not at all (a failing audit insert undoes the write). `work` must do
 * every read and write through the transaction it is given. Joins the caller's transaction when
 * `db` is one. An entry whose before and after are the same (nothing changed) is not recorded.
 */
export async function writeAudited<T>(db: AuditWriter, work: (trx: Kysely<Database>) => Promise<{ result: T; audit: AuditEntryInput | readonly AuditEntryInput[] | null }>): Promise<T> {
  const run = async (trx: Kysely<Database>): Promise<T> => {
    const { result, audit } = await work(trx);
    const entries: readonly AuditEntryInput[] = audit === null ? [] : Array.isArray(audit) ? audit : [audit as AuditEntryInput];
    for (const entry of entries) {
      if (entry.before !== undefined && entry.before !== null && canonicalJson(entry.before) === canonicalJson(entry.after)) continue;
      await recordAudit(trx, entry);
    }
    return result;
  };
  const k = db as unknown as Kysely<Database>;
  return k.isTransaction ? run(k) : k.transaction().execute(run);
}

async function append(trx: Kysely<DB>, entry: AuditEntryInput): Promise<AuditEntry> {
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    // One writer at a time extends the chain (SQLite transactions are serialised already).
    await sql`select pg_advisory_xact_lock(47004700)`.execute(trx);
  }
  const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const row: Omit<AuditLogTable, 'hash'> = {
    seq: (last ? Number(last.seq) : 0) + 1,
    at: entry.at ?? new Date().toISOString(),
    actor: entry.actor,
    action: entry.action,
    entity_type: entry.entityType,
    entity_id: entry.entityId,
    before: entry.before === undefined || entry.before === null ? null : canonicalJson(entry.before),
    after: entry.after === undefined || entry.after === null ? null : canonicalJson(entry.after),
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  const full: AuditLogTable = { ...row, hash: auditHash(row) };
  await trx.insertInto('audit_log').values(full).execute();
  return toEntry(full);
}

function toEntry(row: AuditLogTable): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    before: row.before === null ? null : (JSON.parse(row.before) as unknown),
    after: row.after === null ? null : (JSON.parse(row.after) as unknown),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first entry whose link is broken, and why. */
  firstBroken?: { seq: number; reason: string };
  lastHash: string;
}

/**
 * Walks the whole chain in order and reports the first entry whose stored hash does not match
 * its content, whose `prev_hash` is not the previous entry's hash, or whose seq skips (a deleted
 * entry). Reads in pages, so a long trail does not need to fit in memory.
 */
export async function verifyAuditChain(db: Kysely<Database>): Promise<AuditVerification> {
  const adb = db.withTables<AuthTables>();
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let entries = 0;
  for (;;) {
    const rows = await adb.selectFrom('audit_log').selectAll().where('seq', '>=', expectedSeq).orderBy('seq').limit(1000).execute();
    if (rows.length === 0) break;
    for (const raw of rows) {
      const row = { ...raw, seq: Number(raw.seq) };
      const broken = (reason: string): AuditVerification => ({ ok: false, entries, firstBroken: { seq: row.seq, reason }, lastHash: prevHash });
      if (row.seq !== expectedSeq) return { ok: false, entries, firstBroken: { seq: expectedSeq, reason: `entry ${expectedSeq} is missing (next is ${row.seq})` }, lastHash: prevHash };
      if (row.prev_hash !== prevHash) return broken(`prev_hash does not match the hash of entry ${row.seq - 1}`);
      if (auditHash(row) !== row.hash) return broken('the entry was altered: its content does not match its hash');
      prevHash = row.hash;
      expectedSeq += 1;
      entries += 1;
    }
  }
  return { ok: true, entries, lastHash: prevHash };
}

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  actor?: string;
  /** Entries with seq below this (paging newest first). */
  before?: number;
  limit?: number;
}

/** Newest first. */
export async function listAudit(db: Kysely<Database>, query: AuditQuery = {}): Promise<AuditEntry[]> {
  let q = db.withTables<AuthTables>().selectFrom('audit_log').selectAll();
  if (query.entityType) q = q.where('entity_type', '=', query.entityType);
  if (query.entityId) q = q.where('entity_id', '=', query.entityId);
  if (query.actor) q = q.where('actor', '=', query.actor);
  if (query.before !== undefined) q = q.where('seq', '<', query.before);
  const rows = await q.orderBy('seq', 'desc').limit(Math.min(query.limit ?? 100, 1000)).execute();
  return rows.map(toEntry);
}

/** The incidents an entry is about, read from its entity and content. */
export function incidentsOfAuditEntry(entry: AuditEntry): string[] {
  const content = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
  const fromContent = (key: string) => [content(entry.after)[key], content(entry.before)[key]].filter((v): v is string => typeof v === 'string');
  switch (entry.entityType) {
    case 'review':
    case 'incident':
    case 'confirmed-techniques':
      return [entry.entityId];
    case 'section':
    case 'answer':
    case 'timeline-annotation':
      return [entry.entityId.split('/')[0] ?? entry.entityId];
    case 'finding':
    case 'action-item':
    case 'timeline-event':
      return [...new Set(fromContent('incidentId'))];
    case 'playbook':
      return [...new Set(fromContent('drivenByIncidentId'))];
    case 'import': {
      const ids = (value: unknown) => (Array.isArray(content(value)['incidents']) ? (content(value)['incidents'] as unknown[]).map((i) => content(i)['id']).filter((id): id is string => typeof id === 'string') : []);
      return [...new Set([...ids(entry.before), ...ids(entry.after)])];
    }
    default:
      return [];
  }
}

/**
 * An entry as a reader who may not see `hidden` incidents sees it: entries about such an incident
 * are left out (except the changes to its access list, which admins manage), and an import's lists
 * leave such incidents out. Undefined when nothing of the entry remains. The stored entry and the
 * chain are not touched; verification always covers every entry.
 */
export function auditEntryForReader(entry: AuditEntry, hidden: ReadonlySet<string>): AuditEntry | undefined {
  if (hidden.size === 0) return entry;
  if (entry.entityType === 'incident' && (entry.action === 'incident.restrict' || entry.action === 'incident.unrestrict')) return entry;
  const about = incidentsOfAuditEntry(entry);
  if (!about.some((id) => hidden.has(id))) return entry;
  if (entry.entityType !== 'import') return undefined;
  const strip = (value: unknown): unknown => {
    if (!value || typeof value !== 'object' || !Array.isArray((value as { incidents?: unknown }).incidents)) return value;
    const v = value as { incidents: { id?: unknown }[] };
    return { ...v, incidents: v.incidents.filter((i) => !(typeof i.id === 'string' && hidden.has(i.id))) };
  };
  const after = strip(entry.after) as { incidents?: unknown[] } | null;
  if (!after?.incidents?.length) return undefined;
  return { ...entry, entityId: hidden.has(entry.entityId) ? `${after.incidents.length} incidents` : entry.entityId, before: strip(entry.before), after };
}
