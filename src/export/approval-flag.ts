/**
 * The flag at the top of a report whose review was approved below full completeness: what was
 * signed off, by whom, and the reason they gave. Every text from people is escaped.
 */
import type { ReviewReport } from '../review/report.js';
import { escapeHtml as h, escapeMarkdown as md } from './escape.js';

function headline(r: ReviewReport): string | undefined {
  const a = r.approvedIncomplete;
  if (!a) return undefined;
  const score = a.completenessScore === null ? '' : ` (${a.completenessScore}% complete)`;
  return `Approved while incomplete${score}${a.approvedBy ? ` by ${a.approvedBy}` : ''}${a.approvedAt ? ` at ${a.approvedAt}` : ''}`;
}

export function approvalFlagMarkdown(r: ReviewReport): string[] {
  const title = headline(r);
  if (!title || !r.approvedIncomplete) return [];
  return [`> **WARNING: ${md(title)}.** Reason given: ${md(r.approvedIncomplete.reason)}`, ''];
}

export function approvalFlagHtml(r: ReviewReport): string {
  const title = headline(r);
  if (!title || !r.approvedIncomplete) return '';
  return `<p class="approval-flag" role="note" style="border:2px solid #b45309;background:#fef3c7;color:#78350f;padding:.5rem .75rem;font-weight:600">Warning: ${h(title)}. <span style="font-weight:400">Reason given: ${h(r.approvedIncomplete.reason)}</span></p>`;
}
