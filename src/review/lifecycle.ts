import { REVIEW_STATES, type ActionStatus, type ReviewState } from '../model/review.js';
import { HindsightError } from '../model/errors.js';
import type { Role } from '../model/roles.js';

/**
 * The review's state machine and the action items' lifecycle. Pure: each function says whether a
 * move is allowed; the use cases (app/review) refuse the write when it is not.
 */

/** A move the lifecycle does not allow (exit 1: the work cannot be done in this state). */
export class LifecycleError extends HindsightError {
  constructor(message: string) {
    super(message);
    this.name = 'LifecycleError';
  }
}

/** An approval the four-eyes rule refuses: the approver submitted the review, or wrote all of it. */
export class FourEyesError extends LifecycleError {
  readonly fourEyes = true;
}

/** The review transitions a person makes, by name (the command line's and the API's verbs). */
export const REVIEW_TRANSITION_NAMES = ['start', 'submit', 'approve', 'return', 'waive', 'reopen', 'require', 'close'] as const;
export type ReviewTransitionName = (typeof REVIEW_TRANSITION_NAMES)[number];

export interface ReviewTransitionRule {
  /** The states the review may be in for the transition. */
  from: readonly ReviewState[];
  /** The state it leads to; null when the review's state stays (closing the incident). */
  to: ReviewState | null;
  /** The least role that may make it. */
  role: Role;
}

/**
 * The review's state machine, by transition: where each can start, where it leads, who may make
 * it. Plain data, so the web app can offer exactly the moves the server accepts.
 */
export const REVIEW_TRANSITION_RULES: { readonly [N in ReviewTransitionName]: ReviewTransitionRule } = {
  start: { from: ['not-required', 'required'], to: 'draft', role: 'analyst' },
  submit: { from: ['draft'], to: 'in-review', role: 'analyst' },
  approve: { from: ['in-review'], to: 'approved', role: 'reviewer' },
  return: { from: ['in-review'], to: 'draft', role: 'reviewer' },
  waive: { from: ['required', 'draft', 'in-review'], to: 'waived', role: 'reviewer' },
  reopen: { from: ['approved', 'waived'], to: 'draft', role: 'reviewer' },
  require: { from: ['not-required', 'waived'], to: 'required', role: 'analyst' },
  close: { from: ['not-required', 'approved', 'waived'], to: null, role: 'reviewer' },
};

/** The one move no person names: the policy drops a required review nobody has started. */
const POLICY_MOVES: readonly (readonly [ReviewState, ReviewState])[] = [['required', 'not-required']];

/**
 * Allowed review state changes, from the named transitions and the policy:
 * - not-required -> required (policy or a person), draft (a voluntary review);
 * - required -> not-required (the policy no longer applies, nothing written yet), draft, waived;
 * - draft -> in-review (submit), waived;
 * - in-review -> draft (returned for more work), approved, waived;
 * - approved -> draft (reopened);
 * - waived -> required (waiver withdrawn), draft (reopened).
 */
export const REVIEW_TRANSITIONS: Record<ReviewState, readonly ReviewState[]> = {
  'not-required': targetsFrom('not-required'),
  required: targetsFrom('required'),
  draft: targetsFrom('draft'),
  'in-review': targetsFrom('in-review'),
  approved: targetsFrom('approved'),
  waived: targetsFrom('waived'),
};

function targetsFrom(from: ReviewState): ReviewState[] {
  const named = Object.values(REVIEW_TRANSITION_RULES);
  return REVIEW_STATES.filter((to) => POLICY_MOVES.some(([a, b]) => a === from && b === to) || named.some((rule) => rule.to === to && rule.from.includes(from)));
}

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
export const BLOCKS_CLOSE: readonly ReviewState[] = REVIEW_STATES.filter((state) => !REVIEW_TRANSITION_RULES.close.from.includes(state));

/**
 * Refuses a named transition the review's state does not allow. A move the state machine has no
 * edge for keeps the message of `assertTransition`; a move that exists under another name (an
 * approved review is reopened, not started) names the transition to use.
 */
export function assertReviewTransition(name: Exclude<ReviewTransitionName, 'close'>, state: ReviewState): void {
  const rule = REVIEW_TRANSITION_RULES[name];
  if (rule.from.includes(state)) return;
  if (rule.to) assertTransition(state, rule.to);
  const instead = REVIEW_TRANSITION_NAMES.filter((other) => REVIEW_TRANSITION_RULES[other].to === rule.to && REVIEW_TRANSITION_RULES[other].from.includes(state));
  throw new LifecycleError(`the review is ${state}: ${name} applies to a review that is ${rule.from.join(' or ')}${instead.length ? ` (use ${instead.join(' or ')})` : ''}`);
}

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
