import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, NotFoundError, UsageError } from '../../model/errors.js';
import type { StoredIncident } from '../../model/index.js';
import type { AppliedTemplate, ReviewTask, TemplatePromptView } from '../../model/tasks.js';
import { addDays, checkTemplateSet, chooseTemplate, parseTemplate, ReviewTemplateSchema, templatePromptId, type ReviewTemplate, type TemplateChoice, type TemplateSubject } from '../../review/templates.js';
import type { OpenedStore } from '../../store/index.js';
import { getAnswer, listAnswers, saveAnswer } from '../../store/reviews/answers.js';
import * as store from '../../store/reviews/tasks.js';
import { auditedWrite } from '../audit.js';
import { resolvePerson } from '../people.js';
import { notifyAssigned, withTaskOverdue } from './tasks.js';
import { beginEdit, stampOf, type ReviewWrite } from './write.js';

/**
 * Review templates as the front ends use them: read from a folder of YAML files (the shipped
 * `config/review-templates`, or `--templates DIR` / HINDSIGHT_TEMPLATES), chosen for an incident by
 * rule or by hand, applied to its review (a snapshot kept with the review, the tasks created),
 * and their sections and questions answered.
 */

export interface LoadedTemplates {
  templates: ReviewTemplate[];
  /** Where they came from: `--templates`, `HINDSIGHT_TEMPLATES` or `default`. */
  origin: 'option' | 'env' | 'default';
  dir: string;
}

/** The template folder shipped with Hindsight (`config/review-templates`; same depth from src/ and dist/). */
export function defaultTemplatesDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'config', 'review-templates');
}

/** Reads every `*.yaml`/`*.yml` template of the folder `dir` (the option), else HINDSIGHT_TEMPLATES, else the shipped one. */
export function loadTemplates(options: { dir?: string; env?: NodeJS.ProcessEnv } = {}): LoadedTemplates {
  const env = options.env ?? process.env;
  const fromEnv = env.HINDSIGHT_TEMPLATES?.trim() || undefined;
  const origin: LoadedTemplates['origin'] = options.dir ? 'option' : fromEnv ? 'env' : 'default';
  const dir = resolve(options.dir || fromEnv || defaultTemplatesDir());
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError('the review templates folder does not exist', { file: dir });
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f)).sort().map((f) => join(dir, f));
  if (files.length === 0) throw new InputError('the review templates folder holds no .yaml template', { file: dir });
  const templates = files.map((file) => parseTemplate(readFileSync(file, 'utf8'), file));
  checkTemplateSet(templates, files);
  return { templates, origin, dir };
}

/** The incident as a template's rule sees it. */
export function templateSubject(incident: StoredIncident): TemplateSubject {
  return {
    title: incident.title,
    tags: incident.tags,
    classification: incident.classification,
    determination: incident.determination,
    categories: [...new Set(incident.alerts.map((a) => a.category).filter((c): c is string => Boolean(c)))],
    techniques: [...new Set(incident.alerts.flatMap((a) => a.techniques))],
  };
}

/** The template the incident's rule picks (the default when none matches). */
export function suggestTemplate(templates: readonly ReviewTemplate[], incident: StoredIncident): TemplateChoice {
  const choice = chooseTemplate(templates, templateSubject(incident));
  if (!choice) throw new InputError('no review template matches and none is the default');
  return choice;
}

/** A template by id, or a usage error listing the ids there are. */
export function templateById(templates: readonly ReviewTemplate[], id: string): ReviewTemplate {
  const t = templates.find((x) => x.id === id);
  if (!t) throw new UsageError(`unknown template "${id}" (templates: ${templates.map((x) => x.id).join(', ')})`);
  return t;
}

export interface TemplateApplication {
  template: AppliedTemplate;
  /** The tasks created from it (none when the same template was applied already). */
  created: ReviewTask[];
  /** Tasks of the template it replaced that nobody had touched, removed. */
  removed: string[];
  /** Problems that did not stop it, e.g. a template assignee who is not a user here (left unassigned). */
  warnings: string[];
}

/**
 * Applies a template to an incident's review: keeps a snapshot of it, creates its tasks (due dates
 * counted from today), and, when it replaces another template, removes the tasks of that one that
 * are still open and untouched. Applying the template already applied changes nothing. Refused on
 * an approved or waived review (reopen it first).
 */
export async function applyTemplate(db: OpenedStore, incidentId: string, choice: TemplateChoice & { chosenBy: 'rule' | 'hand' }, write: ReviewWrite): Promise<TemplateApplication> {
  return auditedWrite(db, { actor: write.actor, operation: 'template.apply' }, async (tx) => {
    const stamp = stampOf(write);
    const current = await store.getAppliedTemplate(tx.db, incidentId);
    const t = choice.template;
    if (current && current.templateId === t.id && current.templateVersion === t.version) {
      const view = (await appliedTemplateView(tx, incidentId)) as AppliedTemplate;
      // Nothing changes, so nothing is recorded (an entry whose before and after are equal is skipped).
      const same = { templateId: t.id, templateVersion: t.version };
      return { result: { template: view, created: [], removed: [], warnings: [] }, entityId: incidentId, before: same, after: same };
    }
    await beginEdit(tx, incidentId, stamp);
    const removed: string[] = [];
    if (current) {
      for (const task of await store.listTasks(tx.db, { incidentId })) {
        if (task.templateId === current.templateId && task.version === 1 && task.status === 'open' && (await store.deleteTask(tx.db, task, stamp))) removed.push(task.id);
      }
    }
    await store.saveAppliedTemplate(tx.db, incidentId, { templateId: t.id, templateVersion: t.version, chosenBy: choice.chosenBy, reasons: choice.reasons, snapshot: t }, current, stamp);
    const today = stamp.at.slice(0, 10);
    const warnings: string[] = [];
    const contents: store.TaskContent[] = [];
    for (const task of t.tasks) {
      let assignee: string | null = null;
      if (task.assignee) {
        try {
          assignee = await resolvePerson(tx, task.assignee, `template ${t.id} task ${task.key} assignee`);
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          warnings.push(`${error.message}; the task is left unassigned`);
        }
      }
      contents.push({ title: task.title, description: task.description, assignee, role: task.role ?? null, dueDate: task.dueInDays === undefined ? null : addDays(today, task.dueInDays), templateId: t.id, templateKey: task.key });
    }
    const created = (await store.insertTasks(tx.db, incidentId, contents, { ...stamp, expectedVersion: undefined })).map((x) => withTaskOverdue(x));
    for (const task of created) await notifyAssigned(tx, task, write.actor);
    const view = (await appliedTemplateView(tx, incidentId)) as AppliedTemplate;
    const before = current ? { templateId: current.templateId, templateVersion: current.templateVersion } : null;
    return { result: { template: view, created, removed, warnings }, entityId: incidentId, before, after: { templateId: t.id, templateVersion: t.version, chosenBy: choice.chosenBy, tasks: created.map((x) => x.id), removed } };
  });
}

/** Applies the template the incident's rule picks, unless the review already follows one. */
export async function applyTemplateByRule(db: OpenedStore, incident: StoredIncident, templates: readonly ReviewTemplate[], write: ReviewWrite): Promise<TemplateApplication | undefined> {
  if (await store.getAppliedTemplate(db.db, incident.id)) return undefined;
  return applyTemplate(db, incident.id, { ...suggestTemplate(templates, incident), chosenBy: 'rule' }, write);
}

/** The template the review follows, with the answers to its sections and questions; null when none is applied. */
export async function appliedTemplateView(db: OpenedStore, incidentId: string): Promise<AppliedTemplate | null> {
  const row = await store.getAppliedTemplate(db.db, incidentId);
  if (!row) return null;
  const t = snapshotOf(row);
  const ids = [...t.sections, ...t.questions].map((p) => templatePromptId(t.id, p.key));
  const answers = new Map((await listAnswers(db.db, incidentId, ids)).map((a) => [a.questionId, a]));
  const view = (p: { key: string; title: string; guidance: string }): TemplatePromptView => {
    const id = templatePromptId(t.id, p.key);
    const a = answers.get(id);
    return { id, key: p.key, title: p.title, guidance: p.guidance, answer: a?.answer ?? null, version: a?.version ?? 0, answeredBy: a?.updatedBy ?? null, answeredAt: a?.updatedAt ?? null };
  };
  return {
    templateId: t.id,
    name: t.name,
    templateVersion: t.version,
    chosenBy: row.chosenBy,
    reasons: JSON.parse(row.reasons) as string[],
    appliedBy: row.updatedBy,
    appliedAt: row.updatedAt,
    sections: t.sections.map(view),
    questions: t.questions.map(view),
  };
}

/** Writes the answer to a section or question of the template the review follows (by its key); starts the draft. */
export async function saveTemplateAnswer(db: OpenedStore, incidentId: string, key: string, answer: string, write: ReviewWrite): Promise<TemplatePromptView> {
  if (answer.length > 100_000) throw new UsageError('the answer is longer than 100000 characters');
  return auditedWrite(db, { actor: write.actor, operation: 'template.answer' }, async (tx) => {
    const row = await store.getAppliedTemplate(tx.db, incidentId);
    if (!row) throw new UsageError('the review follows no template yet: choose one first (`hindsight review template INCIDENT --set ID`)');
    const t = snapshotOf(row);
    const prompt = [...t.sections, ...t.questions].find((p) => p.key === key);
    if (!prompt) throw new NotFoundError(`template ${t.id} has no section or question "${key}" (keys: ${[...t.sections, ...t.questions].map((p) => p.key).join(', ')})`);
    const id = templatePromptId(t.id, key);
    const stamp = stampOf(write);
    const before = (await getAnswer(tx.db, incidentId, id)) ?? null;
    await beginEdit(tx, incidentId, stamp);
    const saved = await saveAnswer(tx.db, incidentId, id, answer, stamp);
    const view: TemplatePromptView = { id, key, title: prompt.title, guidance: prompt.guidance, answer: saved.answer, version: saved.version, answeredBy: saved.updatedBy, answeredAt: saved.updatedAt };
    return { result: view, entityId: `${incidentId}/${id}`, before, after: saved };
  });
}

function snapshotOf(row: store.AppliedTemplateRow): ReviewTemplate {
  return ReviewTemplateSchema.parse(JSON.parse(row.snapshot));
}
