import { UsageError } from '../../model/errors.js';
import type { ActionItem, ActionStatus } from '../../model/review.js';
import { ACTION_TRANSITIONS } from '../../review/lifecycle.js';
import type { OpenedStore } from '../../store/index.js';
import type { ActionItemForExport, ActionItemSink } from '../../trackers/types.js';
import { linkActionItem, listActionItems, syncActionItemState } from './action-items.js';

/** The action items of one incident (or all), flattened with their incident's title for a tracker. */
export async function actionItemsForExport(store: OpenedStore, incidentId: string | undefined): Promise<ActionItemForExport[]> {
  const items = await listActionItems(store, incidentId ? { incidentId } : {});
  const titles = new Map<string, string>();
  for (const item of items) {
    if (titles.has(item.incidentId)) continue;
    titles.set(item.incidentId, (await store.getIncident(item.incidentId))?.title ?? '');
  }
  return items.map((a) => toExportItem(a, titles.get(a.incidentId) ?? ''));
}

export function toExportItem(a: ActionItem, incidentTitle: string): ActionItemForExport {
  const system = a.externalSystem === 'github' || a.externalSystem === 'jira' ? a.externalSystem : null;
  return {
    id: a.id,
    incidentId: a.incidentId,
    incidentTitle,
    type: a.type,
    title: a.title,
    description: a.description,
    owner: a.owner ?? '',
    team: a.team ?? '',
    dueDate: a.dueDate ?? '',
    priority: a.priority,
    status: a.status,
    closureCriteria: a.closureCriteria ?? '',
    externalSystem: system,
    externalKey: a.externalKey,
    externalUrl: a.externalUrl,
    externalState: a.externalState,
  };
}

/**
 * Writes export links and synced states to the review's action items, each call one transaction
 * with its change history and its audit entries (a status several lifecycle steps away moves
 * through all of them in that one transaction).
 */
export function trackerSink(store: OpenedStore): ActionItemSink {
  return {
    async updateExternal(actionId, link) {
      await linkActionItem(store, actionId, { externalSystem: link.system, externalKey: link.key, externalUrl: link.url, externalState: link.state, syncedAt: link.syncedAt }, { actor: `hindsight-${link.system}` });
    },
    async applyExternalState(actionId, change) {
      const path = lifecyclePath(change.from, change.to);
      if (!path) throw new UsageError(`the action item is ${change.from} and cannot move to ${change.to}`);
      await store.transaction(async (tx) => {
        for (const status of path) {
          await syncActionItemState(tx, actionId, status, change.by, status === 'wont-do' && change.reason ? { reason: change.reason } : {});
        }
      });
    },
  };
}

/** Shortest path of allowed lifecycle moves from one status to another (reopening goes step by step). */
function lifecyclePath(from: ActionStatus, to: ActionStatus): ActionStatus[] | undefined {
  const queue: ActionStatus[][] = [[from]];
  const seen = new Set<ActionStatus>([from]);
  while (queue.length) {
    const path = queue.shift() as ActionStatus[];
    const last = path[path.length - 1] as ActionStatus;
    if (last === to) return path.slice(1);
    for (const next of ACTION_TRANSITIONS[last]) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push([...path, next]);
      }
    }
  }
  return undefined;
}
