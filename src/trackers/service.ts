import { systemName, TrackerRequestError } from './http.js';
import { externalStateText, mapExternalState } from './state.js';
import type { ActionItemForExport, ActionItemSink, ExternalIssue, PlannedRequest, TrackerActionStatus, TrackerClient, TrackerSystem } from './types.js';

export interface ExportedIssueRef {
  actionId: string;
  system: TrackerSystem;
  key: string;
  url: string;
}

export interface ItemFailure {
  actionId: string;
  error: string;
}

export interface ExportResult {
  system: TrackerSystem;
  dryRun: boolean;
  /** Issues created by this run. */
  created: ExportedIssueRef[];
  /** Issues that already existed in the tracker for an item (found by its `hindsight:<id>` label) and were linked, not created again. */
  linked: ExportedIssueRef[];
  /** Items left alone: already exported, or closed in Hindsight. */
  skipped: { actionId: string; reason: string; key?: string }[];
  failed: ItemFailure[];
  /** Under --dry-run: the exact requests that would be sent. */
  requests: PlannedRequest[];
}

export interface RunOptions {
  now?: () => Date;
  onProgress?: (message: string) => void;
}

const CLOSED: readonly TrackerActionStatus[] = ['done', 'verified', 'wont-do'];

function describe(item: Pick<ActionItemForExport, 'id' | 'title'>): string {
  const title = item.title.length > 60 ? `${item.title.slice(0, 59)}…` : item.title;
  return `action item ${item.id} (${JSON.stringify(title)})`;
}

/**
 * Creates one issue per action item that has none yet. Idempotent: items already linked are
 * skipped, and an issue already carrying the item's `hindsight:<id>` label is linked instead of
 * created twice. Each created issue is recorded through the sink at once, so a failure half-way
 * leaves every earlier item correctly linked. A dry run sends nothing and returns the requests.
 */
export async function exportActionItems(
  items: readonly ActionItemForExport[],
  client: TrackerClient,
  sink: ActionItemSink,
  options: RunOptions & { dryRun?: boolean } = {},
): Promise<ExportResult> {
  const now = options.now ?? (() => new Date());
  const result: ExportResult = { system: client.system, dryRun: Boolean(options.dryRun), created: [], linked: [], skipped: [], failed: [], requests: [] };
  const pending: ActionItemForExport[] = [];
  for (const item of items) {
    if (item.externalKey) result.skipped.push({ actionId: item.id, reason: `already exported to ${item.externalSystem ?? 'a tracker'}`, key: item.externalKey });
    else if (CLOSED.includes(item.status)) result.skipped.push({ actionId: item.id, reason: `status is ${item.status}` });
    else pending.push(item);
  }
  if (options.dryRun) {
    result.requests = pending.map((item) => client.planCreate(item));
    return result;
  }
  if (!pending.length) return result;

  let existing: Map<string, ExternalIssue>;
  try {
    existing = new Map();
    for (const issue of await client.listHindsightIssues()) if (issue.actionId && !existing.has(issue.actionId)) existing.set(issue.actionId, issue);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    for (const item of pending) result.failed.push({ actionId: item.id, error: `${describe(item)}: not exported: ${message}` });
    return result;
  }

  for (let i = 0; i < pending.length; i++) {
    const item = pending[i] as ActionItemForExport;
    const found = existing.get(item.id);
    try {
      const issue = found ?? (await client.createIssue(item));
      await sink.updateExternal(item.id, { system: client.system, key: issue.key, url: issue.url, state: externalStateText(issue.state), syncedAt: now().toISOString() });
      (found ? result.linked : result.created).push({ actionId: item.id, system: client.system, key: issue.key, url: issue.url });
      options.onProgress?.(`${found ? 'Linked' : 'Created'} ${systemName(client.system)} issue ${issue.key} for ${describe(item)}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result.failed.push({ actionId: item.id, error: `${describe(item)}: ${message}` });
      if (!(error instanceof TrackerRequestError) || error.fatal) {
        for (const rest of pending.slice(i + 1)) result.failed.push({ actionId: rest.id, error: `${describe(rest)}: not attempted after the error above` });
        break;
      }
    }
  }
  return result;
}

export interface SyncChange {
  actionId: string;
  system: TrackerSystem;
  key: string;
  externalState: string;
  from: TrackerActionStatus;
  to: TrackerActionStatus;
  reason: string | null;
}

export interface SyncResult {
  checked: number;
  changed: SyncChange[];
  unchanged: number;
  failed: ItemFailure[];
}

/**
 * Brings the trackers' state back: reads every `hindsight`-labelled issue (one paginated listing per
 * tracker; items whose issue is missing from it are read one by one), maps the state onto the item's
 * status and records each change through the sink. Items linked to a tracker without a client fail.
 */
export async function syncActionItems(
  items: readonly ActionItemForExport[],
  clients: Partial<Record<TrackerSystem, TrackerClient>>,
  sink: ActionItemSink,
  options: RunOptions = {},
): Promise<SyncResult> {
  const now = options.now ?? (() => new Date());
  const result: SyncResult = { checked: 0, changed: [], unchanged: 0, failed: [] };
  const linked = items.filter((i): i is ActionItemForExport & { externalSystem: TrackerSystem; externalKey: string } => Boolean(i.externalSystem && i.externalKey));
  for (const system of ['github', 'jira'] as const) {
    const group = linked.filter((i) => i.externalSystem === system);
    if (!group.length) continue;
    const client = clients[system];
    if (!client) {
      for (const item of group) result.failed.push({ actionId: item.id, error: `${describe(item)}: ${systemName(system)} is not configured` });
      continue;
    }
    let byKey: Map<string, ExternalIssue>;
    try {
      byKey = new Map((await client.listHindsightIssues()).map((issue) => [issue.key, issue]));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      for (const item of group) result.failed.push({ actionId: item.id, error: `${describe(item)}: not synced: ${message}` });
      continue;
    }
    for (const item of group) {
      try {
        const issue = byKey.get(item.externalKey) ?? (await client.getIssue(item.externalKey));
        result.checked++;
        const externalState = externalStateText(issue.state);
        const at = now().toISOString();
        const move = mapExternalState(issue.state, item.status);
        if (move) {
          await sink.applyExternalState(item.id, { system, key: issue.key, externalState, from: item.status, to: move.to, reason: move.reason, at, by: client.actor });
          result.changed.push({ actionId: item.id, system, key: issue.key, externalState, from: item.status, to: move.to, reason: move.reason });
          options.onProgress?.(`${describe(item)}: ${item.status} -> ${move.to} (${systemName(system)} ${issue.key} is ${externalState})`);
        } else result.unchanged++;
        await sink.updateExternal(item.id, { system, key: issue.key, url: issue.url, state: externalState, syncedAt: at });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        result.failed.push({ actionId: item.id, error: `${describe(item)}: ${message}` });
        if (error instanceof TrackerRequestError && error.fatal) {
          for (const rest of group.slice(group.indexOf(item) + 1)) result.failed.push({ actionId: rest.id, error: `${describe(rest)}: not attempted after the error above` });
          break;
        }
      }
    }
  }
  return result;
}
