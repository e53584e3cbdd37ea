import type { ReviewChange, ReviewEntityType, ReviewRecord } from '../../model/review.js';
import { computeCompleteness, type Completeness } from '../../review/completeness.js';
import { templatePromptsOf } from '../../review/full-report.js';
import type { ReviewContent } from '../../review/content.js';
import { QUESTION_IDS } from '../../review/questions.js';
import { listConfirmedTechniques } from '../../store/coverage/confirmed-techniques.js';
import type { OpenedStore } from '../../store/index.js';
import { listActionItems } from '../../store/reviews/action-items.js';
import { listAnnotations } from '../../store/reviews/annotations.js';
import { listAnswers } from '../../store/reviews/answers.js';
import { listChanges } from '../../store/reviews/changes.js';
import { listFindings } from '../../store/reviews/findings.js';
import { emptyReviewRecord, getReviewRecord } from '../../store/reviews/records.js';
import { listSections } from '../../store/reviews/sections.js';
import { listTimelineEvents } from '../../store/reviews/timeline-events.js';
import { withOverdue } from './overdue.js';
import { listTasks } from './tasks.js';
import { appliedTemplateView } from './templates.js';

/** The review record, or the one an unevaluated incident has (state not-required, version 0). */
export async function getReview(store: OpenedStore, incidentId: string): Promise<ReviewRecord> {
  return (await getReviewRecord(store.db, incidentId)) ?? emptyReviewRecord(incidentId);
}

/** Everything stored about one incident's review. */
export async function loadReviewContent(store: OpenedStore, incidentId: string): Promise<ReviewContent> {
  const now = new Date();
  const [review, sections, answers, manualEvents, annotations, findings, actions, tasks, template] = await Promise.all([
    getReview(store, incidentId),
    listSections(store.db, incidentId),
    listAnswers(store.db, incidentId, QUESTION_IDS),
    listTimelineEvents(store.db, incidentId),
    listAnnotations(store.db, incidentId),
    listFindings(store.db, incidentId),
    listActionItems(store.db, { incidentId }),
    listTasks(store, incidentId),
    appliedTemplateView(store, incidentId),
  ]);
  return { review, sections, answers, manualEvents, annotations, findings, actions: actions.map((item) => withOverdue(item, now)), tasks, template };
}

/** Completeness from what is stored (generated, unconfirmed sections count as missing). */
export async function reviewCompleteness(store: OpenedStore, incidentId: string): Promise<Completeness> {
  const [sections, answers, findings, actions, template] = await Promise.all([
    listSections(store.db, incidentId),
    listAnswers(store.db, incidentId, QUESTION_IDS),
    listFindings(store.db, incidentId),
    listActionItems(store.db, { incidentId }),
    appliedTemplateView(store, incidentId),
  ]);
  return computeCompleteness({
    answers: Object.fromEntries(answers.map((a) => [a.questionId, a.answer])),
    sections: sections.map((s) => ({ key: s.key, body: s.body, source: s.source })),
    findings: findings.map((f) => ({ id: f.id, title: f.title, acceptedRisk: f.acceptedRisk })),
    actions: actions.map((a) => ({ findingId: a.findingId, status: a.status })),
    templatePrompts: templatePromptsOf(template),
  });
}

/** Every recorded change to the review, oldest first: who, when, before and after. */
export async function reviewHistory(store: OpenedStore, incidentId: string, filter: { entityType?: ReviewEntityType; entityId?: string } = {}): Promise<ReviewChange[]> {
  return listChanges(store.db, incidentId, filter);
}

/** The ATT&CK techniques the review confirmed for the incident, in ID order. */
export async function confirmedTechniqueIds(store: OpenedStore, incidentId: string): Promise<string[]> {
  return (await listConfirmedTechniques(store.db, incidentId)).map((c) => c.techniqueId);
}
