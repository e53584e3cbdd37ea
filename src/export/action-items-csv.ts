import type { ListedActionItem } from '../model/review.js';

/**
 * Action items across incidents as CSV (RFC 4180: comma-separated, CRLF line ends, quotes doubled),
 * safe to open in a spreadsheet: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
 * return is prefixed with `'` so it is read as text, never as a formula (CSV injection).
 */

export const ACTION_CSV_COLUMNS = [
  ['id', (a) => a.id],
  ['incident_id', (a) => a.incidentId],
  ['incident_title', (a) => a.incidentTitle],
  ['title', (a) => a.title],
  ['type', (a) => a.type],
  ['status', (a) => a.status],
  ['priority', (a) => a.priority],
  ['owner', (a) => a.owner],
  ['team', (a) => a.team],
  ['due_date', (a) => a.dueDate],
  ['overdue', (a) => (a.overdue ? 'yes' : 'no')],
  ['finding_id', (a) => a.findingId],
  ['external_url', (a) => a.externalUrl],
  ['created_at', (a) => a.createdAt],
  ['updated_at', (a) => a.updatedAt],
  ['updated_by', (a) => a.updatedBy],
] as const satisfies readonly (readonly [string, (a: ListedActionItem) => string | null])[];

/** One cell, neutralised against formulas and quoted when it must be. */
export function csvCell(value: string | null): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderActionItemsCsv(items: readonly ListedActionItem[]): string {
  const lines = [ACTION_CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const item of items) lines.push(ACTION_CSV_COLUMNS.map(([, get]) => csvCell(get(item))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
