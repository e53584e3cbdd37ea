/** The filters of `GET /api/audit`, validated: real calendar dates, known actions only. */
import { z } from 'zod';
import { auditActionsOf, auditInstantOf, badAuditInstant, unknownAuditActions } from '../../app/audit-filters.js';

function auditInstant(option: string, endOfDay: boolean) {
  return z
    .string()
    .max(40)
    .transform((text, ctx) => {
      const instant = auditInstantOf(text, endOfDay);
      if (instant === undefined) {
        ctx.addIssue({ code: 'custom', message: badAuditInstant(option, text) });
        return z.NEVER;
      }
      return instant;
    });
}

/** Comma-separated (or repeated) action names, each one the trail knows. */
const AuditActions = z.union([z.string().max(2000), z.array(z.string().max(100)).max(50)]).transform((value, ctx) => {
  const { actions, unknown } = auditActionsOf([value].flat());
  if (unknown.length) {
    ctx.addIssue({ code: 'custom', message: unknownAuditActions(unknown) });
    return z.NEVER;
  }
  return actions;
});

export const AuditListQuery = z.object({
  actor: z.string().min(1).max(100).optional().describe('who did it (a user name, `cli:NAME`, `anonymous` for failed sign-ins)'),
  action: AuditActions.optional().describe('one or more actions, comma-separated, e.g. user.disable,token.create'),
  incident: z.string().min(1).max(200).optional().describe('entries about this incident (its id or the source id)'),
  since: auditInstant('since', false).optional().describe('entries at or after this day (YYYY-MM-DD, UTC) or instant (ISO 8601 with zone)'),
  until: auditInstant('until', true).optional().describe('entries before this instant, or up to the end of this day'),
  entityType: z.string().max(50).optional(),
  entityId: z.string().max(200).optional(),
  before: z.coerce.number().int().min(1).optional().describe("paging: entries older than this seq (the previous answer's nextBefore)"),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
