import type { ReviewReport } from '../review/report.js';
import { escapeHtml as h, escapeMarkdown as md } from './escape.js';

/**
 * The parts of the review its template adds (its sections and questions, answered) and the
 * review's tasks, for the Markdown and HTML reports. Every text from templates and users is escaped.
 */

function templateHeading(r: ReviewReport): string | null {
  const t = r.template;
  if (!t) return null;
  return `${t.name} (template ${t.templateId}, version ${t.templateVersion}, chosen ${t.chosenBy === 'rule' ? `by rule: ${t.reasons.join('; ')}` : `by ${t.appliedBy}`})`;
}

function taskStatus(t: NonNullable<ReviewReport['tasks']>[number]): string {
  return `${t.status}${t.overdue ? ' (overdue)' : ''}`;
}

export function templateMarkdownSections(r: ReviewReport): string[] {
  const out: string[] = [];
  const t = r.template;
  const heading = templateHeading(r);
  if (t && heading) {
    const lines = [`## Template: ${md(heading)}`, ''];
    for (const s of t.sections) lines.push(`### ${md(s.title)}`, '', s.answer?.trim() ? md(s.answer, { multiline: true }) : `_Not written yet._${s.guidance ? ` ${md(s.guidance)}` : ''}`, '');
    if (t.questions.length) lines.push('### Questions of this template', '');
    for (const q of t.questions) lines.push(`**${md(q.title)}**`, '', q.answer?.trim() ? md(q.answer, { multiline: true }) : '_Not answered yet._', '');
    out.push(lines.join('\n'));
  }
  if (r.tasks) {
    const lines = ['## Tasks', ''];
    if (r.tasks.length === 0) lines.push('No tasks.', '');
    else {
      lines.push('| Id | Title | Assignee | Due | Status | From template |', '|---|---|---|---|---|---|');
      for (const x of r.tasks) {
        const who = x.assignee ?? (x.role ? `unassigned (${x.role})` : 'unassigned');
        lines.push(`| ${md(x.id)} | ${md(x.title)} | ${md(who)} | ${md(x.dueDate ?? '')} | ${x.overdue ? `**${md(taskStatus(x))}**` : md(taskStatus(x))} | ${md(x.templateId ? `${x.templateId}/${x.templateKey ?? ''}` : '')} |`);
      }
      lines.push('');
    }
    out.push(lines.join('\n'));
  }
  return out;
}

export function templateHtmlSections(r: ReviewReport): string[] {
  const out: string[] = [];
  const text = (s: string) => `<p style="white-space:pre-wrap">${h(s)}</p>`;
  const t = r.template;
  const heading = templateHeading(r);
  if (t && heading) {
    const sections = t.sections.map((s) => `<h3>${h(s.title)}</h3>${s.answer?.trim() ? text(s.answer) : `<p class="muted">Not written yet.${s.guidance ? ` ${h(s.guidance)}` : ''}</p>`}`).join('\n');
    const questions = t.questions.map((q) => `<h4>${h(q.title)}</h4>${q.answer?.trim() ? text(q.answer) : '<p class="muted">Not answered yet.</p>'}`).join('\n');
    out.push(`<section><h2>Template: ${h(heading)}</h2>${sections}${t.questions.length ? `<h3>Questions of this template</h3>${questions}` : ''}</section>`);
  }
  if (r.tasks) {
    const rows = r.tasks
      .map((x) => `<tr><td><code>${h(x.id)}</code></td><td>${h(x.title)}</td><td>${h(x.assignee ?? 'unassigned')}${x.role ? `<br><span class="muted">${h(x.role)}</span>` : ''}</td><td>${h(x.dueDate ?? '')}</td><td>${h(x.status)}${x.overdue ? ' <strong class="sev sev-high">overdue</strong>' : ''}</td><td>${h(x.templateId ?? '')}</td></tr>`)
      .join('\n');
    out.push(`<section><h2>Tasks</h2>${r.tasks.length === 0 ? '<p class="muted">No tasks.</p>' : `<table class="tasks"><thead><tr><th>Id</th><th>Title</th><th>Assignee</th><th>Due</th><th>Status</th><th>Template</th></tr></thead><tbody>${rows}</tbody></table>`}</section>`);
  }
  return out;
}
