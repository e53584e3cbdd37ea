import { ACTION_PRIORITIES, ACTION_STATUSES, type ActionSortKey, type ListedActionItem } from '../model/review.js';

/**
 * Searching and ordering action items across incidents: pure functions over the listed items, the
 * same for the command line, the API and its CSV export.
 */

/** Lower case without accents, so "Zoë" is found by "zoe". */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * How well `needle` matches `haystack` as a fuzzy subsequence (its letters in order, gaps allowed):
 * 0 when it does not match; higher for contiguous runs and matches at word starts. A substring
 * always matches, and scores above a scattered match of the same letters.
 */
export function fuzzyScore(needle: string, haystack: string): number {
  const n = fold(needle);
  const h = fold(haystack);
  if (!n) return 1;
  const at = h.indexOf(n);
  if (at >= 0) return 100 + (at === 0 || /\W/.test(h[at - 1] ?? '') ? 50 : 0) - Math.min(at, 40) / 4;
  let score = 0;
  let run = 0;
  let from = 0;
  for (const ch of n) {
    const found = h.indexOf(ch, from);
    if (found < 0) return 0;
    run = found === from && from > 0 ? run + 1 : 0;
    score += 1 + run * 2 + (found === 0 || /\W/.test(h[found - 1] ?? '') ? 3 : 0);
    from = found + 1;
  }
  // A match spread over a long text says little: weigh by how compact it is.
  return score / Math.max(1, (from - h.indexOf(n[0] ?? '')) / n.length);
}

/**
 * The items whose owner or title match every word of `query` (fuzzily), best match first; all of
 * them in their order when the query is blank.
 */
export function searchActionItems<T extends Pick<ListedActionItem, 'owner' | 'title'>>(items: readonly T[], query: string | undefined): T[] {
  const words = (query ?? '').split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...items];
  const scored: { item: T; score: number; index: number }[] = [];
  items.forEach((item, index) => {
    let total = 0;
    for (const word of words) {
      const best = Math.max(fuzzyScore(word, item.owner ?? ''), fuzzyScore(word, item.title));
      if (best === 0) return;
      total += best;
    }
    scored.push({ item, score: total, index });
  });
  return scored.sort((a, b) => b.score - a.score || a.index - b.index).map((s) => s.item);
}

const rank = <T extends string>(list: readonly T[], value: T) => list.indexOf(value);
/** Missing values (no due date, no owner) sort last in either direction. */
function compareMaybe(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a.localeCompare(b);
}

/**
 * Orders the items by `key` (ascending; `descending` reverses it, missing values stay last), ties
 * broken by due date and then id so the order is stable. Priority sorts the most urgent first.
 */
export function sortActionItems<T extends ListedActionItem>(items: readonly T[], key: ActionSortKey, descending = false): T[] {
  const compare = (a: T, b: T): number => {
    switch (key) {
      case 'due':
        return compareMaybe(a.dueDate, b.dueDate);
      case 'priority':
        return rank(ACTION_PRIORITIES, b.priority) - rank(ACTION_PRIORITIES, a.priority);
      case 'status':
        return rank(ACTION_STATUSES, a.status) - rank(ACTION_STATUSES, b.status);
      case 'owner':
        return compareMaybe(a.owner && fold(a.owner), b.owner && fold(b.owner));
      case 'title':
        return fold(a.title).localeCompare(fold(b.title));
      case 'incident':
        return fold(a.incidentTitle).localeCompare(fold(b.incidentTitle));
      case 'created':
        return a.createdAt.localeCompare(b.createdAt);
      case 'updated':
        return a.updatedAt.localeCompare(b.updatedAt);
    }
  };
  const missing = (item: T) => (key === 'due' && item.dueDate === null) || (key === 'owner' && item.owner === null);
  return [...items].sort((a, b) => {
    if (missing(a) !== missing(b)) return missing(a) ? 1 : -1;
    const primary = compare(a, b);
    if (primary !== 0) return descending ? -primary : primary;
    return compareMaybe(a.dueDate, b.dueDate) || a.id.localeCompare(b.id);
  });
}
