/** The filters of `GET /api/audit`, validated: real calendar dates, known actions only. */
import { z } from 'zod';
import { AUDITED_OPERATIONS } from '../../app/audit.js';

const KNOWN_ACTIONS: ReadonlySet<string> = new Set(Object.keys(AUDITED_OPERATIONS));
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Whether year-month-day names a day of the calendar (no 30 February). */
function realDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

/**
 * A day (YYYY-MM-DD, UTC) or an instant with its zone (ISO 8601), as the ISO instant it starts at;
 * `endOfDay` turns a bare day into the instant after it, so `until=2026-12-07` includes that day.
 */
export function auditInstant(endOfDay: boolean) {
  return z
    .string()
    .max(40)
    .transform((text, ctx) => {
      const day = DATE.exec(text);
      const time = DATE_TIME.exec(text);
      const parts = day ?? time;
      const ms = day ? Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]) + (endOfDay ? 1 : 0)) : Date.parse(text);
      if (!parts || !realDate(parts[1] as string, parts[2] as string, parts[3] as string) || Number.isNaN(ms)) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a calendar date (YYYY-MM-DD) or an ISO 8601 time with a zone` });
        return z.NEVER;
      }
      return new Date(ms).toISOString();
    });
}

/** Comma-separated (or repeated) action names, each one the trail knows. */
export const AuditActions = z
  .union([z.string().max(2000), z.array(z.string().max(100)).max(50)])
  .transform((value, ctx) => {
    const list = [value].flat().flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    const unknown = list.filter((a) => !KNOWN_ACTIONS.has(a));
    if (unknown.length) {
      ctx.addIssue({ code: 'custom', message: `unknown action ${unknown.map((a) => `"${a}"`).join(', ')}; the actions are ${[...KNOWN_ACTIONS].join(', ')}` });
      return z.NEVER;
    }
    return list;
  });

export const AuditListQuery = z.object({
  actor: z.string().min(1).max(100).optional().describe('who did it (a user name, `cli:NAME`, `anonymous` for failed sign-ins)'),
  action: AuditActions.optional().describe('one or more actions, comma-separated, e.g. user.disable,token.create'),
  incident: z.string().min(1).max(200).optional().describe('entries about this incident (its id or the source id)'),
  since: auditInstant(false).optional().describe('entries at or after this day or instant'),
  until: auditInstant(true).optional().describe('entries before this instant, or up to the end of this day'),
  entityType: z.string().max(50).optional(),
  entityId: z.string().max(200).optional(),
  before: z.coerce.number().int().min(1).optional().describe('paging: entries older than this seq (the previous answer\'s nextBefore)'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
