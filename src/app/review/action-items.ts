import { NotFoundError, UsageError } from '../../model/errors.js';
import { ActionItemInputSchema, ActionItemPatchSchema, type ActionItem, type ActionItemInput, type ActionItemPatch, type ActionSortKey, type ActionStatus, type ListedActionItem } from '../../model/review.js';
import { searchActionItems, sortActionItems } from '../../review/action-list.js';
import { assertActionTransition, CLOSED_ACTION_STATUSES } from '../../review/lifecycle.js';
import type { OpenedStore } from '../../store/index.js';
import * as items from '../../store/reviews/action-items.js';
import { checkVersion, type ReviewWriteStamp } from '../../store/reviews/guard.js';
import { auditedWrite, type AuditedOperation } from '../audit.js';
import { notifyActionItemChange } from '../notify/events.js';
import { resolvePerson } from '../people.js';
import { withOverdue } from './overdue.js';
import { beginEdit, definedOnly, ensureReviewRecord, parseReviewInput, stampOf, type ReviewWrite } from './write.js';

export interface ActionItemFilter {
  incidentId?: string;
  status?: ActionStatus[];
  /** Only items past their due date and not done, verified or won't-do. */
  overdue?: boolean;
  owner?: string;
  /** Only items exported to this tracker (`github`, `jira`); `null`: only items not exported. */
  externalSystem?: string | null;
}

/** A list across incidents: the filter, plus search, due-soon and order. */
export interface ActionItemListQuery extends ActionItemFilter {
  /** Fuzzy search on owner and title: every word must match one of them. */
  search?: string;
  /** Only open items due today or within this many days (not overdue, not closed). */
  dueWithinDays?: number;
  /** Order (default: as stored, oldest first; a search orders by best match). */
  sort?: ActionSortKey;
  descending?: boolean;
}

/** Where an action item lives in an external tracker, and its state there as last synced. */
export interface ExternalLink {
  externalSystem: string | null;
  externalKey: string | null;
  externalUrl: string | null;
  externalState: string | null;
  /** Defaults to now. */
  syncedAt?: string | null;
}

export interface ActionStatusChange {
  status: ActionStatus;
  /** Required for wont-do. */
  reason?: string;
  /** Required for verified: how it was verified, and the evidence. */
  verificationMethod?: string;
  verificationEvidence?: string;
}

const EDITABLE_FIELDS = ['type', 'title', 'description', 'findingId', 'owner', 'team', 'dueDate', 'priority', 'closureCriteria'] as const;
const STATUS_FIELDS = ['status', 'wontDoReason', 'verifiedBy', 'verifiedAt', 'verificationMethod', 'verificationEvidence'] as const;
const LINK_FIELDS = ['externalSystem', 'externalKey', 'externalUrl', 'externalState', 'syncedAt'] as const;

/** Action items across all incidents (or one), oldest first; `overdue` is computed against today. */
export async function listActionItems(store: OpenedStore, filter: ActionItemFilter = {}): Promise<ActionItem[]> {
  const now = new Date();
  const rows = await items.listActionItems(store.db, {
    incidentId: filter.incidentId,
    status: filter.status,
    owner: filter.owner,
    externalSystem: filter.externalSystem,
    ...(filter.overdue ? { dueBefore: { day: now.toISOString().slice(0, 10), closedStatuses: CLOSED_ACTION_STATUSES } } : {}),
  });
  return rows.map((item) => withOverdue(item, now));
}

/**
 * Action items across incidents with their incident's title: filtered like `listActionItems`,
 * then searched (fuzzy, on owner and title) and ordered. `dueWithinDays` keeps items due from today
 * to that many days ahead and still open.
 */
export async function listActionItemsAcross(store: OpenedStore, query: ActionItemListQuery = {}, now: Date = new Date()): Promise<ListedActionItem[]> {
  const today = now.toISOString().slice(0, 10);
  const rows = await items.listActionItems(store.db, {
    incidentId: query.incidentId,
    status: query.status,
    owner: query.owner,
    externalSystem: query.externalSystem,
    ...(query.overdue ? { dueBefore: { day: today, closedStatuses: CLOSED_ACTION_STATUSES } } : {}),
    ...(query.dueWithinDays !== undefined ? { dueBetween: { from: today, to: new Date(now.getTime() + query.dueWithinDays * 86_400_000).toISOString().slice(0, 10), closedStatuses: CLOSED_ACTION_STATUSES } } : {}),
  });
  const titles = await items.incidentTitles(store.db, rows.map((r) => r.incidentId));
  const listed = rows.map((row) => ({ ...withOverdue(row, now), incidentTitle: titles.get(row.incidentId) ?? row.incidentId }));
  const found = searchActionItems(listed, query.search);
  return query.sort ? sortActionItems(found, query.sort, query.descending) : found;
}

export async function getActionItem(store: OpenedStore, id: string): Promise<ActionItem | undefined> {
  const item = await items.getActionItem(store.db, id);
  return item ? withOverdue(item) : undefined;
}

/** Adds an open action item to an incident (its review record is created when missing). */
export async function addActionItem(store: OpenedStore, incidentId: string, input: ActionItemInput, write: ReviewWrite): Promise<ActionItem> {
  const data = parseReviewInput(ActionItemInputSchema, input, 'action item');
  return auditedWrite(store, { actor: write.actor, operation: 'action-item.add' }, async (tx) => {
    const stamp = stampOf(write);
    await ensureReviewRecord(tx, incidentId, stamp);
    // An empty id names no finding: refused as unknown (it used to skip the check and fail in the database).
    if (data.findingId !== undefined && data.findingId !== null) await assertFindingOf(tx, data.findingId, incidentId);
    // The owner is a user of Hindsight or an e-mail address (someone outside the tool).
    const owner = data.owner === null ? null : await resolvePerson(tx, data.owner, 'owner');
    const item = withOverdue(await items.insertActionItem(tx.db, incidentId, { ...data, owner }, stamp));
    await notifyActionItemChange(tx, null, item, write.actor);
    return { result: item, entityId: item.id, before: null, after: item };
  });
}

/** Changes an action item's fields (not its status: see `moveActionItem`). */
export async function updateActionItem(store: OpenedStore, id: string, patch: ActionItemPatch, write: ReviewWrite): Promise<ActionItem> {
  const data = parseReviewInput(ActionItemPatchSchema, patch, 'action item');
  return auditedActionWrite(store, 'action-item.edit', id, write, async (tx, current, stamp) => {
    if (data.findingId !== undefined && data.findingId !== null) await assertFindingOf(tx, data.findingId, current.incidentId);
    const changes = definedOnly(data);
    // A new owner must be a user or an e-mail address; an older free-text owner stays as it is until changed.
    if (changes.owner !== undefined && changes.owner !== null && changes.owner !== current.owner) changes.owner = await resolvePerson(tx, changes.owner, 'owner');
    return writeActionItem(tx, current, { ...current, ...changes }, EDITABLE_FIELDS, stamp);
  });
}

/** Moves an action item through its lifecycle; wont-do needs a reason, verified needs how and evidence. */
export async function moveActionItem(store: OpenedStore, id: string, change: ActionStatusChange, write: ReviewWrite): Promise<ActionItem> {
  return auditedActionWrite(store, 'action-item.move', id, write, (tx, current, stamp) => moveItem(tx, current, change, stamp));
}

/**
 * Changes an action item's fields and moves its status as one write: both commit or neither does
 * (a refused status move leaves the fields as they were). Each part is audited as it would be alone.
 */
export async function changeActionItem(store: OpenedStore, id: string, patch: ActionItemPatch, change: ActionStatusChange | undefined, write: ReviewWrite): Promise<ActionItem> {
  if (Object.keys(definedOnly(patch)).length === 0 && !change) throw new UsageError('nothing to update: give --status or a field option');
  return store.transaction(async (tx) => {
    let item: ActionItem | undefined;
    if (Object.keys(definedOnly(patch)).length > 0) item = await updateActionItem(tx, id, patch, write);
    if (change) item = await moveActionItem(tx, id, change, { actor: write.actor, expectedVersion: item ? item.version : write.expectedVersion });
    if (!item) throw new UsageError('nothing to update: give --status or a field option');
    return item;
  });
}

/**
 * Deletes an action item (refused once the review is approved or waived, like other content);
 * audited with the item as it was, and one change in the review's history.
 */
export async function deleteActionItem(store: OpenedStore, id: string, write: ReviewWrite): Promise<void> {
  return auditedWrite(store, { actor: write.actor, operation: 'action-item.delete' }, async (tx) => {
    const stamp = stampOf(write);
    const stored = await items.getActionItem(tx.db, id);
    if (!stored) throw new NotFoundError(`no action item "${id}" (run \`hindsight actions list\` to list them)`);
    await beginEdit(tx, stored.incidentId, stamp);
    await items.deleteActionItem(tx.db, stored, stamp);
    return { result: undefined, entityId: id, before: withOverdue(stored), after: null };
  });
}

/** Records where an action item lives in an external tracker (GitHub, Jira) and its last synced state. */
export async function linkActionItem(store: OpenedStore, id: string, link: ExternalLink, write: ReviewWrite = { actor: 'hindsight-sync' }): Promise<ActionItem> {
  return auditedActionWrite(store, 'action-item.link', id, write, (tx, current, stamp) => {
    const next: ActionItem = {
      ...current,
      externalSystem: link.externalSystem,
      externalKey: link.externalKey,
      externalUrl: link.externalUrl,
      externalState: link.externalState,
      syncedAt: link.syncedAt === undefined ? stamp.at : link.syncedAt,
    };
    return writeActionItem(tx, current, next, LINK_FIELDS, stamp);
  });
}

/**
 * Applies a status seen in an external tracker, through the normal lifecycle and history: moves
 * the item to `status` when the lifecycle allows it (nothing happens when it is there already).
 */
export async function syncActionItemState(store: OpenedStore, id: string, status: ActionStatus, by: string, extra: Omit<ActionStatusChange, 'status'> = {}): Promise<ActionItem> {
  return auditedActionWrite(store, 'action-item.sync', id, { actor: by }, async (tx, current, stamp) => {
    if (current.status === status) return current;
    const reason = extra.reason ?? (status === 'wont-do' ? `closed as not planned in ${current.externalSystem ?? 'the tracker'}` : undefined);
    return moveItem(tx, current, { status, ...extra, reason }, stamp);
  });
}

/** A write to one stored action item, audited with the item before and after. */
function auditedActionWrite(
  store: OpenedStore,
  operation: AuditedOperation,
  id: string,
  write: ReviewWrite,
  work: (tx: OpenedStore, current: ActionItem, stamp: ReviewWriteStamp) => Promise<ActionItem>,
): Promise<ActionItem> {
  return auditedWrite(store, { actor: write.actor, operation }, async (tx) => {
    const stamp = stampOf(write);
    const stored = await items.getActionItem(tx.db, id);
    if (!stored) throw new NotFoundError(`no action item "${id}" (run \`hindsight actions list\` to list them)`);
    const current = withOverdue(stored);
    const result = await work(tx, current, stamp);
    // Assignment and tracker-state events commit with the change (sent after commit).
    await notifyActionItemChange(tx, current, result, write.actor);
    return { result, entityId: id, before: current, after: result };
  });
}

function moveItem(tx: OpenedStore, current: ActionItem, change: ActionStatusChange, stamp: ReviewWriteStamp): Promise<ActionItem> {
  const id = current.id;
  checkVersion(`action item ${id}`, current, stamp.expectedVersion);
  assertActionTransition(current.status, change.status);
  const next: ActionItem = { ...current, status: change.status };
  if (change.status === 'wont-do') {
    if (!change.reason?.trim()) throw new UsageError(`moving action item ${id} to wont-do needs a reason`);
    next.wontDoReason = change.reason.trim();
  } else next.wontDoReason = null;
  if (change.status === 'verified') {
    if (!change.verificationMethod?.trim() || !change.verificationEvidence?.trim()) {
      throw new UsageError(`verifying action item ${id} needs how it was verified and the evidence`);
    }
    next.verifiedBy = stamp.actor;
    next.verifiedAt = stamp.at;
    next.verificationMethod = change.verificationMethod.trim();
    next.verificationEvidence = change.verificationEvidence.trim();
  } else if (current.status === 'done' || current.status === 'verified') {
    next.verifiedBy = null;
    next.verifiedAt = null;
    next.verificationMethod = null;
    next.verificationEvidence = null;
  }
  return writeActionItem(tx, current, next, STATUS_FIELDS, stamp);
}

async function writeActionItem(tx: OpenedStore, current: ActionItem, next: ActionItem, fields: readonly (keyof items.StoredActionItem & string)[], stamp: ReviewWriteStamp): Promise<ActionItem> {
  return withOverdue(await items.updateActionItem(tx.db, current, next, fields, stamp));
}

async function assertFindingOf(tx: OpenedStore, findingId: string, incidentId: string): Promise<void> {
  const owner = await items.incidentOfFinding(tx.db, findingId);
  if (!owner) throw new NotFoundError(`no finding "${findingId}"`);
  if (owner !== incidentId) throw new UsageError(`finding ${findingId} belongs to incident ${owner}, not ${incidentId}`);
}
