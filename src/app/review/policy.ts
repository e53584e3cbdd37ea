import type { ReviewState } from '../../model/review.js';
import { policyMaySet } from '../../review/lifecycle.js';
import type { PolicyDecision } from '../../review/policy.js';
import type { OpenedStore } from '../../store/index.js';
import { notifyReviewsRequired } from '../notify/events.js';
import { getReviewRecord, incidentsWithReview, insertReviewRecord, insertReviewRecords, updateReviewRecord, type NewReviewRecord } from '../../store/reviews/records.js';

/** The actor recorded in the review's history for changes the policy makes. */
export const POLICY_ACTOR = 'hindsight-policy';

/** Incidents looked up per query, and review records created per batch. */
const CHUNK = 500;

/**
 * Sets the review of each incident as the policy decided: incidents without a review record get
 * theirs (one multi-row insert per chunk, with their history); the others move between required
 * and not-required, unless their review has progressed (draft, in review, approved, waived), which
 * the policy leaves alone. Runs in the caller's transaction (or one of its own); recorded in the
 * review's history, not separately in the audit trail (the import's own entry covers it).
 */
export async function applyReviewPolicy(
  tx: OpenedStore,
  decisions: ReadonlyArray<{ incidentId: string; decision: PolicyDecision }>,
): Promise<Array<{ id: string; state: ReviewState; required: boolean; rules: string[] }>> {
  return tx.transaction(async (trx) => {
    const out: Array<{ id: string; state: ReviewState; required: boolean; rules: string[] }> = [];
    for (let start = 0; start < decisions.length; start += CHUNK) {
      const part = decisions.slice(start, start + CHUNK);
      const reviewed = await incidentsWithReview(trx.db, part.map((d) => d.incidentId));
      const fresh: NewReviewRecord[] = [];
      for (const { incidentId, decision } of part) {
        const rules = decision.matched.map((m) => m.rule);
        if (!reviewed.has(incidentId)) {
          fresh.push(policyRecord(incidentId, decision));
          out.push({ id: incidentId, state: targetState(decision), required: decision.required, rules });
          continue;
        }
        const { state } = await applyPolicyDecision(trx, incidentId, decision);
        out.push({ id: incidentId, state, required: decision.required, rules });
      }
      const at = new Date().toISOString();
      if (fresh.length) await insertReviewRecords(trx.db, fresh, { actor: POLICY_ACTOR, at });
      // A review the policy newly requires is announced (to the incident's assignee, else the reviewers).
      await notifyReviewsRequired(trx, fresh.filter((r) => r.state === 'required'), POLICY_ACTOR, at);
    }
    return out;
  });
}

/**
 * Applies the policy's decision to one incident: creates its review record, or moves it required
 * <-> not-required. A review that has progressed is left alone. Returns the state, and whether it changed.
 */
export async function applyPolicyDecision(store: OpenedStore, incidentId: string, decision: PolicyDecision): Promise<{ state: ReviewState; changed: boolean }> {
  return store.transaction(async (tx) => {
    const stamp = { actor: POLICY_ACTOR, at: new Date().toISOString() };
    const current = await getReviewRecord(tx.db, incidentId);
    const wanted = policyRecord(incidentId, decision);
    if (!current) {
      await insertReviewRecord(tx.db, wanted, stamp);
      if (wanted.state === 'required') await notifyReviewsRequired(tx, [wanted], POLICY_ACTOR, stamp.at);
      return { state: wanted.state, changed: true };
    }
    if (!policyMaySet(current.state) || (current.state === wanted.state && current.requiredBy === wanted.requiredBy)) return { state: current.state, changed: false };
    await updateReviewRecord(tx.db, current, { state: wanted.state, requiredBy: wanted.requiredBy }, stamp);
    if (wanted.state === 'required' && current.state !== 'required') await notifyReviewsRequired(tx, [wanted], POLICY_ACTOR, stamp.at);
    return { state: wanted.state, changed: current.state !== wanted.state };
  });
}

function targetState(decision: PolicyDecision): ReviewState {
  return decision.required ? 'required' : 'not-required';
}

/** The review record the policy's decision gives: its state and the rules that required it. */
function policyRecord(incidentId: string, decision: PolicyDecision): NewReviewRecord {
  return { incidentId, state: targetState(decision), requiredBy: decision.required ? decision.matched.map((m) => m.rule).join(', ') : null };
}
