import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { printResult } from '../../services.js';
import { short, withReview } from './shared.js';

/** `hindsight review status INCIDENT`: state, sign-off and completeness. */
export function registerReviewStatusCommand(review: Command, ctx: CliContext): void {
  review
    .command('status')
    .description('State, sign-off and completeness of the review')
    .argument('<incident>')
    .action(async (ref: string) => {
      await withReview(ctx, ref, async ({ store, app, incident }) => {
        const record = await app.getReview(store, incident.id);
        const completeness = await app.reviewCompleteness(store, incident.id);
        const value = { incident: incident.id, title: incident.title, ...record, completeness };
        printResult(ctx, value, () => {
          const lines = [`${incident.id}  ${incident.title}`, `  state: ${record.state}${record.requiredBy ? ` (required by ${record.requiredBy})` : ''}  version ${record.version}`];
          if (record.waiverReason) lines.push(`  waived: ${record.waiverReason}`);
          if (record.approvedBy) lines.push(`  approved by ${record.approvedBy} at ${record.approvedAt}, ${record.sufficiency}${record.sufficiencyNotes ? `: ${record.sufficiencyNotes}` : ''}`);
          if (record.closedAt) lines.push(`  closed by ${record.closedBy} at ${record.closedAt}`);
          lines.push(`  completeness: ${completeness.score}%`);
          for (const p of completeness.parts) lines.push(`    ${p.label}: ${p.done}/${p.total} (weight ${p.weight})${p.missing.length ? `; missing: ${p.missing.join('; ')}` : ''}`);
          return lines.join('\n');
        });
      });
    });
}

/** `hindsight review history INCIDENT`: every change, who, when, before and after. */
export function registerReviewHistoryCommand(review: Command, ctx: CliContext): void {
  review
    .command('history')
    .description('Every change to the review: who, when, before and after')
    .argument('<incident>')
    .action(async (ref: string) => {
      await withReview(ctx, ref, async ({ store, app, incident }) => {
        const changes = await app.reviewHistory(store, incident.id);
        printResult(ctx, { incident: incident.id, changes }, () =>
          [`${changes.length} change(s) to the review of ${incident.id}`, ...changes.map((c) => `  ${c.at}  ${c.actor}  ${c.entityType} ${c.entityId} ${c.field} v${c.version}: ${short(c.before)} -> ${short(c.after)}`)].join('\n'),
        );
      });
    });
}
