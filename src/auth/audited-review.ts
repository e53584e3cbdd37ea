import type { Kysely } from 'kysely';
import type { ReviewRepository } from '../review/repo.js';
import type { Database } from '../store/schema.js';
import { writeAudited } from './audit.js';

type Snapshot = (repo: ReviewRepository, args: unknown[]) => Promise<unknown>;

const review: Snapshot = (repo, args) => repo.getReview(String(args[0]));
const action: Snapshot = (repo, args) => repo.getActionItem(String(args[0]));

/**
 * The write methods of the review repository: the audit action each records, the entity it
 * touches (from the arguments) and how to read that entity before the write.
 */
const WRITES: Record<string, { action: string; entityType: string; entityId: (args: unknown[]) => string; before: Snapshot | null }> = {
  applyPolicy: { action: 'review.policy', entityType: 'review', entityId: (a) => String(a[0]), before: review },
  requireReview: { action: 'review.require', entityType: 'review', entityId: (a) => String(a[0]), before: review },
  startDraft: { action: 'review.start', entityType: 'review', entityId: (a) => String(a[0]), before: review },
  submit: { action: 'review.submit', entityType: 'review', entityId: (a) => String(a[0]), before: review },
  returnToDraft: { action: 'review.return', entityType: 'review', entityId: (a) => String(a[0]), before: review },
  approve: { action: 'review.approve', entityType: 'review', entityId: (a) => String(a[0]), before: review },
  waive: { action: 'review.waive', entityType: 'review', entityId: (a) => String(a[0]), before: review },
  reopen: { action: 'review.reopen', entityType: 'review', entityId: (a) => String(a[0]), before: review },
  closeIncident: { action: 'incident.close', entityType: 'review', entityId: (a) => String(a[0]), before: review },
  saveSection: {
    action: 'section.save',
    entityType: 'section',
    entityId: (a) => `${String(a[0])}/${String(a[1])}`,
    before: async (repo, a) => (await repo.listSections(String(a[0]))).find((s) => s.key === a[1]) ?? null,
  },
  saveAnswer: {
    action: 'answer.save',
    entityType: 'answer',
    entityId: (a) => `${String(a[0])}/${String(a[1])}`,
    before: async (repo, a) => (await repo.listAnswers(String(a[0]))).find((s) => s.questionId === a[1]) ?? null,
  },
  addManualEvent: { action: 'timeline.add', entityType: 'timeline-event', entityId: (a) => String(a[0]), before: null },
  editManualEvent: {
    action: 'timeline.edit',
    entityType: 'timeline-event',
    entityId: (a) => String(a[1]),
    before: async (repo, a) => (await repo.listManualEvents(String(a[0]))).find((e) => e.id === a[1]) ?? null,
  },
  deleteManualEvent: {
    action: 'timeline.delete',
    entityType: 'timeline-event',
    entityId: (a) => String(a[1]),
    before: async (repo, a) => (await repo.listManualEvents(String(a[0]))).find((e) => e.id === a[1]) ?? null,
  },
  annotateEvent: {
    action: 'timeline.annotate',
    entityType: 'timeline-annotation',
    entityId: (a) => `${String(a[0])}/${String(a[1])}`,
    before: async (repo, a) => (await repo.listAnnotations(String(a[0]))).find((e) => e.eventId === a[1]) ?? null,
  },
  addFinding: { action: 'finding.add', entityType: 'finding', entityId: (a) => String(a[0]), before: null },
  editFinding: { action: 'finding.edit', entityType: 'finding', entityId: (a) => String(a[0]), before: (repo, a) => repo.getFinding(String(a[0])) },
  addActionItem: { action: 'action-item.add', entityType: 'action-item', entityId: (a) => String(a[0]), before: null },
  updateActionItem: { action: 'action-item.edit', entityType: 'action-item', entityId: (a) => String(a[0]), before: action },
  moveActionItem: { action: 'action-item.move', entityType: 'action-item', entityId: (a) => String(a[0]), before: action },
  updateActionItemExternal: { action: 'action-item.link', entityType: 'action-item', entityId: (a) => String(a[0]), before: action },
  applyExternalState: { action: 'action-item.sync', entityType: 'action-item', entityId: (a) => String(a[0]), before: action },
};

/** Names of the repository's write methods that the audit trail records. */
export const AUDITED_REVIEW_WRITES: readonly string[] = Object.keys(WRITES);

function actorOf(args: unknown[], fallback: string): string {
  for (const a of args) {
    if (a && typeof a === 'object' && 'actor' in a && typeof (a as { actor: unknown }).actor === 'string') return (a as { actor: string }).actor;
  }
  const by = args.find((a, i) => i > 1 && typeof a === 'string');
  return typeof by === 'string' ? by : fallback;
}

/**
 * The review repository with every write recorded in the audit trail: who (the write's actor),
 * what (the method), the entity before and after. The entity is read before the write, the write
 * runs, and the entry is appended, all in one transaction: a write that fails records nothing, and
 * an entry that cannot be appended undoes the write. A write that changed nothing records nothing.
 * When `db` is already a transaction, everything joins it. Reads pass straight through.
 */
export function auditedReviewRepository(repo: ReviewRepository, db: Kysely<Database>, fallbackActor = 'hindsight'): ReviewRepository {
  return new Proxy(repo, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || typeof value !== 'function') return value;
      const spec = WRITES[prop];
      const method = value as (...args: unknown[]) => Promise<unknown>;
      if (!spec) return method.bind(target);
      return (...args: unknown[]) =>
        writeAudited(db, async (trx) => {
          const inner = target.within(trx);
          const before = spec.before ? await spec.before(inner, args) : null;
          const result = await method.apply(inner, args);
          const after = result ?? null;
          const createdId = after && typeof after === 'object' && 'id' in after && typeof (after as { id: unknown }).id === 'string' && !spec.before ? (after as { id: string }).id : undefined;
          return { result, audit: { actor: actorOf(args, fallbackActor), action: spec.action, entityType: spec.entityType, entityId: createdId ?? spec.entityId(args), before: before ?? null, after } };
        });
    },
  });
}
