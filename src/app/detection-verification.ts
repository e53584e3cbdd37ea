import type { KnowledgeBase } from '../attack/types.js';
import { NotFoundError, UsageError } from '../model/errors.js';
import { recordNotification } from './notify/record.js';
import type { OpenedStore } from '../store/index.js';
import { getActionItem, updateActionItem, type StoredActionItem } from '../store/reviews/action-items.js';
import type { DetectionEvidence, DetectionVerificationState } from '../store/database.js';
import { listDetectionItems, setDetectionTechniques, writeDetectionState, type DetectionItem } from '../store/rules/detections.js';
import { latestRuleImport, listStoredRules, type RuleImportRecord, type StoredRule } from '../store/rules/inventory.js';
import { appendAudit, auditedWrite } from './audit.js';

/**
 * Verified closure of detection fixes: a detection-engineering action item names the techniques
 * it must cover; when the stored rule inventory covers every one of them with at least one rule
 * that is not deprecated, the item is verified automatically, with the evidence (rules, the
 * import that brought them, when); when a later import loses that coverage the item is flagged
 * regressed, reopened, and its owner is to be notified (`onDetectionRegressed`).
 */

/** Who the automatic verification writes as. */
export const VERIFIER = 'hindsight:rule-inventory';

export interface VerificationOutcome {
  actionItemId: string;
  incidentId: string;
  title: string;
  techniques: string[];
  /** Where the item stood before this check, and where it stands now. */
  before: DetectionVerificationState;
  state: DetectionVerificationState;
  evidence: DetectionEvidence | null;
}

/** A detection fix lost its coverage: what the owner must be told. */
export interface DetectionRegressedEvent {
  kind: 'detection.regressed';
  actionItemId: string;
  incidentId: string;
  title: string;
  /** The person to notify (the item's owner), when it has one. */
  owner: string | null;
  uncovered: string[];
  importId: string;
  at: string;
}

/**
 * Called once per regression, inside the transaction that records it (the audit trail already
 * holds the `action-item.regress` entry): the item's owner is told, through the notifications
 * outbox, in the same transaction. One message per item and rules import, whatever re-checks run.
 */
export async function onDetectionRegressed(tx: OpenedStore, event: DetectionRegressedEvent): Promise<DetectionRegressedEvent> {
  if (event.owner) {
    await recordNotification(tx, {
      kind: 'action.regressed',
      dedupeKey: `action.regressed:${event.actionItemId}:${event.importId}`,
      incidentId: event.incidentId,
      subjectId: event.actionItemId,
      subjectTitle: event.title,
      actor: VERIFIER,
      to: [event.owner],
      facts: { 'No longer covered': event.uncovered.join(', '), 'Rules import': event.importId },
    });
  }
  return event;
}

/** Names the techniques a detection-engineering action item must cover, and checks it at once. */
export async function setActionItemTechniques(store: OpenedStore, kb: KnowledgeBase, actor: string, actionItemId: string, techniques: readonly string[]): Promise<DetectionItem> {
  const unknown = techniques.filter((t) => !kb.technique(t.trim()));
  if (unknown.length) throw new UsageError(`unknown to ATT&CK ${kb.meta.domain} v${kb.meta.version}: technique ${unknown.join(', technique ')}`);
  if (techniques.length === 0) throw new UsageError('name at least one technique (--techniques T1003.001,...)');
  const live = [...new Set(techniques.map((t) => kb.technique(t.trim())!.object.id))].sort();
  return auditedWrite(store, { actor, operation: 'action-item.detection' }, async (tx) => {
    const item = await getActionItem(tx.db, actionItemId);
    if (!item) throw new NotFoundError(`no action item "${actionItemId}"`);
    if (item.type !== 'detection-engineering') throw new UsageError(`action item ${actionItemId} is of type ${item.type}: only detection-engineering items name techniques to cover`);
    const before = (await listDetectionItems(tx.db, actionItemId))[0]?.techniques ?? null;
    await setDetectionTechniques(tx.db, actionItemId, live, new Date().toISOString());
    const last = await latestRuleImport(tx.db);
    if (last) await verifyDetectionItemsIn(tx, kb, actor, last, actionItemId);
    const after = (await listDetectionItems(tx.db, actionItemId))[0]!;
    return { result: after, entityId: actionItemId, before: { incidentId: item.incidentId, techniques: before }, after: { incidentId: item.incidentId, techniques: live } };
  });
}

/** `hindsight actions verify`: re-checks every detection item against the latest import. */
export async function verifyDetectionItems(store: OpenedStore, kb: KnowledgeBase, actor: string): Promise<{ importId: string | null; items: VerificationOutcome[]; regressions: DetectionRegressedEvent[] }> {
  return store.transaction(async (tx) => {
    const last = await latestRuleImport(tx.db);
    const regressions: DetectionRegressedEvent[] = [];
    let items: VerificationOutcome[];
    if (!last) {
      const stored = await listDetectionItems(tx.db);
      items = stored.map((i) => ({ actionItemId: i.actionItemId, incidentId: i.incidentId, title: i.title, techniques: i.techniques, before: i.state, state: i.state, evidence: i.evidence }));
    } else {
      items = await verifyDetectionItemsIn(tx, kb, actor, last, undefined, regressions);
    }
    // The re-check itself is on the record: who ran it, against which import, and what it found.
    await appendAudit(tx, { actor, operation: 'rules.verify' }, { entityId: last?.id ?? 'no-import', after: { importId: last?.id ?? null, items: items.map((i) => ({ id: i.actionItemId, before: i.before, state: i.state })) } });
    return { importId: last?.id ?? null, items, regressions };
  });
}

/**
 * Checks detection items (all, or one) against the stored inventory as `record` left it, inside
 * the caller's transaction: verifies, flags regressions, records each change in the audit trail.
 */
export async function verifyDetectionItemsIn(tx: OpenedStore, kb: KnowledgeBase, actor: string, record: RuleImportRecord, only?: string, regressions: DetectionRegressedEvent[] = []): Promise<VerificationOutcome[]> {
  const items = await listDetectionItems(tx.db, only);
  if (items.length === 0) return [];
  const rules = await listStoredRules(tx.db);
  const at = new Date().toISOString();
  const outcomes: VerificationOutcome[] = [];
  for (const item of items) {
    const techniques = item.techniques.map((t) => kb.technique(t)?.object.id ?? t);
    const covering = rulesCovering(rules, techniques);
    const uncovered = techniques.filter((t) => !covering.some((r) => r.techniques.includes(t)));
    const coveredNow = uncovered.length === 0;
    const lastVerified = item.state === 'verified' ? item.evidence : null;
    let state: DetectionVerificationState;
    let evidence: DetectionEvidence;
    if (coveredNow) {
      state = 'verified';
      // Still covered: the evidence keeps the import that first verified it.
      evidence = { importId: lastVerified?.importId ?? record.id, at: lastVerified?.at ?? at, rules: covering.map((r) => ({ id: r.id, title: r.title, techniques: r.techniques.filter((t) => techniques.includes(t)) })), uncovered: [] };
    } else {
      state = item.state === 'verified' || item.state === 'regressed' ? 'regressed' : 'pending';
      evidence = { importId: record.id, at, rules: covering.map((r) => ({ id: r.id, title: r.title, techniques: r.techniques.filter((t) => techniques.includes(t)) })), uncovered };
    }
    await writeDetectionState(tx.db, item.actionItemId, state, evidence, record.id, at);
    if (state === 'verified' && item.state !== 'verified') await markVerified(tx, actor, item, evidence);
    if (state === 'regressed' && item.state === 'verified') {
      await markRegressed(tx, actor, item, evidence);
      regressions.push(await onDetectionRegressed(tx, { kind: 'detection.regressed', actionItemId: item.actionItemId, incidentId: item.incidentId, title: item.title, owner: item.owner, uncovered, importId: record.id, at }));
    }
    outcomes.push({ actionItemId: item.actionItemId, incidentId: item.incidentId, title: item.title, techniques, before: item.state, state, evidence });
  }
  return outcomes;
}

/** Live (not deprecated) rules covering at least one of the techniques. */
function rulesCovering(rules: readonly StoredRule[], techniques: readonly string[]): StoredRule[] {
  return rules.filter((r) => !r.deprecated && r.techniques.some((t) => techniques.includes(t)));
}

function evidenceText(e: DetectionEvidence): string {
  return `rule inventory import ${e.importId} at ${e.at}: ${e.rules.map((r) => `${r.id} "${r.title}" (${r.techniques.join(', ')})`).join('; ')}`;
}

async function markVerified(tx: OpenedStore, actor: string, item: DetectionItem, evidence: DetectionEvidence): Promise<void> {
  const current = await getActionItem(tx.db, item.actionItemId);
  if (!current) return;
  const next: StoredActionItem = { ...current, status: 'verified', verifiedBy: VERIFIER, verifiedAt: evidence.at, verificationMethod: 'rule-inventory', verificationEvidence: evidenceText(evidence) };
  await updateActionItem(tx.db, current, next, ['status', 'verifiedBy', 'verifiedAt', 'verificationMethod', 'verificationEvidence'], { actor: VERIFIER, at: evidence.at });
  await appendAudit(tx, { actor, operation: 'action-item.verify' }, { entityId: item.actionItemId, before: { incidentId: item.incidentId, status: current.status }, after: { incidentId: item.incidentId, status: 'verified', evidence } });
}

async function markRegressed(tx: OpenedStore, actor: string, item: DetectionItem, evidence: DetectionEvidence): Promise<void> {
  const current = await getActionItem(tx.db, item.actionItemId);
  if (!current) return;
  // A fix that no longer holds is open work again; the lost verification stays in the item's history.
  const next: StoredActionItem = { ...current, status: 'open', verifiedBy: null, verifiedAt: null, verificationMethod: null, verificationEvidence: null };
  await updateActionItem(tx.db, current, next, ['status', 'verifiedBy', 'verifiedAt', 'verificationMethod', 'verificationEvidence'], { actor: VERIFIER, at: evidence.at });
  await appendAudit(tx, { actor, operation: 'action-item.regress' }, { entityId: item.actionItemId, before: { incidentId: item.incidentId, status: current.status, state: 'verified' }, after: { incidentId: item.incidentId, status: 'open', state: 'regressed', uncovered: evidence.uncovered, importId: evidence.importId, owner: current.owner } });
}
