/**
 * The filters of the audit trail as people type them (the API's query and `hindsight audit list`):
 * a day or an instant that really is on the calendar, and action names the trail knows.
 */
import { AUDITED_OPERATIONS } from './audit.js';

export const AUDIT_ACTIONS: readonly string[] = Object.keys(AUDITED_OPERATIONS);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** Whether year-month-day names a day of the calendar (no 30 February). */
function realDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

/**
 * A day (YYYY-MM-DD, UTC) or an instant with its zone (ISO 8601) as the ISO instant it starts at;
 * `endOfDay` turns a bare day into the instant after it, so an `until` day is included. Undefined
 * when the text is neither.
 */
export function auditInstantOf(text: string, endOfDay: boolean): string | undefined {
  const day = DATE.exec(text);
  const parts = day ?? DATE_TIME.exec(text);
  if (!parts || !realDate(parts[1] as string, parts[2] as string, parts[3] as string)) return undefined;
  const ms = day ? Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]) + (endOfDay ? 1 : 0)) : Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The message for a day or instant that is not one. */
export function badAuditInstant(option: string, text: string): string {
  return `${option} "${text}" is not a calendar date (YYYY-MM-DD) or an ISO 8601 time with a zone (2026-12-07T09:30:00Z)`;
}

/** Comma-separated action names, split; the unknown ones are returned apart. */
export function auditActionsOf(values: readonly string[]): { actions: string[]; unknown: string[] } {
  const actions = values.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  return { actions, unknown: actions.filter((a) => !AUDIT_ACTIONS.includes(a)) };
}

/** The message for unknown action names. */
export function unknownAuditActions(unknown: readonly string[]): string {
  return `unknown action ${unknown.map((a) => `"${a}"`).join(', ')}; the actions are ${AUDIT_ACTIONS.join(', ')}`;
}
