import { Option, type Command } from 'commander';
import { UsageError } from '../../../model/errors.js';
import { ACTION_SORT_KEYS, ACTION_STATUSES, type ActionItem, type ActionItemPatch, type ActionSortKey, type ActionStatus } from '../../../model/review.js';
import { renderActionItemsCsv } from '../../../export/action-items-csv.js';
import { parseEnumList } from '../../options.js';
import type { CliContext } from '../../context.js';
import { printResult, requireIncident } from '../../services.js';
import { clean, withReview, withReviewStore, writeCommand, writeOptions, type WriteOpts } from './shared.js';

type ActionOpts = WriteOpts & { type?: string; title?: string; description?: string; finding?: string; owner?: string; team?: string; due?: string; priority?: string; criteria?: string };
type UpdateOpts = ActionOpts & { status?: string; reason?: string; verifiedHow?: string; verificationEvidence?: string };

/**
 * `hindsight actions add|list|update`: fixes and change requests with owners, followed up until
 * resolved. The tracker commands (`actions export|sync`) join the same `actions` command.
 */
export function registerActionCommands(program: Command, ctx: CliContext): void {
  const actions = program.command('actions').description('Action items: fixes and change requests with owners, followed up until resolved');
  actionOptions(writeCommand(actions.command('add'), 'Add an action item to an incident').argument('<incident>')).action(async (ref: string, o: ActionOpts) => {
    if (!o.type || !o.title) throw new UsageError('an action item needs --type and --title');
    const type = o.type as ActionItem['type'];
    const title = o.title;
    await withReview(ctx, ref, async ({ store, app, incident }) => {
      const a = await app.addActionItem(store, incident.id, { ...actionPatch(o), type, title }, writeOptions(ctx, o));
      printResult(ctx, a, () => `Added action item ${a.id} to ${incident.id}`);
    });
  });
  actions
    .command('list')
    .description('Action items across all incidents')
    .option('--incident <incident>', 'only this incident')
    .option('--status <status...>', 'only these statuses')
    .option('--owner <name>', 'exactly this owner')
    .option('--overdue', 'only overdue items (due date passed, not done, verified or wont-do)')
    .option('--due-soon <days>', 'only open items due from today to this many days ahead')
    .option('--search <text>', 'fuzzy search on owner and title (every word must match one of them)')
    .addOption(new Option('--sort <key>', 'order by').choices([...ACTION_SORT_KEYS]))
    .option('--desc', 'reverse the order of --sort')
    .addOption(new Option('--format <format>', 'text | csv (spreadsheet-safe CSV on stdout); --json prints JSON').choices(['text', 'csv']).default('text'))
    .action(async (o: { incident?: string; status?: string[]; owner?: string; overdue?: boolean; dueSoon?: string; search?: string; sort?: ActionSortKey; desc?: boolean; format: 'text' | 'csv' }) => {
      const dueWithinDays = o.dueSoon === undefined ? undefined : Number(o.dueSoon);
      if (dueWithinDays !== undefined && (!Number.isInteger(dueWithinDays) || dueWithinDays < 0 || dueWithinDays > 365)) throw new UsageError(`--due-soon: "${o.dueSoon}" is not a number of days from 0 to 365`);
      if (o.format === 'csv' && ctx.globals().json) throw new UsageError('--format csv and --json both choose the output: give one of them');
      const status = parseEnumList(o.status, ACTION_STATUSES, '--status');
      await withReviewStore(ctx, async (store, app) => {
        let incidentId: string | undefined;
        if (o.incident) incidentId = (await requireIncident(store, o.incident)).id;
        const items = await app.listActionItemsAcross(store, { incidentId, status, owner: o.owner, overdue: o.overdue, dueWithinDays, search: o.search, sort: o.sort, descending: o.desc });
        if (o.format === 'csv') {
          ctx.print(renderActionItemsCsv(items).replace(/\r\n$/, ''));
          return;
        }
        printResult(ctx, { actions: items, overdue: items.filter((i) => i.overdue).length }, () =>
          [
            `${items.length} action item(s), ${items.filter((i) => i.overdue).length} overdue`,
            ...items.map((a) => `  ${a.id}  ${a.incidentId}  ${a.status.padEnd(11)} ${(a.dueDate ?? '').padEnd(10)} ${a.overdue ? 'OVERDUE ' : ''}${a.type.padEnd(21)} ${a.owner ?? '-'}  ${a.title}  (${a.incidentTitle})`),
          ].join('\n'),
        );
      });
    });
  actionOptions(writeCommand(actions.command('update'), 'Update an action item: fields, or --status through its lifecycle').argument('<action>'))
    .addOption(new Option('--status <status>', 'move to this status').choices(['open', 'in-progress', 'done', 'verified', 'wont-do']))
    .option('--reason <text>', 'why (required for wont-do)')
    .option('--verified-how <text>', 'how it was verified (required for verified)')
    .option('--verification-evidence <text>', 'the evidence (required for verified)')
    .action(async (id: string, o: UpdateOpts) => {
      await withReviewStore(ctx, async (store, app) => {
        const w = writeOptions(ctx, o);
        // One transaction: the fields and the status move are saved together, or nothing is.
        const change = o.status ? { status: o.status as ActionStatus, reason: o.reason, verificationMethod: o.verifiedHow, verificationEvidence: o.verificationEvidence } : undefined;
        const item = await app.changeActionItem(store, id, actionPatch(o), change, w);
        const done = item;
        printResult(ctx, done, () => `Action item ${done.id} is ${done.status} (version ${done.version})`);
      });
    });
}

function actionOptions(c: Command): Command {
  return c
    .addOption(new Option('--type <type>').choices(['fix', 'change-request', 'process-change', 'procedure-update', 'detection-engineering', 'training']))
    .option('--title <text>')
    .option('--description <text>')
    .option('--finding <id>', 'the finding it addresses')
    .option('--owner <name>')
    .option('--team <name>')
    .option('--due <date>', 'due date, YYYY-MM-DD')
    .addOption(new Option('--priority <priority>').choices(['low', 'medium', 'high', 'critical']))
    .option('--criteria <text>', 'closure criteria');
}

function actionPatch(o: ActionOpts): ActionItemPatch {
  return clean({
    type: o.type as ActionItemPatch['type'],
    title: o.title,
    description: o.description,
    findingId: o.finding,
    owner: o.owner,
    team: o.team,
    dueDate: o.due,
    priority: o.priority as ActionItemPatch['priority'],
    closureCriteria: o.criteria,
  });
}
