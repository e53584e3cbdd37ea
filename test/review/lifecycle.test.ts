import { describe, expect, it } from 'vitest';
import { ACTION_STATUSES, REVIEW_STATES, type ActionStatus, type ReviewState } from '../../src/model/index.js';
import {
  assertActionTransition,
  assertEditable,
  assertTransition,
  BLOCKS_CLOSE,
  canMoveAction,
  canTransition,
  isOverdue,
  LifecycleError,
  policyMaySet,
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
