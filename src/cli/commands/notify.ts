import type { Command } from 'commander';
import type { NotifyRunReport } from '../../model/notifications.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { printResult, withStore } from '../services.js';

/**
 * `hindsight notify run [--json]`: one pass of the notifier for cron (the reminders due today, then
 * every delivery due, retries included); `hindsight notify test [--to ADDRESS]`: a test message on
 * every configured channel. Exit 1 when a message failed (it is retried by the next run).
 */
export const registerNotifyCommands: RegisterCommands = (program: Command, ctx: CliContext) => {
  const notify = program.command('notify').description('Notifications by e-mail and webhook');

  notify
    .command('run')
    .description('Record the reminders due now and send every notification due (for cron); prints what was sent and what failed')
    .action(async () => {
      const { runNotifications } = await import('../../app/notify/index.js');
      const report = await withStore(ctx, (store) => runNotifications(store, { env: ctx.env }));
      if (report.failed.length) process.exitCode = 1;
      printResult(ctx, report, () => renderReport(report));
    });

  notify
    .command('test')
    .description('Send a test message now by e-mail (to --to) and to the webhook, whichever is configured')
    .option('--to <address>', 'e-mail address to send the test message to')
    .action(async (opts: { to?: string }) => {
      const { sendTestNotification } = await import('../../app/notify/index.js');
      const report = await withStore(ctx, (store) => sendTestNotification(store, ctx.env.HINDSIGHT_USER ?? 'cli', opts.to ?? null, ctx.env));
      if (report.failed.length) process.exitCode = 1;
      printResult(ctx, report, () => renderReport(report));
    });
};

function renderReport(report: NotifyRunReport): string {
  const lines = [
    ...report.sent.map((s) => `sent    ${s.channel.padEnd(7)} ${s.to}  ${s.kind}  ${s.subject}`),
    ...report.failed.map((f) => `FAILED  ${f.channel.padEnd(7)} ${f.to}  ${f.kind}  ${f.subject}: ${f.error}`),
  ];
  lines.push(`${report.sent.length} sent, ${report.failed.length} failed`);
  return lines.join('\n');
}
