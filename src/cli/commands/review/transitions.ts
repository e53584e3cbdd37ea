import type { Command } from 'commander';
import type { ReviewTransitionInput } from '../../../app/review/index.js';
import { UsageError } from '../../../model/errors.js';
import type { ReviewTransitionName } from '../../../review/lifecycle.js';
import type { CliContext } from '../../context.js';
import { printResult } from '../../services.js';
import { withReview, writeCommand, writeOptions, type WriteOpts } from './shared.js';

type TransitionOpts = WriteOpts & { sufficiency?: string; notes?: string; overrideIncomplete?: string; reason?: string; templates?: string; policy?: string };

/**
 * `hindsight review start|submit|approve|return|waive|reopen|require INCIDENT`: the review's
 * lifecycle (`close` is a command of its own); each prints the review record it leads to.
 */
export function registerReviewTransitionCommands(review: Command, ctx: CliContext): void {
  const transition = (name: Exclude<ReviewTransitionName, 'close'>, description: string, extra?: (c: Command) => Command) => {
    let cmd = writeCommand(review.command(name), description).argument('<incident>');
    if (extra) cmd = extra(cmd);
    cmd.action(async (ref: string, opts: TransitionOpts) => {
      await withReview(ctx, ref, async ({ store, app, incident }) => {
        const input = transitionInput(name, opts);
        if (name === 'approve') {
          // Who may approve comes from the review policy (four eyes unless it says the team is too small).
          const { loadPolicy } = await import('../../../review/policy.js');
          input.approvalRules = loadPolicy({ file: opts.policy, env: ctx.env }).policy.approval;
        }
        if (name === 'start') {
          // Starting a review also applies the template its incident's rule picks (when it has none yet).
          const { loadTemplates } = await import('../../../app/review/templates.js');
          const templates = loadTemplates({ dir: opts.templates, env: ctx.env }).templates;
          await (await import('../../../app/review/start.js')).startReviewWithTemplate(store, incident, templates, writeOptions(ctx, opts));
        } else await app.makeReviewTransition(store, name, incident.id, { ...writeOptions(ctx, opts), ...input });
        const record = await app.getReview(store, incident.id);
        printResult(ctx, record, () => `Review of ${incident.id} is now ${record.state} (version ${record.version})`);
      });
    });
  };
  transition('start', "Start the draft and apply the template the incident's rule picks (editing starts it too)", (c) => c.option('--templates <dir>', 'template folder (default: HINDSIGHT_TEMPLATES, then the shipped config/review-templates)'));
  transition('submit', 'Submit the draft for review (any completeness; approval needs 100% or an override)');
  transition('approve', 'Approve a submitted review, recording the sufficiency judgement', (c) =>
    c
      .requiredOption('--sufficiency <judgement>', 'sufficient | insufficient: was the response sufficient and complete?')
      .option('--notes <text>', 'the judgement in words (required for insufficient)')
      .option('--override-incomplete <reason>', 'approve below 100% completeness: a real reason (20 characters or more by default), recorded and flagged in every report')
      .option('--policy <file>', 'the review policy whose approval rules apply (default: HINDSIGHT_POLICY, then the shipped one)'),
  );
  transition('return', 'Return a submitted review to draft');
  transition('waive', 'Waive a review, with a reason', (c) => c.requiredOption('--reason <text>', 'why no review is needed'));
  transition('reopen', 'Reopen an approved or waived review as a draft');
  transition('require', 'Require a review by hand', (c) => c.option('--reason <text>', 'why'));
}

/** What each transition takes from its options (the others take none). */
function transitionInput(name: ReviewTransitionName, o: TransitionOpts): Omit<ReviewTransitionInput, 'actor' | 'expectedVersion'> {
  if (name === 'approve') {
    const sufficiency = o.sufficiency;
    if (sufficiency !== 'sufficient' && sufficiency !== 'insufficient') throw new UsageError('--sufficiency must be sufficient or insufficient');
    return { sufficiency, notes: o.notes, overrideIncomplete: o.overrideIncomplete };
  }
  if (name === 'waive') return { reason: o.reason ?? '' };
  if (name === 'require') return { reason: o.reason };
  return {};
}
