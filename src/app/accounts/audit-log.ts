/**
 * Reading and verifying the audit trail. A reader sees the trail as they see incidents: entries
 * about incidents restricted to other people are left out. The stored entries and the chain are
 * never touched; verification always covers every entry.
 */
import type { Reader } from '../../model/accounts.js';
import type { AuditAnchor, AuditEntry, AuditQuery, AuditVerification } from '../../model/audit.js';
import { listAuditEntries } from '../../store/audit/list.js';
import { readKeyring } from '../../store/audit/keyring.js';
import { verifyAuditChain } from '../../store/audit/verify.js';
import type { OpenedStore } from '../../store/index.js';
import { hiddenIncidents } from './incident-access.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The ids of an import entry's `incidents` list. */
function importedIds(value: unknown): string[] {
  if (!isRecord(value) || !Array.isArray(value['incidents'])) return [];
  return value['incidents'].map((i: unknown) => (isRecord(i) ? i['id'] : undefined)).filter((id): id is string => typeof id === 'string');
}

/** The incidents an entry is about, read from its entity and content. */
export function incidentsOfAuditEntry(entry: AuditEntry): string[] {
  const fromContent = (key: string) => [entry.after, entry.before].map((v) => (isRecord(v) ? v[key] : undefined)).filter((v): v is string => typeof v === 'string');
  switch (entry.entityType) {
    case 'review':
    case 'incident':
    case 'confirmed-techniques':
      return [entry.entityId];
    case 'section':
    case 'answer':
    case 'timeline-annotation':
    case 'review-template':
    case 'inference-dismissal':
      return [entry.entityId.split('/')[0] ?? entry.entityId];
    case 'playbook':
      return [...new Set(fromContent('drivenByIncidentId'))];
    case 'import':
      return [...new Set([...importedIds(entry.before), ...importedIds(entry.after)])];
    case 'observable':
      // An observable's entry names the incidents it was seen in (or added to) at the time.
      return [...new Set([...fromContent('incidentId'), ...[entry.after, entry.before].flatMap((v) => (isRecord(v) && Array.isArray(v['incidentIds']) ? v['incidentIds'].filter((i): i is string => typeof i === 'string') : []))])];
    default:
      // Findings, action items, events, tasks, observables and anything added later say in their content.
      return [...new Set(fromContent('incidentId'))];
  }
}

/**
 * An entry as a reader who may not see `hidden` incidents sees it: entries about such an incident
 * are left out (except the changes to its access list, which admins manage), and an import's lists
 * leave such incidents out. Undefined when nothing of the entry remains.
 */
export function auditEntryForReader(entry: AuditEntry, hidden: ReadonlySet<string>): AuditEntry | undefined {
  if (hidden.size === 0) return entry;
  if (entry.entityType === 'incident' && (entry.action === 'incident.restrict' || entry.action === 'incident.unrestrict')) return entry;
  if (!incidentsOfAuditEntry(entry).some((id) => hidden.has(id))) return entry;
  if (entry.entityType !== 'import') return undefined;
  const strip = (value: unknown): unknown => {
    if (!isRecord(value) || !Array.isArray(value['incidents'])) return value;
    return { ...value, incidents: value['incidents'].filter((i: unknown) => !(isRecord(i) && typeof i['id'] === 'string' && hidden.has(i['id']))) };
  };
  const after = strip(entry.after);
  const remaining = isRecord(after) && Array.isArray(after['incidents']) ? after['incidents'].length : 0;
  if (remaining === 0) return undefined;
  // The id of a hidden incident, or a count that included hidden ones, becomes the count that remains.
  return { ...entry, entityId: hidden.has(entry.entityId) || /^\d+ incidents$/.test(entry.entityId) ? `${remaining} incidents` : entry.entityId, before: strip(entry.before), after };
}

/** The newest entries that match, every one of them (the command line reads the whole trail). */
export function listAuditLog(store: OpenedStore, query: AuditQuery = {}): Promise<AuditEntry[]> {
  return listAuditEntries(store.db, query);
}

/** Entries about accounts, tokens, sign-ins and the server's settings: an admin's business only. */
const ADMIN_ENTITY_TYPES: ReadonlySet<string> = new Set(['user', 'api-token', 'sign-in', 'policy', 'audit-key', 'connector']);

/** What a reader may know of an entry about an incident hidden from them: who did what, and when. */
function redacted(entry: AuditEntry): AuditEntry {
  return { ...entry, entityId: 'restricted incident', before: null, after: null, redacted: true };
}

/**
 * An entry as this reader sees it: as it is; redacted (an admin reading an entry about an incident
 * restricted to others still sees who did what and when, so no write escapes admins); or not at all
 * (undefined; a reviewer reading an admin's entry, or one about an incident hidden from them).
 */
export function auditEntryAsSeenBy(entry: AuditEntry, reader: Reader, hidden: ReadonlySet<string>): AuditEntry | undefined {
  if (reader.role !== 'admin' && ADMIN_ENTITY_TYPES.has(entry.entityType)) return undefined;
  // Changes to an access list are an admin's to see; to anyone else a hidden incident's list does not exist either.
  if (reader.role !== 'admin' && entry.entityType === 'incident' && hidden.has(entry.entityId)) return undefined;
  const shown = auditEntryForReader(entry, hidden);
  if (shown) return shown;
  return reader.role === 'admin' ? redacted(entry) : undefined;
}

/** One page of the trail as a reader sees it. */
export interface AuditPage {
  entries: AuditEntry[];
  /** Entries in the range this page covers that the reader may not see: counted, not shown. */
  hidden: number;
  /** Entries shown without their content (about incidents restricted to others). */
  redacted: number;
  /** The `before` of the next (older) page; null when this is the last. */
  nextBefore: number | null;
}

/**
 * The newest entries that match as `see` shows them: up to `limit` (default 100) shown entries,
 * paging back as far as needed; the entries left out on the way are counted. With an incident
 * filter, only entries really about that incident are kept.
 */
async function auditPage(store: OpenedStore, query: AuditQuery, see: (entry: AuditEntry) => AuditEntry | undefined): Promise<AuditPage> {
  const limit = Math.min(query.limit ?? 100, 1000);
  const page: AuditPage = { entries: [], hidden: 0, redacted: 0, nextBefore: null };
  let before = query.before;
  for (;;) {
    const batch = await listAuditEntries(store.db, { ...query, before, limit });
    for (const entry of batch) {
      if (page.entries.length === limit) return { ...page, nextBefore: before ?? null };
      before = entry.seq;
      if (query.incident && !incidentsOfAuditEntry(entry).includes(query.incident)) continue;
      const shown = see(entry);
      if (!shown) page.hidden += 1;
      else {
        if (shown.redacted) page.redacted += 1;
        page.entries.push(shown);
      }
    }
    if (batch.length < limit) return page;
    if (page.entries.length === limit) return { ...page, nextBefore: before ?? null };
  }
}

/** One page of the trail as this reader may see it (see auditEntryAsSeenBy). */
export async function auditPageForReader(store: OpenedStore, reader: Reader, query: AuditQuery = {}): Promise<AuditPage> {
  const hidden = await hiddenIncidents(store, reader);
  return auditPage(store, query, (entry) => auditEntryAsSeenBy(entry, reader, hidden));
}

/** One page of the whole trail, every entry in full: the operator's view on the machine holding the database. */
export function auditPageForOperator(store: OpenedStore, query: AuditQuery = {}): Promise<AuditPage> {
  return auditPage(store, query, (entry) => entry);
}

/** The newest entries that match as this reader may see them (see auditPageForReader). */
export async function auditLogForReader(store: OpenedStore, reader: Reader, query: AuditQuery = {}): Promise<AuditEntry[]> {
  return (await auditPageForReader(store, reader, query)).entries;
}

/**
 * Checks the whole chain of MACs with the keys of the audit key file, and against the anchors
 * given (heads written outside the database earlier); names the first broken entry.
 */
export function verifyAuditTrail(store: OpenedStore, anchors: readonly AuditAnchor[] = []): Promise<AuditVerification> {
  return verifyAuditChain(store.db, readKeyring(store.auditKeyFile), anchors);
}
