import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../../model/errors.js';
import { printResult, withStore } from '../services.js';

interface AuditListOptions {
  actor?: string;
  action?: string[];
  incident?: string;
  since?: string;
  until?: string;
  before?: number;
  limit: number;
}

function positive(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${option} must be a positive whole number, not "${value}"`);
  return n;
}

/**
 * `hindsight audit list`: the trail, newest first, filtered by actor, action, incident and time,
 * every entry in full (the operator on the machine holding the database sees everything; the web
 * app's audit browser shows each reader what they may see). With --json: one document with the
 * entries and `nextBefore` for the next page.
 */
export function registerAuditList(audit: Command, ctx: CliContext): void {
  audit
    .command('list')
    .description('List audit entries, newest first, filtered by actor, action, incident and time')
    .option('--actor <name>', 'who did it (a user name, cli:NAME, anonymous for failed sign-ins)')
    .option('--action <names...>', 'one or more actions, e.g. user.disable token.create (comma-separated works too)')
    .option('--incident <ref>', "entries about this incident (Hindsight's id or the source's own id)")
    .option('--since <when>', 'entries at or after this day (YYYY-MM-DD, UTC) or instant (ISO 8601 with zone)')
    .option('--until <when>', 'entries before this instant, or up to the end of this day')
    .option('--before <seq>', 'paging: entries older than this seq (nextBefore of the previous page)', (v) => positive(v, '--before'))
    .option('--limit <n>', 'at most this many entries (1-1000)', (v) => positive(v, '--limit'), 100)
    .action(async (opts: AuditListOptions) => {
      const { auditActionsOf, auditInstantOf, badAuditInstant, unknownAuditActions } = await import('../../app/audit-filters.js');
      if (opts.limit > 1000) throw new UsageError(`--limit must be at most 1000, not ${opts.limit}`);
      const since = opts.since === undefined ? undefined : auditInstantOf(opts.since, false);
      if (opts.since !== undefined && since === undefined) throw new UsageError(badAuditInstant('--since', opts.since));
      const until = opts.until === undefined ? undefined : auditInstantOf(opts.until, true);
      if (opts.until !== undefined && until === undefined) throw new UsageError(badAuditInstant('--until', opts.until));
      const { actions, unknown } = auditActionsOf(opts.action ?? []);
      if (unknown.length) throw new UsageError(`--action: ${unknownAuditActions(unknown)}`);
      await withStore(ctx, async (store) => {
        const { incidentIdOf } = await import('../../app/incidents.js');
        const { auditPageForOperator } = await import('../../app/accounts/audit-log.js');
        const { NotFoundError } = await import('../../model/errors.js');
        const incident = opts.incident === undefined ? undefined : await incidentIdOf(store, opts.incident);
        if (opts.incident !== undefined && !incident) throw new NotFoundError(`no incident "${opts.incident}" in ${store.location}`);
        const page = await auditPageForOperator(store, { actor: opts.actor, ...(actions.length ? { actions } : {}), incident, since, until, before: opts.before, limit: opts.limit });
        const result = { entries: page.entries, nextBefore: page.nextBefore };
        printResult(ctx, result, () =>
          page.entries.length === 0
            ? 'No audit entries match'
            : [
                ...page.entries.map((e) => `${String(e.seq).padStart(6)}  ${e.at}  ${e.actor.padEnd(18)} ${e.action.padEnd(24)} ${e.entityType}:${e.entityId}`),
                ...(page.nextBefore !== null ? [`(more: --before ${page.nextBefore})`] : []),
              ].join('\n'),
        );
      });
    });
}
