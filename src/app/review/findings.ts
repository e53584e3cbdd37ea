import { NotFoundError } from '../../model/errors.js';
import { FindingInputSchema, FindingPatchSchema, type Finding, type FindingInput, type FindingPatch } from '../../model/review.js';
import type { OpenedStore } from '../../store/index.js';
import * as findings from '../../store/reviews/findings.js';
import * as items from '../../store/reviews/action-items.js';
import { checkVersion } from '../../store/reviews/guard.js';
import { auditedWrite } from '../audit.js';
import { beginEdit, definedOnly, parseReviewInput, stampOf, type ReviewWrite } from './write.js';

/** The findings of an incident's review, oldest first. */
export async function listFindings(store: OpenedStore, incidentId: string): Promise<Finding[]> {
  return findings.listFindings(store.db, incidentId);
}

export async function getFinding(store: OpenedStore, id: string): Promise<Finding | undefined> {
  return findings.getFinding(store.db, id);
}

/** Adds a finding to an incident's review; starts the draft. */
export async function addFinding(store: OpenedStore, incidentId: string, input: FindingInput, write: ReviewWrite): Promise<Finding> {
  const data = parseReviewInput(FindingInputSchema, input, 'finding');
  return auditedWrite(store, { actor: write.actor, operation: 'finding.add' }, async (tx) => {
    const stamp = stampOf(write);
    await beginEdit(tx, incidentId, stamp);
    const finding = await findings.insertFinding(tx.db, incidentId, data, stamp);
    return { result: finding, entityId: finding.id, before: null, after: finding };
  });
}

/** Changes the fields a patch names of a finding. */
export async function editFinding(store: OpenedStore, id: string, patch: FindingPatch, write: ReviewWrite): Promise<Finding> {
  const data = parseReviewInput(FindingPatchSchema, patch, 'finding');
  return auditedWrite(store, { actor: write.actor, operation: 'finding.edit' }, async (tx) => {
    const stamp = stampOf(write);
    const current = await findings.getFinding(tx.db, id);
    if (!current) throw new NotFoundError(`no finding "${id}"`);
    await beginEdit(tx, current.incidentId, stamp);
    const edited = await findings.updateFinding(tx.db, current, { ...current, ...definedOnly(data) }, stamp);
    return { result: edited, entityId: id, before: current, after: edited };
  });
}

/**
 * Deletes a finding; the action items that addressed it stay and are unlinked (each unlink is a
 * change in its history). Audited with the finding as it was; refused once the review is approved.
 */
export async function deleteFinding(store: OpenedStore, id: string, write: ReviewWrite): Promise<void> {
  return auditedWrite(store, { actor: write.actor, operation: 'finding.delete' }, async (tx) => {
    const stamp = stampOf(write);
    const current = await findings.getFinding(tx.db, id);
    if (!current) throw new NotFoundError(`no finding "${id}"`);
    checkVersion(`finding ${id}`, current, stamp.expectedVersion);
    await beginEdit(tx, current.incidentId, stamp);
    const linked = await items.actionItemsOfFinding(tx.db, id);
    for (const item of linked) await items.updateActionItem(tx.db, item, { ...item, findingId: null }, ['findingId'], { actor: stamp.actor, at: stamp.at });
    await findings.deleteFinding(tx.db, current, stamp);
    return { result: undefined, entityId: id, before: { ...current, unlinkedActionItems: linked.map((i) => i.id) }, after: null };
  });
}
