import { REQUIRED_SECTIONS, SECTION_TITLES, type ReviewSectionKey } from '../model/review.js';
import { LESSONS_LEARNED_QUESTIONS } from './questions.js';

/**
 * How complete a review is, with its parts shown. Pure.
 *
 * Parts and weights (sum 100):
 * - questions (30): lessons-learned questions answered, x/10;
 * - sections (30): required sections (summary, technical summary, response, takeaways) written or
 *   confirmed by a person; text generated from the evidence and not yet confirmed does not count;
 * - findings-resolved (25): findings that have at least one action item (not won't-do) or an
 *   explicit accepted risk; with no findings, full when the "no findings" statement is written;
 * - findings-recorded (15): at least one finding, or an explicit "no findings" statement.
 */
export interface CompletenessPart {
  id: 'questions' | 'sections' | 'findings-resolved' | 'findings-recorded';
  label: string;
  weight: number;
  done: number;
  total: number;
  /** weight × done/total, rounded to one decimal. */
  score: number;
  /** What is still missing, in words. */
  missing: string[];
}

export interface Completeness {
  /** 0-100, an integer. */
  score: number;
  complete: boolean;
  parts: CompletenessPart[];
}

export interface CompletenessInput {
  /** Answers by question id (blank answers do not count). */
  answers: Record<string, string>;
  sections: { key: ReviewSectionKey; body: string; source: 'generated' | 'person' }[];
  findings: { id: string; title: string; acceptedRisk: string | null }[];
  actions: { findingId: string | null; status: string }[];
  /**
   * The sections and questions the review's template adds, with their answers: its questions count
   * with the lessons-learned questions, its sections with the required sections.
   */
  templatePrompts?: { id: string; kind: 'section' | 'question'; title: string; answer: string | null }[];
}

export function computeCompleteness(input: CompletenessInput): Completeness {
  const parts: CompletenessPart[] = [];
  const part = (id: CompletenessPart['id'], label: string, weight: number, done: number, total: number, missing: string[]) => {
    const ratio = total === 0 ? 1 : done / total;
    parts.push({ id, label, weight, done, total, score: Math.round(weight * ratio * 10) / 10, missing });
  };

  const unanswered = LESSONS_LEARNED_QUESTIONS.filter((q) => !(input.answers[q.id] ?? '').trim());
  const prompts = input.templatePrompts ?? [];
  const templateQuestions = prompts.filter((p) => p.kind === 'question');
  const openTemplateQuestions = templateQuestions.filter((p) => !(p.answer ?? '').trim());
  part(
    'questions',
    'Lessons-learned questions answered',
    30,
    LESSONS_LEARNED_QUESTIONS.length + templateQuestions.length - unanswered.length - openTemplateQuestions.length,
    LESSONS_LEARNED_QUESTIONS.length + templateQuestions.length,
    [...unanswered.map((q) => `question ${LESSONS_LEARNED_QUESTIONS.indexOf(q) + 1} (${q.id}) "${q.text}"`), ...openTemplateQuestions.map((p) => `template question ${p.id} "${p.title}"`)],
  );

  const bySection = new Map(input.sections.map((s) => [s.key, s]));
  const missingSections: string[] = [];
  for (const key of REQUIRED_SECTIONS) {
    const s = bySection.get(key);
    if (!s || !s.body.trim()) missingSections.push(`section ${key} (${SECTION_TITLES[key]}) is empty`);
    else if (s.source !== 'person') missingSections.push(`section ${key} (${SECTION_TITLES[key]}) is generated and not yet confirmed`);
  }
  const templateSections = prompts.filter((p) => p.kind === 'section');
  for (const p of templateSections) if (!(p.answer ?? '').trim()) missingSections.push(`template section ${p.id} (${p.title}) is empty`);
  part('sections', 'Required sections written or confirmed', 30, REQUIRED_SECTIONS.length + templateSections.length - missingSections.length, REQUIRED_SECTIONS.length + templateSections.length, missingSections);

  const noFindings = (bySection.get('noFindings')?.body ?? '').trim() !== '';
  const unresolved = input.findings.filter(
    (f) => !(f.acceptedRisk ?? '').trim() && !input.actions.some((a) => a.findingId === f.id && a.status !== 'wont-do'),
  );
  if (input.findings.length === 0) {
    part('findings-resolved', 'Findings with an action item or accepted risk', 25, noFindings ? 1 : 0, 1, noFindings ? [] : ['no findings recorded and no "no findings" statement']);
  } else {
    part('findings-resolved', 'Findings with an action item or accepted risk', 25, input.findings.length - unresolved.length, input.findings.length, unresolved.map((f) => `finding ${f.id} "${f.title}" has no action item or accepted risk`));
  }
  const recorded = input.findings.length > 0 || noFindings;
  part('findings-recorded', 'At least one finding, or an explicit "no findings" statement', 15, recorded ? 1 : 0, 1, recorded ? [] : ['record a finding or write the noFindings ("No findings") section']);

  const raw = parts.reduce((sum, p) => sum + (p.total === 0 ? p.weight : (p.weight * p.done) / p.total), 0);
  const complete = parts.every((p) => p.done === p.total);
  return { score: complete ? 100 : Math.min(99, Math.floor(raw)), complete, parts };
}
