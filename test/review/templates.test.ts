import { describe, expect, it } from 'vitest';
import { isCalendarDate } from '../../src/model/tasks.js';
import { addDays, checkTemplateSet, chooseTemplate, parseTemplate, templateReasons, type ReviewTemplate, type TemplateSubject } from '../../src/review/templates.js';

const subject = (over: Partial<TemplateSubject> = {}): TemplateSubject => ({ title: 'Suspicious activity', tags: [], classification: null, determination: null, categories: [], techniques: [], ...over });
const template = (yaml: string): ReviewTemplate => parseTemplate(yaml, 't.yaml');

const fallback = template('id: general\nname: General\nversion: 1\ndefault: true\n');
const phishing = template('id: phishing\nname: Phishing\nversion: 2\npriority: 10\nmatch:\n  techniques: [T1566]\n  titleContains: [phish]\n  tags: [Phishing Campaign]\n');
const identity = template('id: identity\nname: Identity\nversion: 1\npriority: 10\nmatch:\n  determination: [compromisedAccount]\n  techniques: [T1110]\n');
const ransomware = template('id: ransomware\nname: Ransomware\nversion: 1\npriority: 50\nmatch:\n  techniques: [T1486]\n  categories: [Ransomware]\n');
const all = [fallback, phishing, identity, ransomware];

describe('review templates', () => {
  it('matches any condition: sub-techniques, title words, folded tags, categories, determination', () => {
    expect(templateReasons(phishing, subject({ techniques: ['T1566.002'] }))).toEqual(['technique T1566']);
    expect(templateReasons(phishing, subject({ techniques: ['T15660'] }))).toEqual([]);
    expect(templateReasons(phishing, subject({ title: 'PHISHING wave' }))).toEqual(['title contains "phish"']);
    expect(templateReasons(phishing, subject({ tags: ['phishing_campaign'] }))).toEqual(['tagged Phishing Campaign']);
    expect(templateReasons(ransomware, subject({ categories: ['ransomware'] }))).toEqual(['alert category Ransomware']);
    expect(templateReasons(identity, subject({ determination: 'compromised_account' }))).toEqual(['determination compromised_account']);
    expect(templateReasons(fallback, subject({ techniques: ['T1486'] }))).toEqual([]);
  });

  it('picks the highest priority, then the most conditions met, then the id; else the default', () => {
    expect(chooseTemplate(all, subject({ techniques: ['T1486', 'T1566.001'] }))?.template.id).toBe('ransomware');
    // Equal priority: phishing meets two conditions, identity one.
    expect(chooseTemplate(all, subject({ title: 'phish', techniques: ['T1566', 'T1110.003'] }))?.template.id).toBe('phishing');
    // Equal priority and equal count: the first id.
    expect(chooseTemplate(all, subject({ techniques: ['T1566', 'T1110'] }))?.template.id).toBe('identity');
    expect(chooseTemplate(all, subject())).toEqual({ template: fallback, reasons: [] });
    expect(chooseTemplate([phishing], subject())).toBeUndefined();
  });

  it('refuses bad files with the file, line and field', () => {
    const bad = (yaml: string) => {
      try {
        template(yaml);
      } catch (error) {
        return { message: (error as Error).message, location: (error as { location?: unknown }).location };
      }
      throw new Error('accepted');
    };
    expect(bad('id: x\nname: X\nversion: 1\n')).toMatchObject({ message: /needs a match rule/ });
    expect(bad('id: x\nname: X\nversion: 1\nmatch:\n  techniques: [T99]\n')).toMatchObject({ location: { file: 't.yaml', line: 5, path: 'match.techniques[0]' } });
    expect(bad('id: x\nname: X\nversion: 1\nmatch: {}\n')).toMatchObject({ message: /at least one condition/ });
    expect(bad('id: X Y\nname: X\nversion: 1\ndefault: true\n')).toMatchObject({ location: { line: 1, path: 'id' } });
    expect(bad('id: x\nname: X\nversion: 1\ndefault: true\nunknown: 1\n')).toMatchObject({ location: { line: 5 } });
    expect(bad('id: x\nname: X\nversion: 1\ndefault: true\ntasks:\n  - key: a\n    title: A\n  - key: a\n    title: B\n')).toMatchObject({ message: /"a" is used twice/, location: { line: 8 } });
    expect(bad('id: x\nname: X\nversion: 1\ndefault: true\nsections:\n  - key: a\n    title: A\nquestions:\n  - key: a\n    title: B\n')).toMatchObject({ message: /names a section and a question/ });
    expect(bad('id: x\nname: [unclosed\n')).toMatchObject({ message: /not valid YAML/ });
    expect(() => checkTemplateSet([fallback, phishing, { ...phishing }])).toThrow(/template id "phishing" is also used/);
    expect(() => checkTemplateSet([phishing])).toThrow(/exactly one template must be the default/);
  });

  it('counts due dates in real calendar days', () => {
    expect(addDays('2028-02-27', 2)).toBe('2028-02-29');
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2026-03-01', 0)).toBe('2026-03-01');
    expect(['2026-02-28', '2028-02-29', '2026-12-31'].every(isCalendarDate)).toBe(true);
    expect(['2026-02-30', '2026-02-29', '2026-13-01', '2026-00-10', '2026-1-01', '20260101', ''].some(isCalendarDate)).toBe(false);
  });
});
