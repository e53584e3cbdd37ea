import type { ActionStatus, ReviewState } from '../model/review.js';
import { HindsightError } from '../model/errors.js';

/**
 * The review's state machine and the action items' lifecycle. Pure: each function says whether a
 * move is allowed; the repository refuses the write when it is not.
 */

/** A move the lifecycle does not allow (exit 1: the work cannot be done in this state). */
export class LifecycleError extends HindsightError {
  constructor(message: string) {
    super(message);
    this.name = 'LifecycleError';
  }
}

/**
 * Allowed review transitions:
 * - not-required -> required (policy or a person), draft (a voluntary review);
 * - required -> not-required (the policy no longer applies, nothing written yet), draft, waived;
 * - draft -> in-review (submit), waived;
 * - in-review -> approved, draft (returned for more work), waived;
 * - approved -> draft (reopened);
 * - waived -> draft (reopened), required (waiver withdrawn).
 */
export const REVIEW_TRANSITIONS: Record<ReviewState, readonly ReviewState[]> = {
  'not-required': ['required', 'draft'],
  required: ['not-required', 'draft', 'waived'],
  draft: ['in-review', 'waived'],
  'in-review': ['approved', 'draft', 'waived'],
  approved: ['draft'],
  waived: ['draft', 'required'],
};

export function canTransition(from: ReviewState, to: ReviewState): boolean {
  return REVIEW_TRANSITIONS[from].includes(to);
}

export function assertTransition(from: ReviewState, to: ReviewState): void {
  if (!canTransition(from, to)) {
    const allowed = REVIEW_TRANSITIONS[from];
    throw new LifecycleError(`the review is ${from} and cannot move to ${to} (from ${from} it can move to ${allowed.join(', ') || 'nothing'})`);
  }
}

/** States in which the review's content (sections, answers, findings, timeline) may be edited. */
export const EDITABLE_STATES: readonly ReviewState[] = ['not-required', 'required', 'draft', 'in-review'];

/** Editing content of a review that has not started yet starts its draft. */
export function stateAfterEdit(state: ReviewState): ReviewState {
  if (state === 'required' || state === 'not-required') return 'draft';
  return state;
}

export function assertEditable(state: ReviewState): void {
  if (!EDITABLE_STATES.includes(state)) {
    throw new LifecycleError(`the review is ${state}; reopen it (\`hindsight review reopen\`) before editing`);
  }
}

/** The states that keep an incident from being closed in Hindsight. */
export const BLOCKS_CLOSE: readonly ReviewState[] = ['required', 'draft', 'in-review'];

/** Whether the policy may set the state: only before a review has progressed. */
export function policyMaySet(state: ReviewState): boolean {
  return state === 'required' || state === 'not-required';
}

/**
 * Action item lifecycle: open -> in-progress -> done -> verified, or wont-do with a reason.
 * Work can be reopened (done -> in-progress, wont-do -> open); verified is final.
 */
export const ACTION_TRANSITIONS: Record<ActionStatus, readonly ActionStatus[]> = {
  open: ['in-progress', 'done', 'wont-do'],
  'in-progress': ['open', 'done', 'wont-do'],
  done: ['in-progress', 'verified', 'wont-do'],
  verified: [],
  'wont-do': ['open'],
};

export function canMoveAction(from: ActionStatus, to: ActionStatus): boolean {
  return ACTION_TRANSITIONS[from].includes(to);
}

export function assertActionTransition(from: ActionStatus, to: ActionStatus): void {
  if (!canMoveAction(from, to)) {
    const allowed = ACTION_TRANSITIONS[from];
    throw new LifecycleError(`the action item is ${from} and cannot move to ${to} (from ${from} it can move to ${allowed.join(', ') || 'nothing: it is final'})`);
  }
}

export const CLOSED_ACTION_STATUSES: readonly ActionStatus[] = ['done', 'verified', 'wont-do'];

/** Overdue: a due date before `today` (UTC date) and not done, verified or won't-do. */
export function isOverdue(item: { dueDate: string | null; status: ActionStatus }, now: Date = new Date()): boolean {
  if (!item.dueDate || CLOSED_ACTION_STATUSES.includes(item.status)) return false;
  return item.dueDate < now.toISOString().slice(0, 10);
}
