/**
 * The small surface the issue-tracker integration needs from the review workflow. The review
 * core's repository satisfies it through an adapter (see src/cli/commands/trackers.ts), so the
 * GitHub and Jira clients stay testable on their own.
 */

export type TrackerSystem = 'github' | 'jira';

/** Mirrors the review model's action item statuses (src/model/review.ts). */
export type TrackerActionStatus = 'open' | 'in-progress' | 'done' | 'verified' | 'wont-do';

/** One action item, flattened with its incident's title, as the exporters need it. */
export interface ActionItemForExport {
  id: string;
  incidentId: string;
  incidentTitle: string;
  /** fix, change-request, process-change, procedure-update, detection-engineering, training. */
  type: string;
  title: string;
  description?: string | null;
  owner: string;
  team: string;
  /** YYYY-MM-DD. */
  dueDate: string;
  /** low, medium, high, critical. */
  priority: string;
  status: TrackerActionStatus;
  closureCriteria: string;
  externalSystem: TrackerSystem | null;
  externalKey: string | null;
  externalUrl: string | null;
  /** Last state seen in the tracker (e.g. `closed:completed`, `done:Done`), if any. */
  externalState?: string | null;
}

/** What export records about the issue it created (or found) for an action item. */
export interface ExternalLink {
  system: TrackerSystem;
  key: string;
  url: string;
  state: string;
  syncedAt: string;
}

/** A status change brought back from the tracker; the sink records it in the item's history. */
export interface ExternalStateChange {
  system: TrackerSystem;
  key: string;
  /** The tracker's state as text, e.g. `closed:not_planned`. */
  externalState: string;
  from: TrackerActionStatus;
  to: TrackerActionStatus;
  /** Required by the review workflow when `to` is `wont-do`. */
  reason: string | null;
  at: string;
  /** Who made the change, for the history: `github:owner/repo` or `jira:PROJECT`. */
  by: string;
}

/** Where export and sync write back. Each call is one atomic write. */
export interface ActionItemSink {
  updateExternal(actionId: string, link: ExternalLink): Promise<void>;
  applyExternalState(actionId: string, change: ExternalStateChange): Promise<void>;
}

/** One HTTP request exactly as it is (or would be) sent, minus the Authorization header. */
export interface PlannedRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** The state of an issue in its tracker. */
export type ExternalIssueState =
  | { system: 'github'; state: 'open' | 'closed'; stateReason: string | null }
  | { system: 'jira'; statusCategory: string; statusName: string; resolution: string | null };

/** An issue as read back from a tracker. */
export interface ExternalIssue {
  key: string;
  url: string;
  /** From the `hindsight:<actionId>` label, when present. */
  actionId: string | null;
  state: ExternalIssueState;
}

/** A GitHub or Jira client, behind one shape. */
export interface TrackerClient {
  readonly system: TrackerSystem;
  /** `github:owner/repo` or `jira:PROJECT`, used as the author of synced changes. */
  readonly actor: string;
  /** The request that creates the issue for an item (what --dry-run prints). */
  planCreate(item: ActionItemForExport): PlannedRequest;
  createIssue(item: ActionItemForExport): Promise<ExternalIssue>;
  /** Every issue carrying the `hindsight` label, across all pages. */
  listHindsightIssues(): Promise<ExternalIssue[]>;
  getIssue(key: string): Promise<ExternalIssue>;
}

/** The label every exported issue carries, and the per-item marker label. */
export const HINDSIGHT_LABEL = 'hindsight';
export function actionLabel(actionId: string): string {
  return `hindsight:${actionId}`;
}
export function actionIdFromLabels(labels: readonly string[]): string | null {
  for (const l of labels) if (l.startsWith('hindsight:') && l.length > 'hindsight:'.length) return l.slice('hindsight:'.length);
  return null;
}
