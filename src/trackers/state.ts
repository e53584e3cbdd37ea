import type { ExternalIssueState, TrackerActionStatus } from './types.js';

/** Jira resolutions that mean the work was decided against rather than done. */
const JIRA_WONT_DO = /^(won'?t (do|fix)|declined|duplicate|cannot reproduce|rejected|obsolete)$/i;

/** The tracker's state as one short text, stored beside the link (`closed:not_planned`, `done:Done:Won't Do`). */
export function externalStateText(state: ExternalIssueState): string {
  if (state.system === 'github') {
    if (state.state === 'closed') return `closed:${state.stateReason ?? 'completed'}`;
    return state.stateReason === 'reopened' ? 'open:reopened' : 'open';
  }
  return [state.statusCategory, state.statusName, state.resolution].filter((p): p is string => Boolean(p)).join(':');
}

/**
 * Where an action item should move, given its tracker's state; null when it stays. Never moves an
 * item backwards from `verified` (verification is Hindsight's own step, after the tracker's done).
 */
export function mapExternalState(state: ExternalIssueState, current: TrackerActionStatus): { to: TrackerActionStatus; reason: string | null } | null {
  if (current === 'verified') return null;
  let target: { to: TrackerActionStatus; reason: string | null } | null = null;
  if (state.system === 'github') {
    if (state.state === 'closed') {
      if (state.stateReason === 'not_planned') target = { to: 'wont-do', reason: 'closed as not planned in GitHub' };
      else if (state.stateReason === 'duplicate') target = { to: 'wont-do', reason: 'closed as a duplicate in GitHub' };
      else target = { to: 'done', reason: null };
    } else if (current === 'done') {
      // Reopened after it was done: the work is going on again.
      target = { to: 'in-progress', reason: null };
    } else if (current === 'wont-do') {
      // Reopened after it was dropped: back on the list.
      target = { to: 'open', reason: null };
    }
  } else {
    switch (state.statusCategory) {
      case 'done':
        target =
          state.resolution && JIRA_WONT_DO.test(state.resolution.trim())
            ? { to: 'wont-do', reason: `resolved as ${state.resolution.trim()} in Jira` }
            : { to: 'done', reason: null };
        break;
      case 'indeterminate':
        target = { to: 'in-progress', reason: null };
        break;
      case 'new':
        target = { to: 'open', reason: null };
        break;
      default:
        target = null;
    }
  }
  if (!target || target.to === current) return null;
  return target;
}
