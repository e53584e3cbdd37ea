import type { KnowledgeBase } from '../attack/types.js';
import { responseTimings } from '../analysis/timings.js';
import type { StoredIncident } from '../model/index.js';
import { REVIEW_SECTIONS, SECTION_TITLES } from '../model/review.js';
import type { AppliedTemplate } from '../model/tasks.js';
import { computeCompleteness, type CompletenessInput } from './completeness.js';
import { generateSections } from './draft.js';
import { LESSONS_LEARNED_QUESTIONS } from './questions.js';
import type { ReviewContent } from './content.js';
import { buildReviewReport, type ReviewQuestionView, type ReviewReport, type ReviewReportInputs, type ReviewSectionView } from './report.js';
import { mergeTimeline, visibleEvents } from './timeline-merge.js';

/**
 * The full post-incident review: the evidence-backed report plus the stored review (state and
 * sign-off, sections, answers, findings, action items, completeness). Hand-written timeline
 * events and annotations are merged in, and the response timings are recomputed from the merged
 * timeline so manual phase tags count. Sections not yet written show the text generated from the
 * evidence, marked `generated`. Pure apart from the clock.
 */
export function buildFullReview(incident: StoredIncident, kb: KnowledgeBase, content: ReviewContent, now: Date = new Date(), inputs: ReviewReportInputs = {}): ReviewReport {
  const base = buildReviewReport(incident, kb, now, inputs);
  const merged = mergeTimeline(base.timeline, content.annotations, content.manualEvents);
  const visible = visibleEvents(merged);
  const timings = responseTimings(incident, visible);
  const generated = generateSections({ ...base, timeline: visible, timings });
  const stored = new Map(content.sections.map((s) => [s.key, s]));
  const sections: ReviewSectionView[] = REVIEW_SECTIONS.map((key) => {
    const s = stored.get(key);
    if (s) return { key, title: SECTION_TITLES[key], body: s.body, source: s.source, version: s.version, updatedBy: s.updatedBy, updatedAt: s.updatedAt };
    const body = key === 'noFindings' ? '' : generated[key];
    return { key, title: SECTION_TITLES[key], body, source: 'generated', version: 0, updatedBy: null, updatedAt: null };
  });
  const answers = new Map(content.answers.map((a) => [a.questionId, a]));
  const questions: ReviewQuestionView[] = LESSONS_LEARNED_QUESTIONS.map((q, i) => {
    const a = answers.get(q.id);
    return { id: q.id, number: i + 1, text: q.text, answer: a?.answer ?? null, version: a?.version ?? 0, answeredBy: a?.updatedBy ?? null, answeredAt: a?.updatedAt ?? null };
  });
  const completeness = computeCompleteness({
    answers: Object.fromEntries(content.answers.map((a) => [a.questionId, a.answer])),
    sections: sections.map((s) => ({ key: s.key, body: s.body, source: s.source })),
    findings: content.findings,
    actions: content.actions,
    templatePrompts: templatePromptsOf(content.template),
  });
  return {
    ...base,
    summary: base.summary,
    timeline: merged,
    timings,
    state: content.review,
    sections,
    questions,
    findings: content.findings,
    actions: content.actions,
    ...(content.tasks ? { tasks: content.tasks } : {}),
    ...(content.template !== undefined ? { template: content.template } : {}),
    completeness,
    ...(content.review?.state === 'approved' && content.review.completenessOverride
      ? { approvedIncomplete: { reason: content.review.completenessOverride, approvedBy: content.review.approvedBy, approvedAt: content.review.approvedAt, completenessScore: completeness?.score ?? null } }
      : {}),
  };
}

/** The generated text of one section (for `review edit --confirm`). */
export function generatedSectionText(incident: StoredIncident, kb: KnowledgeBase, content: ReviewContent, key: Exclude<(typeof REVIEW_SECTIONS)[number], 'noFindings'>): string {
  const report = buildFullReview(incident, kb, { ...content, sections: [] });
  return report.sections?.find((s) => s.key === key)?.body ?? '';
}

/** The template's sections and questions as completeness counts them. */
export function templatePromptsOf(template: AppliedTemplate | null | undefined): NonNullable<CompletenessInput['templatePrompts']> {
  if (!template) return [];
  return [...template.sections.map((p) => ({ id: p.id, kind: 'section' as const, title: p.title, answer: p.answer })), ...template.questions.map((p) => ({ id: p.id, kind: 'question' as const, title: p.title, answer: p.answer }))];
}
