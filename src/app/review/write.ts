import type { z } from 'zod';
import { ConflictError, InputError } from '../../model/errors.js';
import type { ReviewRecord } from '../../model/review.js';
import { assertEditable, stateAfterEdit } from '../../review/lifecycle.js';
import type { OpenedStore } from '../../store/index.js';
import { getReviewRecordForUpdate, insertReviewRecord, updateReviewRecord } from '../../store/reviews/records.js';
import type { ReviewWriteStamp } from '../../store/reviews/guard.js';

/** Who makes a change to a review, and the version they based it on (none: whatever is stored). */
export interface ReviewWrite {
  actor: string;
  expectedVersion?: number;
}

/** The write's stamp: its actor, its one timestamp, the version it expects. */
export function stampOf(write: ReviewWrite): ReviewWriteStamp {
  return { actor: write.actor, at: new Date().toISOString(), ...(write.expectedVersion !== undefined ? { expectedVersion: write.expectedVersion } : {}) };
}

/** The incident's review record, created (not required, version 1) when it has none yet. */
export async function ensureReviewRecord(tx: OpenedStore, incidentId: string, stamp: ReviewWriteStamp): Promise<ReviewRecord> {
  const stored = await getReviewRecordForUpdate(tx.db, incidentId);
  if (stored) return stored;
  try {
    return await insertReviewRecord(tx.db, { incidentId, state: 'not-required', requiredBy: null }, stamp);
  } catch (error) {
    // Another writer created it since: theirs is the record (read once they have committed).
    const created = error instanceof ConflictError ? await getReviewRecordForUpdate(tx.db, incidentId) : undefined;
    if (created) return created;
    throw error;
  }
}

/** Editing content starts the draft of a review that has not started, and is refused once approved or waived. */
export async function beginEdit(tx: OpenedStore, incidentId: string, stamp: ReviewWriteStamp): Promise<ReviewRecord> {
  const review = await ensureReviewRecord(tx, incidentId, stamp);
  assertEditable(review.state);
  const state = stateAfterEdit(review.state);
  return state === review.state ? review : updateReviewRecord(tx.db, review, { state }, stamp);
}

/** Input checked against its model schema; the first problem is an input error naming its path. */
export function parseReviewInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).map(String).join('.');
  throw new InputError(`${what}: ${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}`, { path: path || undefined });
}

/** The fields a patch names (an absent field leaves the stored value alone). */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
