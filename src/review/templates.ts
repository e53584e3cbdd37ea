import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { yamlLocation } from './yaml-location.js';
import { InputError } from '../model/errors.js';
import { foldTag } from './policy.js';

/**
 * Review templates: one readable YAML file per kind of incident (ransomware, phishing, business
 * e-mail compromise...). A template adds sections and questions to the review beside the NIST
 * set and lays out a task list; it is chosen by its selection rule on the incident, or by hand.
 * Pure: parsing, validation and matching; reading the files is the app's.
 */

const key = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes');
const nonEmptyList = z.array(z.string().trim().min(1)).min(1);

/** Conditions on the incident; the template matches when ANY of them holds. */
export const TemplateMatchSchema = z
  .strictObject({
    techniques: z.array(z.string().regex(/^T\d{4}(\.\d{3})?$/, 'an ATT&CK technique id such as T1486 or T1566.001')).min(1).optional(),
    titleContains: nonEmptyList.optional(),
    categories: nonEmptyList.optional(),
    tags: nonEmptyList.optional(),
    determination: nonEmptyList.optional(),
    classification: nonEmptyList.optional(),
  })
  .refine((m) => Object.values(m).some((v) => v !== undefined), { message: 'match needs at least one condition' });

const PromptSchema = z.strictObject({ key, title: z.string().trim().min(1).max(500), guidance: z.string().max(5000).default('') });

export const TemplateTaskSchema = z.strictObject({
  key,
  title: z.string().trim().min(1).max(500),
  description: z.string().max(5000).default(''),
  /** Who should take it, in words (e.g. `incident commander`), shown until someone is assigned. */
  role: z.string().trim().min(1).max(200).optional(),
  /** A username or an e-mail address to assign it to when the template is applied. */
  assignee: z.string().trim().min(1).max(320).optional(),
  /** Due this many days after the template is applied (0: the same day). */
  dueInDays: z.number().int().min(0).max(3650).optional(),
});
export type TemplateTask = z.infer<typeof TemplateTaskSchema>;

export const ReviewTemplateSchema = z
  .strictObject({
    id: key,
    name: z.string().trim().min(1).max(200),
    version: z.number().int().min(1),
    description: z.string().default(''),
    /** The template used when no other matches; exactly one template is the default. */
    default: z.boolean().default(false),
    /** Among several matching templates the highest priority wins (then the most conditions met, then the id). */
    priority: z.number().int().default(0),
    match: TemplateMatchSchema.optional(),
    sections: z.array(PromptSchema).default([]),
    questions: z.array(PromptSchema.extend({ title: z.string().trim().min(1).max(1000) })).default([]),
    tasks: z.array(TemplateTaskSchema).default([]),
  })
  .refine((t) => t.default || t.match !== undefined, { message: 'a template needs a match rule unless it is the default', path: ['match'] });
export type ReviewTemplate = z.infer<typeof ReviewTemplateSchema>;

/** The incident fields a template's rule looks at. */
export interface TemplateSubject {
  title: string;
  tags: string[];
  classification: string | null;
  determination: string | null;
  /** The alerts' categories. */
  categories: string[];
  /** The ATT&CK technique ids the alerts carry. */
  techniques: string[];
}

export interface TemplateChoice {
  template: ReviewTemplate;
  /** The conditions that held, in words; empty when the default was taken. */
  reasons: string[];
}

/** Parses and validates one template file; errors name the file, line and field path. */
export function parseTemplate(text: string, file = '<template>'): ReviewTemplate {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = yamlError.linePos?.[0];
    throw new InputError(`not valid YAML: ${yamlError.message.split('\n')[0]}`, { file, line: pos?.line, column: pos?.col });
  }
  const result = ReviewTemplateSchema.safeParse(doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const extra = issue.code === 'unrecognized_keys' ? issue.keys : [];
    throw new InputError(issue.message, yamlLocation(doc.contents, extra.length ? [...path, extra[0] as string] : path, lineCounter, file));
  }
  const t = result.data;
  for (const [list, name] of [[t.sections, 'sections'], [t.questions, 'questions'], [t.tasks, 'tasks']] as const) {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (seen.has(item.key)) throw new InputError(`key "${item.key}" is used twice`, yamlLocation(doc.contents, [name, i, 'key'], lineCounter, file));
      seen.add(item.key);
    });
  }
  // Sections and questions share one answer space per template.
  const promptKeys = new Set(t.sections.map((s) => s.key));
  t.questions.forEach((q, i) => {
    if (promptKeys.has(q.key)) throw new InputError(`key "${q.key}" names a section and a question`, yamlLocation(doc.contents, ['questions', i, 'key'], lineCounter, file));
  });
  return t;
}

/** Checks a set of templates: ids unique, exactly one default. `files` names each template's file for errors. */
export function checkTemplateSet(templates: readonly ReviewTemplate[], files: readonly string[] = []): void {
  const seen = new Map<string, string>();
  templates.forEach((t, i) => {
    const file = files[i] ?? '<template>';
    const other = seen.get(t.id);
    if (other) throw new InputError(`template id "${t.id}" is also used by ${other}`, { file, path: 'id' });
    seen.set(t.id, file);
  });
  const defaults = templates.filter((t) => t.default);
  if (defaults.length !== 1) throw new InputError(`exactly one template must be the default (default: true); found ${defaults.length}${defaults.length ? `: ${defaults.map((d) => d.id).join(', ')}` : ''}`, { file: files[0] ?? '<templates>' });
}

/** The id answers to a template's section or question are stored under. */
export function templatePromptId(templateId: string, promptKey: string): string {
  return `${templateId}.${promptKey}`;
}

function fold(v: string): string {
  return v.trim().toLowerCase().replace(/[\s_-]/g, '');
}

/** The conditions of a template's rule that hold for the incident, in words (empty: no match). */
export function templateReasons(template: ReviewTemplate, incident: TemplateSubject): string[] {
  const m = template.match;
  if (!m) return [];
  const reasons: string[] = [];
  if (m.techniques) {
    // A technique in the rule also matches its sub-techniques (T1566 matches T1566.001).
    const hit = m.techniques.filter((t) => incident.techniques.some((x) => x === t || x.startsWith(`${t}.`)));
    if (hit.length) reasons.push(`technique ${hit.join(', ')}`);
  }
  if (m.titleContains) {
    const title = incident.title.toLowerCase();
    const hit = m.titleContains.filter((w) => title.includes(w.toLowerCase()));
    if (hit.length) reasons.push(`title contains ${hit.map((w) => `"${w}"`).join(', ')}`);
  }
  if (m.categories) {
    const cats = new Set(incident.categories.map(fold));
    const hit = m.categories.filter((c) => cats.has(fold(c)));
    if (hit.length) reasons.push(`alert category ${hit.join(', ')}`);
  }
  if (m.tags) {
    const tags = new Set(incident.tags.map(foldTag));
    const hit = m.tags.filter((t) => tags.has(foldTag(t)));
    if (hit.length) reasons.push(`tagged ${hit.join(', ')}`);
  }
  if (m.determination && incident.determination !== null) {
    const d = incident.determination;
    if (m.determination.some((x) => fold(x) === fold(d))) reasons.push(`determination ${d}`);
  }
  if (m.classification && incident.classification !== null) {
    const c = incident.classification;
    if (m.classification.some((x) => fold(x) === fold(c))) reasons.push(`classification ${c}`);
  }
  return reasons;
}

/**
 * The template an incident's review should follow: of the templates whose rule matches, the one
 * with the highest priority, then the most conditions met, then the first id; else the default.
 */
export function chooseTemplate(templates: readonly ReviewTemplate[], incident: TemplateSubject): TemplateChoice | undefined {
  let best: TemplateChoice | undefined;
  for (const template of templates) {
    const reasons = templateReasons(template, incident);
    if (reasons.length === 0) continue;
    if (!best || template.priority > best.template.priority || (template.priority === best.template.priority && (reasons.length > best.reasons.length || (reasons.length === best.reasons.length && template.id < best.template.id)))) {
      best = { template, reasons };
    }
  }
  if (best) return best;
  const fallback = templates.find((t) => t.default);
  return fallback ? { template: fallback, reasons: [] } : undefined;
}

/** The calendar day `days` after `from` (YYYY-MM-DD, UTC). */
export function addDays(from: string, days: number): string {
  const d = new Date(`${from}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}


