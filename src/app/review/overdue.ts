import type { ActionItem } from '../../model/review.js';
import { isOverdue } from '../../review/lifecycle.js';
import type { StoredActionItem } from '../../store/reviews/action-items.js';

/** The action item as a reader sees it on `now`'s day: overdue or not. */
export function withOverdue(item: StoredActionItem, now: Date = new Date()): ActionItem {
  return { ...item, overdue: isOverdue(item, now) };
}
