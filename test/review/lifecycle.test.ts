import { describe, expect, it } from 'vitest';
import { ACTION_STATUSES, REVIEW_STATES, type ActionStatus, type ReviewState } from '../../src/model/index.js';
import {
  assertActionTransition,
  assertEditable,
  assertReviewTransition,
  assertTransition,
  BLOCKS_CLOSE,
  canMoveAction,
  canTransition,
  isOverdue,
  LifecycleError,
  policyMaySet,
  REVIEW_TRANSITION_NAMES,
  REVIEW_TRANSITION_RULES,
  stateAfterEdit,
} from '../../src/review/lifecycle.js';

const ALLOWED: [ReviewState, ReviewState][] = [
  ['not-required', 'required'],
  ['not-required', 'draft'],
  ['required', 'not-required'],
  ['required', 'draft'],
  ['required', 'waived'],
  ['draft', 'in-review'],
  ['draft', 'waived'],
  ['in-review', 'approved'],
  ['in-review', 'draft'],
  ['in-review', 'waived'],
  ['approved', 'draft'],
  ['waived', 'draft'],
  ['waived', 'required'],
];

describe('review lifecycle', () => {
  it('allows exactly the documented transitions and refuses every other one', () => {
    const key = (a: string, b: string) => `${a}->${b}`;
    const allowed = new Set(ALLOWED.map(([a, b]) => key(a, b)));
    let refused = 0;
    for (const from of REVIEW_STATES) {
      for (const to of REVIEW_STATES) {
        const ok = allowed.has(key(from, to));
        expect(canTransition(from, to), key(from, to)).toBe(ok);
        if (ok) expect(() => assertTransition(from, to)).not.toThrow();
        else {
          expect(() => assertTransition(from, to)).toThrow(LifecycleError);
          refused++;
        }
      }
    }
    expect(refused).toBe(36 - ALLOWED.length);
  });

  it('never approves without review, never skips from required to approved', () => {
    expect(() => assertTransition('draft', 'approved')).toThrow(/draft and cannot move to approved/);
    expect(() => assertTransition('required', 'approved')).toThrow(LifecycleError);
    expect(() => assertTransition('not-required', 'in-review')).toThrow(LifecycleError);
  });

  it('gives exit status 1 for a refused move', () => {
    try {
      assertTransition('approved', 'waived');
      expect.unreachable();
    } catch (e) {
      expect((e as LifecycleError).exitCode).toBe(1);
    }
  });

  it('starts the draft on the first edit and freezes approved and waived reviews', () => {
    expect(stateAfterEdit('required')).toBe('draft');
    expect(stateAfterEdit('not-required')).toBe('draft');
    expect(stateAfterEdit('in-review')).toBe('in-review');
    expect(() => assertEditable('approved')).toThrow(/reopen/);
    expect(() => assertEditable('waived')).toThrow(LifecycleError);
    expect(() => assertEditable('draft')).not.toThrow();
  });

  it('blocks closing while required, draft or in review; the policy only moves unstarted reviews', () => {
    expect([...BLOCKS_CLOSE].sort()).toEqual(['draft', 'in-review', 'required']);
    expect(REVIEW_STATES.filter(policyMaySet)).toEqual(['not-required', 'required']);
  });
});

describe('review transitions by name', () => {
  it('says where each transition starts, where it leads and the least role that may make it', () => {
    expect(REVIEW_TRANSITION_NAMES).toEqual(['start', 'submit', 'approve', 'return', 'waive', 'reopen', 'require', 'close']);
    expect(Object.fromEntries(REVIEW_TRANSITION_NAMES.map((name) => [name, REVIEW_TRANSITION_RULES[name].role]))).toEqual({
      start: 'analyst',
      submit: 'analyst',
      require: 'analyst',
      approve: 'reviewer',
      return: 'reviewer',
      waive: 'reviewer',
      reopen: 'reviewer',
      close: 'reviewer',
    });
    expect(REVIEW_TRANSITION_RULES.approve).toEqual({ from: ['in-review'], to: 'approved', role: 'reviewer' });
    expect(REVIEW_TRANSITION_RULES.close).toEqual({ from: ['not-required', 'approved', 'waived'], to: null, role: 'reviewer' });
    // The state machine is the named transitions plus the policy dropping an unstarted review.
    const named = new Set(REVIEW_TRANSITION_NAMES.flatMap((name) => REVIEW_TRANSITION_RULES[name].from.flatMap((from) => (REVIEW_TRANSITION_RULES[name].to ? [`${from}->${REVIEW_TRANSITION_RULES[name].to}`] : []))));
    expect([...named, 'required->not-required'].sort()).toEqual(ALLOWED.map(([a, b]) => `${a}->${b}`).sort());
  });

  it('refuses a transition from a state it does not start in, naming the one to use', () => {
    for (const name of REVIEW_TRANSITION_NAMES.filter((n) => n !== 'close')) {
      for (const state of REVIEW_STATES) {
        if (REVIEW_TRANSITION_RULES[name].from.includes(state)) expect(() => assertReviewTransition(name, state)).not.toThrow();
        else expect(() => assertReviewTransition(name, state), `${name} from ${state}`).toThrow(LifecycleError);
      }
    }
    expect(() => assertReviewTransition('start', 'approved')).toThrow('the review is approved: start applies to a review that is not-required or required (use reopen)');
    expect(() => assertReviewTransition('reopen', 'in-review')).toThrow(/use return/);
    expect(() => assertReviewTransition('submit', 'required')).toThrow('the review is required and cannot move to in-review');
  });
});

describe('action item lifecycle', () => {
  const ALLOWED_ACTIONS: [ActionStatus, ActionStatus][] = [
    ['open', 'in-progress'],
    ['open', 'done'],
    ['open', 'wont-do'],
    ['in-progress', 'open'],
    ['in-progress', 'done'],
    ['in-progress', 'wont-do'],
    ['done', 'in-progress'],
    ['done', 'verified'],
    ['done', 'wont-do'],
    ['wont-do', 'open'],
  ];

  it('allows exactly open -> in-progress -> done -> verified, wont-do, and reopening', () => {
    const allowed = new Set(ALLOWED_ACTIONS.map(([a, b]) => `${a}->${b}`));
    for (const from of ACTION_STATUSES) {
      for (const to of ACTION_STATUSES) {
        const ok = allowed.has(`${from}->${to}`);
        expect(canMoveAction(from, to), `${from}->${to}`).toBe(ok);
        if (!ok) expect(() => assertActionTransition(from, to)).toThrow(LifecycleError);
      }
    }
    expect(() => assertActionTransition('verified', 'open')).toThrow(/final/);
    expect(() => assertActionTransition('open', 'verified')).toThrow(/open and cannot move to verified/);
  });

  it('flags items past their due date that are still open', () => {
    const now = new Date('2026-05-10T12:00:00Z');
    expect(isOverdue({ dueDate: '2026-05-09', status: 'open' }, now)).toBe(true);
    expect(isOverdue({ dueDate: '2026-05-09', status: 'in-progress' }, now)).toBe(true);
    expect(isOverdue({ dueDate: '2026-05-10', status: 'open' }, now)).toBe(false);
    expect(isOverdue({ dueDate: '2026-05-09', status: 'done' }, now)).toBe(false);
    expect(isOverdue({ dueDate: '2026-05-09', status: 'verified' }, now)).toBe(false);
    expect(isOverdue({ dueDate: '2026-05-09', status: 'wont-do' }, now)).toBe(false);
    expect(isOverdue({ dueDate: null, status: 'open' }, now)).toBe(false);
  });
});
