import { describe, expect, it } from 'vitest';
import { computeCompleteness, type CompletenessInput } from '../../src/review/completeness.js';
import { LESSONS_LEARNED_QUESTIONS, QUESTION_IDS, resolveQuestionId } from '../../src/review/questions.js';

const allAnswers = Object.fromEntries(QUESTION_IDS.map((id) => [id, `answer to ${id}`]));
const person = (key: CompletenessInput['sections'][number]['key'], body = 'text') => ({ key, body, source: 'person' as const });
const fullSections = [person('summary'), person('technicalSummary'), person('response'), person('takeaways')];

describe('lessons-learned questions', () => {
  it('are the ten questions of NIST SP 800-61, each with a stable id', () => {
    expect(LESSONS_LEARNED_QUESTIONS).toHaveLength(10);
    expect(new Set(QUESTION_IDS).size).toBe(10);
    expect(LESSONS_LEARNED_QUESTIONS[0]?.text).toBe('Exactly what happened, and at what times?');
    expect(LESSONS_LEARNED_QUESTIONS.map((q) => q.text).join(' ')).toMatch(/precursors or indicators/);
    expect(resolveQuestionId('3')).toBe('procedures');
    expect(resolveQuestionId('Precursors')).toBe('precursors');
    expect(resolveQuestionId('11')).toBeUndefined();
  });
});

describe('completeness', () => {
  it('is 0 parts done for an empty review, with every gap named', () => {
    const c = computeCompleteness({ answers: {}, sections: [], findings: [], actions: [] });
    expect(c.complete).toBe(false);
    expect(c.score).toBe(0);
    expect(c.parts.map((p) => [p.id, p.done, p.total])).toEqual([
      ['questions', 0, 10],
      ['sections', 0, 4],
      ['findings-resolved', 0, 1],
      ['findings-recorded', 0, 1],
    ]);
    expect(c.parts[0]?.missing).toHaveLength(10);
    expect(c.parts[1]?.missing).toContain('section takeaways (Key takeaways) is empty');
  });

  it('counts answered questions and person-confirmed sections, not generated ones or blanks', () => {
    const answers = { ...Object.fromEntries(QUESTION_IDS.slice(0, 5).map((id) => [id, 'yes'])), precursors: '   ' };
    const c = computeCompleteness({
      answers,
      sections: [person('summary'), person('technicalSummary', ''), { key: 'response', body: 'generated text', source: 'generated' }],
      findings: [],
      actions: [],
    });
    expect(c.parts[0]).toMatchObject({ done: 5, total: 10, score: 15 });
    expect(c.parts[1]).toMatchObject({ done: 1, total: 4, score: 7.5 });
    expect(c.parts[1]?.missing).toContain('section response (How the response was executed) is generated and not yet confirmed');
    expect(c.score).toBe(22);
  });

  it('needs each finding to have an action item (not won\'t-do) or an accepted risk', () => {
    const base = { answers: allAnswers, sections: fullSections };
    const findings = [
      { id: 'fnd_a', title: 'A', acceptedRisk: null },
      { id: 'fnd_b', title: 'B', acceptedRisk: 'Legacy system retires in Q3' },
      { id: 'fnd_c', title: 'C', acceptedRisk: null },
    ];
    const partial = computeCompleteness({ ...base, findings, actions: [{ findingId: 'fnd_a', status: 'open' }, { findingId: 'fnd_c', status: 'wont-do' }] });
    expect(partial.parts[2]).toMatchObject({ id: 'findings-resolved', done: 2, total: 3 });
    expect(partial.parts[2]?.missing).toEqual(['finding fnd_c "C" has no action item or accepted risk']);
    expect(partial.complete).toBe(false);
    expect(partial.score).toBe(91);
    const full = computeCompleteness({ ...base, findings, actions: [{ findingId: 'fnd_a', status: 'open' }, { findingId: 'fnd_c', status: 'done' }] });
    expect(full).toMatchObject({ complete: true, score: 100 });
  });

  it('accepts an explicit "no findings" statement instead of findings', () => {
    const without = computeCompleteness({ answers: allAnswers, sections: fullSections, findings: [], actions: [] });
    expect(without.complete).toBe(false);
    expect(without.score).toBe(60);
    const withStatement = computeCompleteness({ answers: allAnswers, sections: [...fullSections, person('noFindings', 'The response went as planned.')], findings: [], actions: [] });
    expect(withStatement).toMatchObject({ complete: true, score: 100 });
  });
});
