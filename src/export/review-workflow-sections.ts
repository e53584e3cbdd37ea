import type { ReviewReport } from '../review/report.js';
import { FINDING_CATEGORY_TITLES } from '../model/review.js';
import { escapeHtml as h, escapeMarkdown as md } from './escape.js';
import { templateHtmlSections, templateMarkdownSections } from './review-template-sections.js';

/**
 * The review workflow's sections (state and sign-off, technical summary, response, takeaways,
 * findings, action items, lessons-learned Q&A, completeness) for the Markdown and HTML reports.
 * Every text from incidents and users is escaped.
 */

function signOffLines(r: ReviewReport): [string, string][] {
  const s = r.state;
  if (!s) return [];
  const rows: [string, string][] = [['State', s.state]];
  if (s.requiredBy) rows.push(['Required by', s.requiredBy]);
  if (s.waiverReason) rows.push(['Waived because', s.waiverReason]);
  if (s.submittedBy) rows.push(['Submitted', `${s.submittedBy} at ${s.submittedAt ?? ''}`]);
  if (s.approvedBy) rows.push(['Approved', `${s.approvedBy} at ${s.approvedAt ?? ''}`]);
  if (s.sufficiency) rows.push(['Sufficiency', `${s.sufficiency}${s.sufficiencyNotes ? `: ${s.sufficiencyNotes}` : ''}`]);
  if (s.completenessOverride) rows.push(['Approved below full completeness because', s.completenessOverride]);
  if (s.closedAt) rows.push(['Closed in Hindsight', `${s.closedBy ?? ''} at ${s.closedAt}${s.closeReason ? ` (${s.closeReason})` : ''}`]);
  if (r.completeness) rows.push(['Completeness', `${r.completeness.score}%`]);
  return rows;
}

export function workflowMarkdownSections(r: ReviewReport): string[] {
  if (!r.state) return [];
  const out: string[] = [];
  const block = (lines: string[]) => out.push(lines.join('\n'));

  block(['## Review state and sign-off', '', '| | |', '|---|---|', ...signOffLines(r).map(([k, v]) => `| ${md(k)} | ${md(v)} |`), '']);

  for (const s of r.sections ?? []) {
    if (s.key === 'summary' || (s.key === 'noFindings' && !s.body.trim())) continue;
    const lines = [`## ${md(s.title)}`, ''];
    if (s.source === 'generated') lines.push('_Generated from the evidence; not yet confirmed by a reviewer._', '');
    lines.push(s.body.trim() ? md(s.body, { multiline: true }) : '_Not written yet._', '');
    block(lines);
  }
  const summary = r.sections?.find((s) => s.key === 'summary');
  if (summary && summary.source === 'person') block(['## Reviewed summary', '', md(summary.body, { multiline: true }), '']);

  const findings = r.findings ?? [];
  const fl = ['## Findings', ''];
  if (findings.length === 0) fl.push('No findings recorded.', '');
  for (const f of findings) {
    fl.push(`### ${md(f.title)} (${md(f.id)})`, '');
    fl.push(`- Category: ${md(FINDING_CATEGORY_TITLES[f.category])}`);
    fl.push(`- Severity: ${md(f.severity)}`);
    if (f.description) fl.push(`- Description: ${md(f.description)}`);
    if (f.contributingFactors.length) fl.push(`- Contributing factors: ${f.contributingFactors.map((x) => md(x)).join('; ')}`);
    if (f.techniques.length) fl.push(`- Techniques: ${f.techniques.map((x) => md(x)).join(', ')}`);
    if (f.timelineEventIds.length) fl.push(`- Timeline events: ${f.timelineEventIds.map((x) => md(x)).join(', ')}`);
    if (f.evidence.length) fl.push(`- Evidence: ${f.evidence.map((x) => md(x)).join('; ')}`);
    if (f.acceptedRisk) fl.push(`- Accepted risk: ${md(f.acceptedRisk)}`);
    fl.push('');
  }
  block(fl);

  const actions = r.actions ?? [];
  const al = ['## Action items', ''];
  if (actions.length === 0) al.push('No action items.', '');
  else {
    al.push('| Id | Type | Title | Owner | Team | Due | Priority | Status | Finding | Tracker |', '|---|---|---|---|---|---|---|---|---|---|');
    for (const a of actions) {
      const status = `${a.status}${a.overdue ? ' **OVERDUE**' : ''}${a.wontDoReason ? ` (${md(a.wontDoReason)})` : ''}${a.verifiedBy ? ` by ${md(a.verifiedBy)}: ${md(a.verificationMethod ?? '')}` : ''}`;
      al.push(`| ${md(a.id)} | ${md(a.type)} | ${md(a.title)} | ${md(a.owner ?? '')} | ${md(a.team ?? '')} | ${md(a.dueDate ?? '')} | ${md(a.priority)} | ${status} | ${md(a.findingId ?? '')} | ${md(a.externalKey ?? '')} |`);
    }
    al.push('');
  }
  block(al);

  const ql = ['## Lessons learned', ''];
  for (const q of r.questions ?? []) {
    ql.push(`**${q.number}. ${md(q.text)}**`, '', q.answer?.trim() ? md(q.answer, { multiline: true }) : '_Not answered yet._', '');
  }
  block(ql);
  out.push(...templateMarkdownSections(r));

  const c = r.completeness;
  if (c) {
    const cl = ['## Completeness', '', `${c.score}% complete.`, '', '| Part | Weight | Done | Missing |', '|---|---|---|---|'];
    for (const p of c.parts) cl.push(`| ${md(p.label)} | ${p.weight} | ${p.done}/${p.total} | ${md(p.missing.join('; '))} |`);
    cl.push('');
    block(cl);
  }
  return out;
}

export function workflowHtmlSections(r: ReviewReport): string[] {
  if (!r.state) return [];
  const out: string[] = [];
  const text = (s: string) => `<p style="white-space:pre-wrap">${h(s)}</p>`;
  out.push(`<section><h2>Review state and sign-off</h2><table class="signoff"><tbody>${signOffLines(r).map(([k, v]) => `<tr><th>${h(k)}</th><td>${h(v)}</td></tr>`).join('')}</tbody></table></section>`);
  for (const s of r.sections ?? []) {
    if (s.key === 'summary' || (s.key === 'noFindings' && !s.body.trim())) continue;
    out.push(`<section><h2>${h(s.title)}</h2>${s.source === 'generated' ? '<p class="muted"><em>Generated from the evidence; not yet confirmed by a reviewer.</em></p>' : ''}${s.body.trim() ? text(s.body) : '<p class="muted">Not written yet.</p>'}</section>`);
  }
  const summary = r.sections?.find((s) => s.key === 'summary');
  if (summary && summary.source === 'person') out.push(`<section><h2>Reviewed summary</h2>${text(summary.body)}</section>`);

  const findings = r.findings ?? [];
  out.push(
    `<section><h2>Findings</h2>${findings.length === 0 ? '<p class="muted">No findings recorded.</p>' : ''}${findings
      .map((f) => {
        const rows: [string, string][] = [
          ['Category', FINDING_CATEGORY_TITLES[f.category]],
          ['Severity', f.severity],
          ...(f.description ? [['Description', f.description] as [string, string]] : []),
          ...(f.contributingFactors.length ? [['Contributing factors', f.contributingFactors.join('; ')] as [string, string]] : []),
          ...(f.techniques.length ? [['Techniques', f.techniques.join(', ')] as [string, string]] : []),
          ...(f.timelineEventIds.length ? [['Timeline events', f.timelineEventIds.join(', ')] as [string, string]] : []),
          ...(f.evidence.length ? [['Evidence', f.evidence.join('; ')] as [string, string]] : []),
          ...(f.acceptedRisk ? [['Accepted risk', f.acceptedRisk] as [string, string]] : []),
        ];
        return `<h3>${h(f.title)} <span class="muted">${h(f.id)}</span></h3><table><tbody>${rows.map(([k, v]) => `<tr><th style="width:11rem">${h(k)}</th><td>${h(v)}</td></tr>`).join('')}</tbody></table>`;
      })
      .join('\n')}</section>`,
  );

  const actions = r.actions ?? [];
  out.push(
    `<section><h2>Action items</h2>${
      actions.length === 0
        ? '<p class="muted">No action items.</p>'
        : `<table class="actions"><thead><tr><th>Id</th><th>Type</th><th>Title</th><th>Owner / team</th><th>Due</th><th>Priority</th><th>Status</th><th>Tracker</th></tr></thead><tbody>${actions
            .map(
              (a) =>
                `<tr><td><code>${h(a.id)}</code></td><td>${h(a.type)}</td><td>${h(a.title)}${a.closureCriteria ? `<br><span class="muted">Done when: ${h(a.closureCriteria)}</span>` : ''}</td><td>${h(a.owner ?? '')}${a.team ? `<br><span class="muted">${h(a.team)}</span>` : ''}</td><td>${h(a.dueDate ?? '')}</td><td>${h(a.priority)}</td><td>${h(a.status)}${a.overdue ? ' <strong class="sev sev-high">overdue</strong>' : ''}${a.wontDoReason ? `<br><span class="muted">${h(a.wontDoReason)}</span>` : ''}${a.verifiedBy ? `<br><span class="muted">verified by ${h(a.verifiedBy)}: ${h(a.verificationMethod ?? '')}</span>` : ''}</td><td>${a.externalUrl ? h(a.externalKey ?? a.externalUrl) : ''}</td></tr>`,
            )
            .join('\n')}</tbody></table>`
    }</section>`,
  );

  out.push(
    `<section><h2>Lessons learned</h2>${(r.questions ?? [])
      .map((q) => `<h3>${q.number}. ${h(q.text)}</h3>${q.answer?.trim() ? text(q.answer) : '<p class="muted">Not answered yet.</p>'}`)
      .join('\n')}</section>`,
  );
  out.push(...templateHtmlSections(r));

  const c = r.completeness;
  if (c) {
    out.push(
      `<section><h2>Completeness: ${c.score}%</h2><table><thead><tr><th>Part</th><th>Weight</th><th>Done</th><th>Missing</th></tr></thead><tbody>${c.parts
        .map((p) => `<tr><td>${h(p.label)}</td><td>${p.weight}</td><td>${p.done}/${p.total}</td><td>${h(p.missing.join('; '))}</td></tr>`)
        .join('')}</tbody></table></section>`,
    );
  }
  return out;
}
