import { Option, type Command } from 'commander';
import { UsageError } from '../../../model/errors.js';
import type { MyWork, ReviewTask, TaskPatch, TaskStatus } from '../../../model/tasks.js';
import { loginName } from '../../actor.js';
import type { CliContext } from '../../context.js';
import { printResult, requireIncident } from '../../services.js';
import { clean, readText, withReview, withReviewStore, writeCommand, writeOptions, type WriteOpts } from './shared.js';

type TaskOpts = WriteOpts & { title?: string; description?: string; assignee?: string; unassign?: boolean; role?: string; due?: string; status?: string };

/** The review template and task use cases, loaded when a command runs. */
const tasksApp = () => import('../../../app/review/tasks.js');
const templatesApp = () => import('../../../app/review/templates.js');

/**
 * `hindsight tasks list|add|update|remove`: the tasks of a review (who does what by when);
 * `hindsight review template INCIDENT [--set ID]`: the template a review follows;
 * `hindsight review templates`: the templates in effect; `hindsight my-work`: what waits on a person.
 */
export function registerTaskCommands(program: Command, review: Command, ctx: CliContext): void {
  const tasks = program.command('tasks').description("Review tasks: who does what by when (a template's tasks, or added by hand)");
  tasks
    .command('list')
    .description("Tasks by due date: one incident's, or across incidents")
    .argument('[incident]', 'only this incident (default: every incident)')
    .addOption(new Option('--status <status...>', 'only these statuses').choices(['open', 'in-progress', 'done', 'cancelled']))
    .option('--assignee <who>', 'only tasks assigned to this user name or e-mail address')
    .option('--overdue', 'only overdue tasks (due date passed, not done or cancelled)')
    .action(async (ref: string | undefined, o: { status?: TaskStatus[]; assignee?: string; overdue?: boolean }) => {
      await withReviewStore(ctx, async (store) => {
        const incidentId = ref ? (await requireIncident(store, ref)).id : undefined;
        const all = await (await tasksApp()).findTasks(store, { incidentId, status: o.status, assignee: o.assignee });
        const list = o.overdue ? all.filter((t) => t.overdue) : all;
        const where = incidentId ? ` on ${incidentId}` : '';
        printResult(ctx, { ...(incidentId ? { incident: incidentId } : {}), tasks: list, overdue: list.filter((t) => t.overdue).length }, () =>
          [`${list.length} task(s)${where}, ${list.filter((t) => t.overdue).length} overdue`, ...list.map((t) => (incidentId ? taskLine(t) : `${taskLine(t)}  [${t.incidentId}]`))].join('\n'),
        );
      });
    });
  taskOptions(writeCommand(tasks.command('add'), 'Add a task to an incident').argument('<incident>')).action(async (ref: string, o: TaskOpts) => {
    if (!o.title) throw new UsageError('a task needs --title');
    const title = o.title;
    await withReview(ctx, ref, async ({ store, incident }) => {
      const t = await (await tasksApp()).addTask(store, incident.id, { ...clean({ description: o.description, role: o.role, dueDate: o.due, assignee: o.assignee }), title }, writeOptions(ctx, o));
      printResult(ctx, t, () => `Added task ${t.id} to ${incident.id}${t.assignee ? ` for ${t.assignee}` : ''}${t.dueDate ? `, due ${t.dueDate}` : ''}`);
    });
  });
  taskOptions(writeCommand(tasks.command('update'), "Change a task's fields or status").argument('<task>'))
    .addOption(new Option('--status <status>', 'move to this status').choices(['open', 'in-progress', 'done', 'cancelled']))
    .option('--unassign', 'take the task off its assignee')
    .action(async (id: string, o: TaskOpts) => {
      if (o.unassign && o.assignee) throw new UsageError('give --assignee or --unassign, not both');
      const patch: TaskPatch = clean({ title: o.title, description: o.description, role: o.role, dueDate: o.due, assignee: o.unassign ? null : o.assignee, status: o.status as TaskStatus | undefined });
      await withReviewStore(ctx, async (store) => {
        const t = await (await tasksApp()).updateTask(store, id, patch, writeOptions(ctx, o));
        printResult(ctx, t, () => `Task ${t.id} is ${t.status}${t.assignee ? `, assigned to ${t.assignee}` : ''} (version ${t.version})`);
      });
    });
  writeCommand(tasks.command('remove'), 'Delete a task')
    .argument('<task>')
    .action(async (id: string, o: WriteOpts) => {
      await withReviewStore(ctx, async (store) => {
        const t = await (await tasksApp()).removeTask(store, id, writeOptions(ctx, o));
        printResult(ctx, { deleted: t.id }, () => `Deleted task ${t.id} (${t.title})`);
      });
    });

  writeCommand(review.command('template'), 'Show the template the review follows and the one its rule picks; --set applies one')
    .argument('<incident>')
    .option('--set <id>', "apply this template (`rule`: the one the incident's rule picks)")
    .option('--answer <key>', "write the answer to a section or question of the review's template")
    .option('--text <text>', 'the answer (with --answer)')
    .option('--file <path>', 'read the answer from a file (with --answer)')
    .option('--templates <dir>', 'template folder (default: HINDSIGHT_TEMPLATES, then the shipped config/review-templates)')
    .action(async (ref: string, o: WriteOpts & { set?: string; answer?: string; text?: string; file?: string; templates?: string }) => {
      const t = await templatesApp();
      const loaded = t.loadTemplates({ dir: o.templates, env: ctx.env });
      if (o.set && o.answer) throw new UsageError('give --set or --answer, not both');
      if ((o.text !== undefined || o.file) && !o.answer) throw new UsageError('--text and --file go with --answer KEY');
      // Checked before the store is opened: an unknown id is bad input whatever the incident.
      const chosen = o.set && o.set !== 'rule' ? t.templateById(loaded.templates, o.set) : undefined;
      await withReview(ctx, ref, async ({ store, incident }) => {
        if (o.answer) {
          if (o.text === undefined && !o.file) throw new UsageError('--answer needs --text or --file');
          if (o.text !== undefined && o.file) throw new UsageError('give --text or --file, not both');
          const text = o.file ? await readText(o.file) : (o.text as string);
          const saved = await t.saveTemplateAnswer(store, incident.id, o.answer, text, writeOptions(ctx, o));
          printResult(ctx, saved, () => `Saved ${saved.id} (version ${saved.version})`);
          return;
        }
        if (o.set) {
          const choice = chosen ? { template: chosen, reasons: [], chosenBy: 'hand' as const } : { ...t.suggestTemplate(loaded.templates, incident), chosenBy: 'rule' as const };
          const applied = await t.applyTemplate(store, incident.id, choice, writeOptions(ctx, o));
          for (const warning of applied.warnings) ctx.warn(`warning: ${warning}`);
          printResult(ctx, applied, () =>
            [
              `${incident.id} follows template ${applied.template.templateId} (version ${applied.template.templateVersion}, chosen by ${applied.template.chosenBy})`,
              applied.created.length ? `  created ${applied.created.length} task(s):` : '  no new tasks (the template was applied already)',
              ...applied.created.map(taskLine),
              ...(applied.removed.length ? [`  removed ${applied.removed.length} untouched task(s) of the previous template: ${applied.removed.join(', ')}`] : []),
            ].join('\n'),
          );
          return;
        }
        const suggested = t.suggestTemplate(loaded.templates, incident);
        const applied = await t.appliedTemplateView(store, incident.id);
        const result = { incident: incident.id, applied, suggested: { templateId: suggested.template.id, name: suggested.template.name, version: suggested.template.version, reasons: suggested.reasons }, templatesDir: loaded.dir };
        printResult(ctx, result, () =>
          [
            `${incident.id}  ${incident.title}`,
            applied ? `  follows: ${applied.templateId} (${applied.name}, version ${applied.templateVersion}, chosen by ${applied.chosenBy === 'rule' ? 'rule' : applied.appliedBy} at ${applied.appliedAt})` : '  follows: no template yet',
            `  the rule picks: ${suggested.template.id} (${suggested.reasons.length ? suggested.reasons.join('; ') : 'the default: no other template matches'})`,
            ...(applied ? [...applied.sections, ...applied.questions].map((p) => `  ${p.answer?.trim() ? '[x]' : '[ ]'} ${p.key}: ${p.title}`) : []),
          ].join('\n'),
        );
      });
    });
  review
    .command('templates')
    .description('The review templates in effect: what selects each, and the sections, questions and tasks it adds')
    .option('--templates <dir>', 'template folder (default: HINDSIGHT_TEMPLATES, then the shipped config/review-templates)')
    .action(async (o: { templates?: string }) => {
      const loaded = (await templatesApp()).loadTemplates({ dir: o.templates, env: ctx.env });
      printResult(ctx, loaded, () =>
        [
          `# Review templates from ${loaded.dir} (${loaded.origin === 'option' ? 'from --templates' : loaded.origin === 'env' ? 'from HINDSIGHT_TEMPLATES' : 'the defaults shipped with Hindsight'})`,
          ...loaded.templates.map((x) => `${x.id.padEnd(28)} v${x.version}  ${x.default ? 'default' : `priority ${x.priority}`}  ${x.sections.length} section(s), ${x.questions.length} question(s), ${x.tasks.length} task(s)  ${x.name}`),
        ].join('\n'),
      );
    });

  program
    .command('my-work')
    .description('Everything assigned to a person across incidents: action items, tasks, reviews waiting on them')
    .option('--user <name>', 'whose work (default: HINDSIGHT_USER, then your login name)')
    .action(async (o: { user?: string }) => {
      const username = o.user?.trim() || loginName(ctx);
      await withReviewStore(ctx, async (store) => {
        const work = await (await import('../../../app/my-work.js')).myWorkOf(store, username);
        printResult(ctx, work, () => myWorkText(work));
      });
    });
}

function taskOptions(c: Command): Command {
  return c
    .option('--title <text>')
    .option('--description <text>')
    .option('--assignee <who>', 'a user name or an e-mail address')
    .option('--role <text>', 'who should take it, in words (e.g. incident commander)')
    .option('--due <date>', 'due date, YYYY-MM-DD');
}

function taskLine(t: ReviewTask): string {
  return `  ${t.id}  ${t.status.padEnd(11)} ${(t.dueDate ?? '').padEnd(10)} ${t.overdue ? 'OVERDUE ' : ''}${(t.assignee ?? (t.role ? `(${t.role})` : '-')).padEnd(24)} ${t.title}`;
}

function myWorkText(w: MyWork): string {
  const lines = [`Work for ${w.user}${w.email ? ` <${w.email}>` : ''}: ${w.actionItems.length} action item(s), ${w.tasks.length} task(s), ${w.reviews.length} review(s); ${w.overdue} overdue`];
  if (w.reviews.length) lines.push('Reviews:', ...w.reviews.map((r) => `  ${r.incidentId}  ${r.state.padEnd(10)} ${r.incidentTitle}: ${r.reason}`));
  if (w.tasks.length) lines.push('Tasks:', ...w.tasks.map((t) => `  ${t.id}  ${t.status.padEnd(11)} ${(t.dueDate ?? '').padEnd(10)} ${t.overdue ? 'OVERDUE ' : ''}${t.title}  [${t.incidentTitle}]`));
  if (w.actionItems.length) lines.push('Action items:', ...w.actionItems.map((a) => `  ${a.id}  ${a.status.padEnd(11)} ${(a.dueDate ?? '').padEnd(10)} ${a.overdue ? 'OVERDUE ' : ''}${a.title}  [${a.incidentTitle}]`));
  return lines.join('\n');
}

