import { canonicalJson } from '../model/canonical-json.js';
import { appendAuditEntry } from '../store/audit/chain.js';
import { currentKey, loadOrCreateKeyring } from '../store/audit/keyring.js';
import type { OpenedStore } from '../store/index.js';

/**
 * Every write the audit trail records, by operation name, with the kind of entity it touches. A
 * write use case names its operation as a literal of this table, so the compiler refuses a name
 * that is not here; renaming the function that does the write changes nothing about its audit.
 */
export const AUDITED_OPERATIONS = {
  'review.require': 'review',
  'review.start': 'review',
  'review.submit': 'review',
  'review.return': 'review',
  'review.approve': 'review',
  'review.waive': 'review',
  'review.reopen': 'review',
  'incident.close': 'review',
  'section.save': 'section',
  'answer.save': 'answer',
  'timeline.add': 'timeline-event',
  'timeline.edit': 'timeline-event',
  'timeline.delete': 'timeline-event',
  'timeline.annotate': 'timeline-annotation',
  'finding.add': 'finding',
  'finding.edit': 'finding',
  'finding.delete': 'finding',
  'action-item.add': 'action-item',
  'action-item.edit': 'action-item',
  'action-item.delete': 'action-item',
  'action-item.move': 'action-item',
  'action-item.link': 'action-item',
  'action-item.sync': 'action-item',
  'task.add': 'task',
  'task.edit': 'task',
  'task.delete': 'task',
  'template.apply': 'review-template',
  'template.answer': 'answer',
  'user.add': 'user',
  'user.update': 'user',
  'user.password': 'user',
  'user.disable': 'user',
  'user.enable': 'user',
  'auth.sign-in': 'sign-in',
  'auth.sign-in-failed': 'sign-in',
  'auth.sign-in-throttled': 'sign-in',
  'token.create': 'api-token',
  'token.revoke': 'api-token',
  'incident.restrict': 'incident',
  'incident.unrestrict': 'incident',
  'incident.import': 'import',
  'policy.update': 'policy',
  'coverage.confirm': 'confirmed-techniques',
  'coverage.unconfirm': 'confirmed-techniques',
  'playbook.add': 'playbook',
  'playbook.propose': 'playbook',
  'connector.add': 'connector',
  'connector.update': 'connector',
  'connector.delete': 'connector',
  'connector.enable': 'connector',
  'connector.disable': 'connector',
  'audit.rotate-key': 'audit-key',
  'notifications.configure': 'notification-settings',
  'notifications.preferences': 'notification-preferences',
  'observable.add': 'observable',
  'observable.mark': 'observable',
  'incident.tlp': 'incident',
  'intel.import': 'intel',
  'rules.import': 'rule-import',
  'rules.verify': 'rule-import',
  'action-item.detection': 'action-item',
  'action-item.verify': 'action-item',
  'action-item.regress': 'action-item',
  'inference.dismiss': 'inference-dismissal',
  'inference.undismiss': 'inference-dismissal',
} as const;

export type AuditedOperation = keyof typeof AUDITED_OPERATIONS;
export type AuditEntityType = (typeof AUDITED_OPERATIONS)[AuditedOperation];

/** What a write use case reports about the entity it changed. */
export interface AuditedChange<T> {
  result: T;
  /** The entity's id (the created entity's id for an add). */
  entityId: string;
  /** The entity before the write (null or absent for a creation). */
  before?: unknown;
  /** The entity after it (null or absent for a deletion). */
  after?: unknown;
}

/** Who makes a write and which operation it is. */
export interface AuditContext {
  actor: string;
  operation: AuditedOperation;
}

/**
 * Runs a write use case and appends its audit entry in one transaction: the write and the entry
 * commit together or not at all (an entry that cannot be appended undoes the write). `work` does
 * every read and write through the transaction-bound store it is given. A change whose before and
 * after are the same is not recorded. Joins the caller's transaction when the store is in one.
 */
export async function auditedWrite<T>(store: OpenedStore, audit: AuditContext, work: (tx: OpenedStore) => Promise<AuditedChange<T>>): Promise<T> {
  return store.transaction(async (tx) => {
    const change = await work(tx);
    await appendAudit(tx, audit, change);
    return change.result;
  });
}

/**
 * Appends the audit entry of a change made inside `tx` (a transaction-bound store): for use cases
 * that record several entries or decide whether to record one after the write.
 */
export async function appendAudit(tx: OpenedStore, audit: AuditContext, change: Omit<AuditedChange<unknown>, 'result'>): Promise<void> {
  const before = change.before ?? null;
  const after = change.after ?? null;
  if (before !== null && canonicalJson(before) === canonicalJson(after)) return;
  // The key file is read at each write: a key rotated by another process is used from then on.
  const key = currentKey(loadOrCreateKeyring(tx.auditKeyFile));
  await appendAuditEntry(tx.db, { actor: audit.actor, action: audit.operation, entityType: AUDITED_OPERATIONS[audit.operation], entityId: change.entityId, before, after }, key);
}
