import { Option, type Command } from 'commander';
import { UsageError } from '../../../model/errors.js';
import type { Finding, FindingPatch } from '../../../model/review.js';
import type { CliContext } from '../../context.js';
import { printResult } from '../../services.js';
import { clean, withReview, withReviewStore, writeCommand, writeOptions, type WriteOpts } from './shared.js';

type FindingOpts = WriteOpts & { category?: string; title?: string; description?: string; severity?: string; factor?: string[]; event?: string[]; technique?: string[]; evidence?: string[]; acceptedRisk?: string };

/** `hindsight findings add|list|edit`: what went wrong, with evidence. */
export function registerFindingCommands(program: Command, ctx: CliContext): void {
  const findings = program.command('findings').description('Findings of a review: what went wrong, with evidence');
  findingOptions(writeCommand(findings.command('add'), 'Add a finding').argument('<incident>')).action(async (ref: string, o: FindingOpts) => {
    if (!o.category || !o.title) throw new UsageError('a finding needs --category and --title');
    const category = o.category as Finding['category'];
    const title = o.title;
    await withReview(ctx, ref, async ({ store, app, incident }) => {
      const f = await app.addFinding(store, incident.id, { ...findingPatch(o), category, title }, writeOptions(ctx, o));
      printResult(ctx, f, () => `Added finding ${f.id} to ${incident.id}`);
    });
  });
  findings
    .command('list')
    .argument('<incident>')
    .action(async (ref: string) => {
      await withReview(ctx, ref, async ({ store, app, incident }) => {
        const list = await app.listFindings(store, incident.id);
        printResult(ctx, { incident: incident.id, findings: list }, () => [`${list.length} finding(s) in ${incident.id}`, ...list.map((f) => `  ${f.id}  v${f.version}  ${f.category.padEnd(22)} ${f.severity.padEnd(8)} ${f.title}${f.acceptedRisk ? ' (risk accepted)' : ''}`)].join('\n'));
      });
    });
  findingOptions(writeCommand(findings.command('edit'), 'Edit a finding').argument('<finding>')).action(async (id: string, o: FindingOpts) => {
    await withReviewStore(ctx, async (store, app) => {
      const f = await app.editFinding(store, id, findingPatch(o), writeOptions(ctx, o));
      printResult(ctx, f, () => `Edited finding ${f.id} (version ${f.version})`);
    });
  });
}

function findingOptions(c: Command): Command {
  return c
    .addOption(new Option('--category <category>', 'finding category').choices(['technical-lapse', 'procedural-failure', 'manual-error', 'process-flaw', 'communication-glitch', 'unknown-attack-vector']))
    .option('--title <text>')
    .option('--description <text>')
    .addOption(new Option('--severity <severity>').choices(['low', 'medium', 'high', 'critical']))
    .option('--factor <text...>', 'contributing factors')
    .option('--event <id...>', 'timeline event ids')
    .option('--technique <id...>', 'ATT&CK technique ids')
    .option('--evidence <ref...>', 'evidence references')
    .option('--accepted-risk <text>', 'accept the risk instead of an action item');
}

function findingPatch(o: FindingOpts): FindingPatch {
  return clean({
    category: o.category as FindingPatch['category'],
    title: o.title,
    description: o.description,
    severity: o.severity as FindingPatch['severity'],
    contributingFactors: o.factor,
    timelineEventIds: o.event,
    techniques: o.technique,
    evidence: o.evidence,
    acceptedRisk: o.acceptedRisk,
  });
}
