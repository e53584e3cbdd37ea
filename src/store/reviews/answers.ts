import type { Kysely } from 'kysely';
import type { ReviewAnswer } from '../../model/review.js';
import { compiledRead } from '../compiled-read.js';
import type { Database } from '../database.js';
import { recordChanges } from './changes.js';
import { checkVersion, conflictError, type ReviewWriteStamp } from './guard.js';

/** The answers to the lessons-learned questions, in the order of `questionOrder`. */
const answersOf = compiledRead((db, incidentId: string) => answerQuery(db, incidentId), ['']);

export async function listAnswers(db: Kysely<Database>, incidentId: string, questionOrder: readonly string[]): Promise<ReviewAnswer[]> {
  const rows = await answersOf(db, incidentId);
  return rows.sort((a, b) => questionOrder.indexOf(a.questionId) - questionOrder.indexOf(b.questionId));
}

export async function getAnswer(db: Kysely<Database>, incidentId: string, questionId: string): Promise<ReviewAnswer | undefined> {
  return answerQuery(db, incidentId).where('questionId', '=', questionId).executeTakeFirst();
}

/** Writes an answer: its first version, or the next one `where version = current`, with its history. */
export async function saveAnswer(db: Kysely<Database>, incidentId: string, questionId: string, answer: string, write: ReviewWriteStamp): Promise<ReviewAnswer> {
  const current = await getAnswer(db, incidentId, questionId);
  const label = `the answer to question ${questionId}`;
  checkVersion(label, current ?? { version: 0, updatedBy: null, updatedAt: null }, write.expectedVersion);
  const version = (current?.version ?? 0) + 1;
  const stamp = { version, updatedBy: write.actor, updatedAt: write.at };
  const written = current
    ? (
        await db
          .updateTable('reviewAnswers')
          .set({ answer, ...stamp })
          .where('incidentId', '=', incidentId)
          .where('questionId', '=', questionId)
          .where('version', '=', current.version)
          .executeTakeFirst()
      ).numUpdatedRows
    : ((
        await db
          .insertInto('reviewAnswers')
          .values({ incidentId, questionId, answer, ...stamp })
          .onConflict((oc) => oc.columns(['incidentId', 'questionId']).doNothing())
          .executeTakeFirst()
      ).numInsertedOrUpdatedRows ?? 0n);
  if (Number(written) === 0) {
    const other = await getAnswer(db, incidentId, questionId);
    throw conflictError(label, current?.version ?? 0, other?.version ?? 0, other?.updatedBy ?? null, other?.updatedAt ?? null);
  }
  await recordChanges(db, [{ incidentId, entityType: 'answer', entityId: questionId, field: 'answer', before: current?.answer ?? null, after: answer, actor: write.actor, at: write.at, version }]);
  return { questionId, answer, ...stamp };
}

function answerQuery(db: Kysely<Database>, incidentId: string) {
  return db.selectFrom('reviewAnswers').select(['questionId', 'answer', 'version', 'updatedBy', 'updatedAt']).where('incidentId', '=', incidentId);
}
