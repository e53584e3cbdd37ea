import { UsageError } from '../../model/errors.js';
import type { ReviewRecord, Sufficiency } from '../../model/review.js';
import { assertReviewTransition, BLOCKS_CLOSE, FourEyesError, LifecycleError, REVIEW_TRANSITION_RULES, type ReviewTransitionName } from '../../review/lifecycle.js';
import { DEFAULT_APPROVAL_RULES, type ApprovalRules } from '../../review/policy.js';
import { reviewAuthors } from '../../store/reviews/changes.js';
import type { OpenedStore } from '../../store/index.js';
import { checkVersion } from '../../store/reviews/guard.js';
import { emptyReviewRecord, getReviewRecord, insertReviewRecord, updateReviewRecord, type ReviewRecordFields } from '../../store/reviews/records.js';
import { auditedWrite, type AuditedOperation } from '../audit.js';
import { notifyReviewTransition } from '../notify/events.js';
import { reviewCompleteness } from './content.js';
import { ensureReviewRecord, stampOf, type ReviewWrite } from './write.js';

/** What a transition may carry besides who makes it: a reason, and for approval the judgement. */
export interface ReviewTransitionInput extends ReviewWrite {
  reason?: string;
  /** Approval: was the response sufficient and complete? Default sufficient. */
  sufficiency?: Sufficiency;
  /** Approval: the judgement in words (required for insufficient). */
  notes?: string;
  /** Approval below 100% completeness: the reason, recorded. */
  overrideIncomplete?: string;
  /** Approval: the policy's rules (four eyes, the override reason's length); default the strict ones. */
  approvalRules?: ApprovalRules;
}

/** Makes the named review transition: the one entry point of both front ends. */
export async function makeReviewTransition(store: OpenedStore, name: ReviewTransitionName, incidentId: string, input: ReviewTransitionInput): Promise<ReviewRecord> {
  switch (name) {
    case 'start':
      return startReview(store, incidentId, input);
    case 'submit':
      return submitReview(store, incidentId, input);
    case 'approve':
      return approveReview(store, incidentId, { ...input, sufficiency: input.sufficiency ?? 'sufficient' });
    case 'return':
      return returnReview(store, incidentId, input);
    case 'waive':
      return waiveReview(store, incidentId, { ...input, reason: input.reason ?? '' });
    case 'reopen':
      return reopenReview(store, incidentId, input);
    case 'require':
      return requireReview(store, incidentId, input);
    case 'close':
      return closeIncident(store, incidentId, input);
  }
}

/** Starts the draft explicitly (edits start it too). */
export async function startReview(store: OpenedStore, incidentId: string, write: ReviewWrite): Promise<ReviewRecord> {
  return transition(store, 'start', incidentId, write, () => ({}));
}

export async function submitReview(store: OpenedStore, incidentId: string, write: ReviewWrite): Promise<ReviewRecord> {
  return transition(store, 'submit', incidentId, write, (at) => ({ submittedBy: write.actor, submittedAt: at }));
}

/** Returns a submitted review to draft for more work. */
export async function returnReview(store: OpenedStore, incidentId: string, write: ReviewWrite): Promise<ReviewRecord> {
  return transition(store, 'return', incidentId, write, () => ({}));
}

/**
 * Approves a review in review. Four eyes (unless the policy turns it off): the approver is not the
 * person who submitted it, nor the only person who wrote it. Requires 100% completeness unless
 * `overrideIncomplete` gives a real reason (recorded, and flagged in every report format). The
 * approver's sufficiency judgement is recorded; `insufficient` needs notes.
 */
export async function approveReview(store: OpenedStore, incidentId: string, input: ReviewWrite & { sufficiency: Sufficiency; notes?: string; overrideIncomplete?: string; approvalRules?: ApprovalRules }): Promise<ReviewRecord> {
  if (input.sufficiency === 'insufficient' && !input.notes?.trim()) {
    throw new UsageError('an "insufficient" judgement needs notes saying what was missing (--notes)');
  }
  const rules = input.approvalRules ?? DEFAULT_APPROVAL_RULES;
  const override = input.overrideIncomplete?.replace(/\s+/g, ' ').trim() || undefined;
  return transition(store, 'approve', incidentId, input, (at, complete) => ({
    approvedBy: input.actor,
    approvedAt: at,
    sufficiency: input.sufficiency,
    sufficiencyNotes: input.notes?.trim() || null,
    completenessOverride: complete ? null : (override ?? null),
  }), async (tx) => {
    if (rules.fourEyes) await checkFourEyes(tx, incidentId, input.actor);
    const completeness = await reviewCompleteness(tx, incidentId);
    if (!completeness.complete && !override) {
      const missing = completeness.parts.flatMap((p) => p.missing);
      throw new LifecycleError(
        `the review is ${completeness.score}% complete and cannot be approved yet: ${missing.slice(0, 3).join('; ')}${missing.length > 3 ? `; and ${missing.length - 3} more` : ''} (or approve with an override reason)`,
      );
    }
    if (!completeness.complete && override && override.length < rules.overrideReasonMinLength) {
      throw new LifecycleError(`approving a review that is ${completeness.score}% complete needs a reason of at least ${rules.overrideReasonMinLength} characters saying why it is good enough, not "${override}"`);
    }
    return completeness.complete;
  });
}

/** Refuses an approval by the person who submitted the review, or by its only author. */
async function checkFourEyes(tx: OpenedStore, incidentId: string, approver: string): Promise<void> {
  const record = await getReviewRecord(tx.db, incidentId);
  // Out of review the state machine refuses the approval with its own words.
  if (record?.state !== 'in-review') return;
  if (record.submittedBy === approver) {
    throw new FourEyesError(`four eyes: ${approver} submitted this review, so someone else must approve it (a team too small for that sets approval.fourEyes: false in the review policy)`);
  }
  const authors = await reviewAuthors(tx.db, incidentId);
  if (authors.length === 1 && authors[0] === approver) {
    throw new FourEyesError(`four eyes: ${approver} wrote all of this review, so someone else must approve it (a team too small for that sets approval.fourEyes: false in the review policy)`);
  }
}

export async function waiveReview(store: OpenedStore, incidentId: string, input: ReviewWrite & { reason: string }): Promise<ReviewRecord> {
  if (!input.reason?.trim()) throw new UsageError('waiving a review needs a reason (--reason)');
  return transition(store, 'waive', incidentId, input, () => ({ waiverReason: input.reason.trim() }));
}

/** Reopens an approved or waived review as a draft. */
export async function reopenReview(store: OpenedStore, incidentId: string, write: ReviewWrite): Promise<ReviewRecord> {
  return transition(store, 'reopen', incidentId, write, () => ({ approvedBy: null, approvedAt: null, sufficiency: null, sufficiencyNotes: null, completenessOverride: null, waiverReason: null }));
}

/** Marks a review required by hand (from not-required or waived). */
export async function requireReview(store: OpenedStore, incidentId: string, input: ReviewWrite & { reason?: string }): Promise<ReviewRecord> {
  return transition(store, 'require', incidentId, input, () => ({ requiredBy: input.reason ? `manual: ${input.reason}` : 'manual', waiverReason: null }));
}

/**
 * Closes the incident on Hindsight's side (recorded). Refused while its review is required, in
 * draft or in review, and when it is closed already.
 */
export async function closeIncident(store: OpenedStore, incidentId: string, input: ReviewWrite & { reason?: string }): Promise<ReviewRecord> {
  return auditedWrite(store, { actor: input.actor, operation: 'incident.close' }, async (tx) => {
    const stamp = stampOf(input);
    const before = await getReviewRecord(tx.db, incidentId);
    const current = before ?? emptyReviewRecord(incidentId);
    if (BLOCKS_CLOSE.includes(current.state)) {
      throw new LifecycleError(
        `incident ${incidentId} cannot be closed: its post-incident review is ${current.state}${current.requiredBy ? ` (required by ${current.requiredBy})` : ''}; approve or waive the review first`,
      );
    }
    if (current.closedAt) throw new LifecycleError(`incident ${incidentId} was already closed by ${current.closedBy ?? 'someone'} at ${current.closedAt}`);
    const review = before ?? (await insertReviewRecord(tx.db, { incidentId, state: current.state, requiredBy: null }, stamp));
    const closed = await updateReviewRecord(tx.db, review, { closedAt: stamp.at, closedBy: input.actor, closeReason: input.reason?.trim() || null }, stamp);
    return { result: closed, entityId: incidentId, before: before ?? null, after: closed };
  });
}

const OPERATIONS: { readonly [N in Exclude<ReviewTransitionName, 'close'>]: AuditedOperation } = {
  start: 'review.start',
  submit: 'review.submit',
  approve: 'review.approve',
  return: 'review.return',
  waive: 'review.waive',
  reopen: 'review.reopen',
  require: 'review.require',
};

/**
 * One named transition, audited: `check` runs first in the transaction (approval's completeness),
 * then the record (created when missing) is checked against the expected version and the state
 * machine, and moved with the transition's fields.
 */
function transition(
  store: OpenedStore,
  name: Exclude<ReviewTransitionName, 'close'>,
  incidentId: string,
  write: ReviewWrite,
  fields: (at: string, checked: boolean) => ReviewRecordFields,
  check: (tx: OpenedStore) => Promise<boolean> = async () => true,
): Promise<ReviewRecord> {
  return auditedWrite(store, { actor: write.actor, operation: OPERATIONS[name] }, async (tx) => {
    const stamp = stampOf(write);
    const before = (await getReviewRecord(tx.db, incidentId)) ?? null;
    const checked = await check(tx);
    const current = before ?? (await ensureReviewRecord(tx, incidentId, stamp));
    checkVersion('the review', current, write.expectedVersion);
    assertReviewTransition(name, current.state);
    const to = REVIEW_TRANSITION_RULES[name].to;
    const moved = await updateReviewRecord(tx.db, current, { ...fields(stamp.at, checked), ...(to ? { state: to } : {}) }, stamp);
    await notifyReviewTransition(tx, name, before, moved, write.actor);
    return { result: moved, entityId: incidentId, before, after: moved };
  });
}
