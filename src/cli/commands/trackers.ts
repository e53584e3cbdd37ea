import type { Command } from 'commander';
import type { CliContext, RegisterCommands } from '../context.js';
import { UsageError } from '../../model/errors.js';
import type { ActionItemForExport, PlannedRequest, TrackerClient, TrackerSystem } from '../../trackers/types.js';
import type { ExportResult, SyncResult } from '../../trackers/service.js';
import { printResult, requireIncident } from '../services.js';
import { withReviewStore } from './review/shared.js';

/**
 * `hindsight actions export INCIDENT|--all --to github|jira [--dry-run]` and `hindsight actions sync`.
 * The `actions` command is shared with the review workflow's `actions add|list|update`: whichever
 * module registers first creates it, the other adds its subcommands to it.
 */
export const registerTrackerCommands: RegisterCommands = (program: Command, ctx: CliContext) => {
  const actions = program.commands.find((c) => c.name() === 'actions') ?? program.command('actions').description('Action items of post-incident reviews');

  actions
    .command('export')
    .description('Create a GitHub issue or Jira issue for every action item not exported yet (token from the environment)')
    .argument('[incident]', "Hindsight's incident id or the source's own id")
    .option('--all', 'action items of every incident')
    .requiredOption('--to <system>', 'github | jira')
    .option('--repo <owner/repo>', 'GitHub repository (default: HINDSIGHT_GITHUB_REPO)')
    .option('--project <key>', 'Jira project key (default: HINDSIGHT_JIRA_PROJECT)')
    .option('--dry-run', 'print the HTTP requests that would be sent, and send nothing')
    .action(async (ref: string | undefined, opts: { all?: boolean; to: string; repo?: string; project?: string; dryRun?: boolean }) => {
      if (Boolean(ref) === Boolean(opts.all)) throw new UsageError('give either an incident or --all');
      if (opts.to !== 'github' && opts.to !== 'jira') throw new UsageError(`--to must be github or jira, not "${opts.to}"`);
      const system: TrackerSystem = opts.to;
      const dryRun = Boolean(opts.dryRun);
      const client = await makeClient(ctx, system, { repo: opts.repo, project: opts.project, requireCredentials: !dryRun });
      const { exportActionItems } = await import('../../trackers/service.js');
      const result = await withReviewStore(ctx, async (store, app) => {
        const incidentId = ref ? (await requireIncident(store, ref)).id : undefined;
        const items = await app.actionItemsForExport(store, incidentId);
        return exportActionItems(items, client, app.trackerSink(store), { dryRun, onProgress: (m) => ctx.warn(m) });
      });
      if (result.failed.length) process.exitCode = 1;
      printResult(ctx, result, () => renderExport(result));
    });

  actions
    .command('sync')
    .description('Bring the state of exported action items back from GitHub and Jira')
    .action(async () => {
      const { syncActionItems } = await import('../../trackers/service.js');
      const result = await withReviewStore(ctx, async (store, app) => {
        const items = (await app.actionItemsForExport(store, undefined)).filter((i) => i.externalSystem && i.externalKey);
        const sink = app.trackerSink(store);
        const total: SyncResult = { checked: 0, changed: [], unchanged: 0, failed: [] };
        // One client per GitHub repository (read from each issue's URL) and one for Jira.
        const groups = new Map<string, { system: TrackerSystem; scope?: string; items: ActionItemForExport[] }>();
        for (const item of items) {
          const system = item.externalSystem as TrackerSystem;
          const scope = system === 'github' ? githubRepoFromUrl(item.externalUrl) : undefined;
          const key = `${system} ${scope ?? ''}`;
          const group = groups.get(key) ?? { system, scope, items: [] };
          group.items.push(item);
          groups.set(key, group);
        }
        for (const group of groups.values()) {
          const client = await makeClient(ctx, group.system, { repo: group.scope, requireCredentials: true });
          const r = await syncActionItems(group.items, { [group.system]: client }, sink, { onProgress: (m) => ctx.warn(m) });
          total.checked += r.checked;
          total.unchanged += r.unchanged;
          total.changed.push(...r.changed);
          total.failed.push(...r.failed);
        }
        return total;
      });
      if (result.failed.length) process.exitCode = 1;
      printResult(ctx, result, () => renderSync(result));
    });
};

async function makeClient(ctx: CliContext, system: TrackerSystem, o: { repo?: string; project?: string; requireCredentials: boolean }): Promise<TrackerClient> {
  const config = await import('../../trackers/config.js');
  const deps = { onWait: (ms: number, reason: string) => ctx.warn(`${reason}: waiting ${Math.ceil(ms / 1000)} s before retrying`) };
  if (system === 'github') {
    const { GitHubClient } = await import('../../trackers/github.js');
    return new GitHubClient(config.githubConfigFromEnv(ctx.env, { repo: o.repo }, o), deps);
  }
  const { JiraClient } = await import('../../trackers/jira.js');
  return new JiraClient(config.jiraConfigFromEnv(ctx.env, { project: o.project }, o), deps);
}

export function githubRepoFromUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  const m = /\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)\/issues\/\d+\/?$/.exec(url);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

function renderRequest(r: PlannedRequest): string {
  const headers = Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`);
  return [`${r.method} ${r.url}`, ...headers, 'Authorization: (from the environment, not shown)', '', r.body === undefined ? '' : JSON.stringify(r.body, null, 2), ''].join('\n');
}

function renderExport(r: ExportResult): string {
  const lines: string[] = [];
  if (r.dryRun) {
    lines.push(`Dry run: ${r.requests.length} request(s) would be sent to ${r.system}; nothing was sent.`, '');
    for (const req of r.requests) lines.push(renderRequest(req));
  } else {
    for (const c of r.created) lines.push(`created ${c.system} ${c.key}  ${c.actionId}  ${c.url}`);
    for (const c of r.linked) lines.push(`linked  ${c.system} ${c.key}  ${c.actionId}  ${c.url} (issue already existed)`);
  }
  for (const s of r.skipped) lines.push(`skipped ${s.actionId}: ${s.reason}${s.key ? ` (${s.key})` : ''}`);
  for (const f of r.failed) lines.push(`FAILED  ${f.error}`);
  lines.push(`${r.created.length} created, ${r.linked.length} linked, ${r.skipped.length} skipped, ${r.failed.length} failed`);
  return lines.join('\n');
}

function renderSync(r: SyncResult): string {
  const lines = r.changed.map((c) => `${c.actionId}: ${c.from} -> ${c.to} (${c.system} ${c.key} is ${c.externalState})${c.reason ? `: ${c.reason}` : ''}`);
  for (const f of r.failed) lines.push(`FAILED  ${f.error}`);
  lines.push(`${r.checked} checked, ${r.changed.length} changed, ${r.unchanged} unchanged, ${r.failed.length} failed`);
  return lines.join('\n');
}
