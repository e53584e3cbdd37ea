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
      return [entry.entityId.split('/')[0] ?? entry.entityId];
    case 'finding':
    case 'action-item':
    case 'timeline-event':
      return [...new Set(fromContent('incidentId'))];
    case 'playbook':
      return [...new Set(fromContent('drivenByIncidentId'))];
    case 'import':
      return [...new Set([...importedIds(entry.before), ...importedIds(entry.after)])];
    case 'observable':
      // An observable's entry names the incidents it was seen in (or added to) at the time.
      return [...new Set([...fromContent('incidentId'), ...[entry.after, entry.before].flatMap((v) => (isRecord(v) && Array.isArray(v['incidentIds']) ? v['incidentIds'].filter((i): i is string => typeof i === 'string') : []))])];
    default:
      return [];
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
  return { ...entry, entityId: hidden.has(entry.entityId) ? `${remaining} incidents` : entry.entityId, before: strip(entry.before), after };
}

/** The newest entries that match, every one of them (the command line reads the whole trail). */
export function listAuditLog(store: OpenedStore, query: AuditQuery = {}): Promise<AuditEntry[]> {
  return listAuditEntries(store.db, query);
}

/**
 * The newest entries that match as this reader may see them: up to `limit` (default 100) of the
 * entries left after those about incidents hidden from the reader, paging back as far as needed.
 */
export async function auditLogForReader(store: OpenedStore, reader: Reader, query: AuditQuery = {}): Promise<AuditEntry[]> {
  const hidden = await hiddenIncidents(store, reader);
  if (hidden.size === 0) return listAuditEntries(store.db, query);
  const limit = query.limit ?? 100;
  const entries: AuditEntry[] = [];
  let before = query.before;
  while (entries.length < limit) {
    const page = await listAuditEntries(store.db, { ...query, before, limit });
    for (const entry of page) {
      const shown = auditEntryForReader(entry, hidden);
      if (shown && entries.length < limit) entries.push(shown);
    }
    const last = page[page.length - 1];
    if (page.length < limit || !last) break;
    before = last.seq;
  }
  return entries;
}

/**
 * Checks the whole chain of MACs with the keys of the audit key file, and against the anchors
 * given (heads written outside the database earlier); names the first broken entry.
 */
export function verifyAuditTrail(store: OpenedStore, anchors: readonly AuditAnchor[] = []): Promise<AuditVerification> {
  return verifyAuditChain(store.db, readKeyring(store.auditKeyFile), anchors);
}
