import { detectionForIncident, type IncidentDetection } from '../analysis/coverage/detection.js';
import type { KnowledgeBase } from '../attack/types.js';
import type { ConfirmedTechnique, IncidentCoverageAggregate } from '../model/coverage.js';
import { NotFoundError, UsageError } from '../model/errors.js';
import type { StoredIncident } from '../model/index.js';
import {
  confirmTechniques as storeConfirmations,
  coverageAggregate,
  listConfirmedTechniques,
  normaliseTechniqueIds,
  unconfirmTechniques as removeConfirmations,
} from '../store/coverage/confirmed-techniques.js';
import type { OpenedStore } from '../store/index.js';
import { auditedWrite } from './audit.js';

/**
 * Coverage use cases: the techniques a post-incident review confirmed (confirm, unconfirm, list
 * with what detected each), and the incident side of the coverage analysis.
 */

const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/i;

/** The incident a command names (Hindsight's id or the source's own), or a not-found error (exit 2). */
async function namedIncident(store: OpenedStore, ref: string): Promise<StoredIncident> {
  const incident = await store.getIncident(ref);
  if (!incident) throw new NotFoundError(`no incident "${ref}" in ${store.location}`);
  return incident;
}

/** The ID ATT&CK uses for a technique now (a revoked ID's replacement), or the ID itself when unknown. */
function liveId(kb: KnowledgeBase, id: string): string {
  return kb.technique(id.toUpperCase())?.object.id ?? id.toUpperCase();
}

export interface ConfirmRequest {
  /** ATT&CK technique IDs (any version: revoked IDs are stored as their replacement). */
  techniques: readonly string[];
  /** Who confirmed them (kept with each confirmation). */
  confirmedBy?: string | null;
  note?: string | null;
}

/**
 * Records the techniques the review of an incident confirmed. Every ID must be a technique of the
 * loaded ATT&CK version (else a usage error, nothing written); confirming one again updates who,
 * when and the note. Audited as `coverage.confirm` with the incident's confirmations before and after.
 */
export async function confirmTechniques(store: OpenedStore, kb: KnowledgeBase, actor: string, ref: string, request: ConfirmRequest): Promise<{ incident: string; confirmed: ConfirmedTechnique[] }> {
  for (const id of request.techniques) {
    if (!kb.technique(id.toUpperCase()) || !TECHNIQUE_ID.test(id)) throw new UsageError(`"${id}" is not a technique of ATT&CK ${kb.meta.version}`);
  }
  const live = request.techniques.map((id) => liveId(kb, id));
  const incident = await namedIncident(store, ref);
  const confirmed = await auditedWrite(store, { actor, operation: 'coverage.confirm' }, async (tx) => {
    const before = await listConfirmedTechniques(tx.db, incident.id);
    const after = await storeConfirmations(tx.db, incident.id, live, { confirmedBy: request.confirmedBy ?? null, note: request.note ?? null });
    return { result: after, entityId: incident.id, before: { confirmed: before }, after: { confirmed: after } };
  });
  return { incident: incident.id, confirmed };
}

export interface UnconfirmResult {
  incident: string;
  /** The confirmations removed. */
  removed: ConfirmedTechnique[];
  /** The incident's confirmations left. */
  confirmed: ConfirmedTechnique[];
  /** Techniques asked for that were not confirmed for the incident (nothing to remove). */
  notConfirmed: string[];
}

/**
 * Removes confirmations made by mistake. A technique matches a confirmation with the same ID or the
 * same technique in the loaded ATT&CK version (a revoked ID and its replacement are one technique),
 * so the IDs given to `confirm` remove what it stored. Techniques that are not confirmed are
 * reported in `notConfirmed` and left alone; when none of them is confirmed nothing changes and a
 * not-found error (exit 2) says which are. Audited as `coverage.unconfirm` with the incident's
 * confirmations before and after.
 */
export async function unconfirmTechniques(store: OpenedStore, kb: KnowledgeBase, actor: string, ref: string, techniques: readonly string[]): Promise<UnconfirmResult> {
  const wanted = normaliseTechniqueIds(techniques);
  for (const id of wanted) {
    if (!TECHNIQUE_ID.test(id)) throw new UsageError(`"${id}" is not an ATT&CK technique ID (T1234 or T1234.001)`);
  }
  const incident = await namedIncident(store, ref);
  return auditedWrite(store, { actor, operation: 'coverage.unconfirm' }, async (tx) => {
    const before = await listConfirmedTechniques(tx.db, incident.id);
    const matches = (id: string, c: ConfirmedTechnique) => c.techniqueId === id || liveId(kb, c.techniqueId) === liveId(kb, id);
    const notConfirmed = wanted.filter((id) => !before.some((c) => matches(id, c)));
    if (notConfirmed.length === wanted.length) {
      const held = before.length > 0 ? `confirmed: ${before.map((c) => c.techniqueId).join(', ')}` : 'it has no confirmed techniques';
      throw new NotFoundError(`${wanted.join(', ')} ${wanted.length === 1 ? 'is' : 'are'} not confirmed for incident ${incident.id} (${held}); nothing changed`);
    }
    const targets = before.filter((c) => wanted.some((id) => matches(id, c))).map((c) => c.techniqueId);
    const removed = await removeConfirmations(tx.db, incident.id, targets);
    const after = await listConfirmedTechniques(tx.db, incident.id);
    return { result: { incident: incident.id, removed, confirmed: after, notConfirmed }, entityId: incident.id, before: { confirmed: before }, after: { confirmed: after } };
  });
}

/** The techniques the review of an incident confirmed, with the alerts that detected each (or missed). */
export async function confirmedTechniques(store: OpenedStore, kb: KnowledgeBase, ref: string): Promise<{ incident: string; confirmed: ConfirmedTechnique[]; detection: IncidentDetection }> {
  const incident = await namedIncident(store, ref);
  const confirmed = await listConfirmedTechniques(store.db, incident.id);
  const detection = detectionForIncident(incident, kb, null, confirmed.map((c) => c.techniqueId));
  return { incident: incident.id, confirmed, detection };
}

/** The incident side of the coverage analysis: counted in SQL, leaving out the incidents in `hidden`. */
export function incidentCoverageAggregate(store: OpenedStore, hidden: ReadonlySet<string> = new Set()): Promise<IncidentCoverageAggregate> {
  return coverageAggregate(store.db, hidden);
}
