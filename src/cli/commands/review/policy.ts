import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { printResult } from '../../services.js';
import { withReview, writeCommand, writeOptions, type WriteOpts } from './shared.js';

/** `hindsight policy show|check`: which incidents must get a full review, and why. */
export function registerPolicyCommands(program: Command, ctx: CliContext): void {
  const policy = program.command('policy').description('The review policy: which incidents must get a full review');
  policy
    .command('show')
    .description('Print the policy in effect and where it came from')
    .option('--policy <file>', 'policy file (default: HINDSIGHT_POLICY, then the shipped config/review-policy.yaml)')
    .action(async (o: { policy?: string }) => {
      const { loadPolicy } = await import('../../../review/policy.js');
      const loaded = loadPolicy({ file: o.policy, env: ctx.env });
      const text = await readFile(loaded.file, 'utf8');
      printResult(ctx, { file: loaded.file, origin: loaded.origin, policy: loaded.policy }, () => `# Review policy from ${loaded.file} (${originText(loaded.origin)})\n${text}`);
    });
  policy
    .command('check')
    .description('Whether an incident needs a review, and which rule matched')
    .argument('<incident>')
    .option('--policy <file>', 'policy file (default: HINDSIGHT_POLICY, then the shipped config/review-policy.yaml)')
    .action(async (ref: string, o: { policy?: string }) => {
      const { loadPolicy, evaluatePolicy } = await import('../../../review/policy.js');
      const loaded = loadPolicy({ file: o.policy, env: ctx.env });
      await withReview(ctx, ref, async ({ store, app, incident }) => {
        const decision = evaluatePolicy(loaded.policy, incident);
        const record = await app.getReview(store, incident.id);
        printResult(ctx, { incident: incident.id, required: decision.required, matched: decision.matched, state: record.state, policyFile: loaded.file }, () =>
          [
            `${incident.id}  ${incident.title}`,
            `  review required: ${decision.required ? 'yes' : 'no'}`,
            ...decision.matched.map((m) => `  rule ${m.rule}: ${m.reasons.join('; ')}`),
            `  review state: ${record.state}`,
          ].join('\n'),
        );
      });
    });
}

/** `hindsight close INCIDENT`: close an incident in Hindsight once its review allows it. */
export function registerCloseCommand(program: Command, ctx: CliContext): void {
  writeCommand(program.command('close'), 'Close an incident in Hindsight (refused while its review is required, in draft or in review)')
    .argument('<incident>')
    .option('--reason <text>')
    .action(async (ref: string, o: WriteOpts & { reason?: string }) => {
      await withReview(ctx, ref, async ({ store, app, incident }) => {
        const record = await app.closeIncident(store, incident.id, { ...writeOptions(ctx, o), reason: o.reason });
        printResult(ctx, record, () => `Closed ${incident.id} in Hindsight (by ${record.closedBy} at ${record.closedAt})`);
      });
    });
}

function originText(origin: 'option' | 'env' | 'default'): string {
  return origin === 'option' ? 'from --policy' : origin === 'env' ? 'from HINDSIGHT_POLICY' : 'the default shipped with Hindsight';
}
