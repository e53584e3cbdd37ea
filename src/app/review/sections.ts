import { UsageError } from '../../model/errors.js';
import { REVIEW_SECTIONS, type ReviewAnswer, type ReviewSection, type ReviewSectionKey } from '../../model/review.js';
import { QUESTION_IDS } from '../../review/questions.js';
import type { OpenedStore } from '../../store/index.js';
import { getAnswer, saveAnswer } from '../../store/reviews/answers.js';
import { getSection, saveSection } from '../../store/reviews/sections.js';
import { auditedWrite } from '../audit.js';
import { beginEdit, stampOf, type ReviewWrite } from './write.js';

/** Writes a section of the review (`source` person unless stated); starts the draft. */
export async function saveReviewSection(store: OpenedStore, incidentId: string, key: ReviewSectionKey, body: string, write: ReviewWrite & { source?: ReviewSection['source'] }): Promise<ReviewSection> {
  if (!REVIEW_SECTIONS.includes(key)) throw new UsageError(`unknown section "${key}" (sections: ${REVIEW_SECTIONS.join(', ')})`);
  return auditedWrite(store, { actor: write.actor, operation: 'section.save' }, async (tx) => {
    const stamp = stampOf(write);
    const before = (await getSection(tx.db, incidentId, key)) ?? null;
    await beginEdit(tx, incidentId, stamp);
    const saved = await saveSection(tx.db, incidentId, key, body, write.source ?? 'person', stamp);
    return { result: saved, entityId: `${incidentId}/${key}`, before, after: saved };
  });
}

/** Answers a lessons-learned question; starts the draft. */
export async function saveReviewAnswer(store: OpenedStore, incidentId: string, questionId: string, answer: string, write: ReviewWrite): Promise<ReviewAnswer> {
  if (!QUESTION_IDS.includes(questionId)) throw new UsageError(`unknown question "${questionId}" (questions: ${QUESTION_IDS.join(', ')})`);
  return auditedWrite(store, { actor: write.actor, operation: 'answer.save' }, async (tx) => {
    const stamp = stampOf(write);
    const before = (await getAnswer(tx.db, incidentId, questionId)) ?? null;
    await beginEdit(tx, incidentId, stamp);
    const saved = await saveAnswer(tx.db, incidentId, questionId, answer, stamp);
    return { result: saved, entityId: `${incidentId}/${questionId}`, before, after: saved };
  });
}
