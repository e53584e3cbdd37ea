import { checkDateOption } from '../options.js';
import { withStore } from '../services.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext, RegisterCommands } from '../context.js';
import { InputError, UsageError } from '../../model/errors.js';
import type { KnowledgeBase } from '../../attack/types.js';
import { isTrendBucket, TREND_BUCKETS } from '../../model/learning.js';

/** `trends` and `skills`: learning across incidents (docs/learning.md). */
export const registerLearningCommands: RegisterCommands = (program: Command, ctx: CliContext) => {
  program
    .command('trends')
    .description('Trends across incidents per week, month or quarter: volumes, response times, techniques (emerging, recurring), findings and action items')
    .option('--from <date>', 'start of the range, inclusive (ISO-8601 date or time)')
    .option('--to <date>', 'end of the range, exclusive (ISO-8601 date or time)')
    .option('--bucket <bucket>', TREND_BUCKETS.join(' | '), 'month')
    .option('--svg <dir>', 'also write the charts as SVG files into this directory')
    .action(async (opts: { from?: string; to?: string; bucket: string; svg?: string }) => {
      const bucket = opts.bucket;
      if (!isTrendBucket(bucket)) throw new UsageError(`--bucket must be week, month or quarter, not "${bucket}"`);
      const { trendsReport } = await import('../../app/learning.js');
      const report = await withStore(ctx, (store) => trendsReport(store, { from: opts.from === undefined ? undefined : checkDateOption(opts.from, '--from'), to: opts.to === undefined ? undefined : checkDateOption(opts.to, '--to'), bucket }, () => optionalKnowledgeBase(ctx)));
      const files: string[] = [];
      if (opts.svg) {
        const { trendChartsSvg } = await import('../../export/charts.js');
        await mkdir(opts.svg, { recursive: true });
        for (const chart of trendChartsSvg(report)) {
          const file = resolve(join(opts.svg, chart.name));
          await writeFile(file, chart.svg);
          files.push(file);
        }
      }
      if (ctx.globals().json) ctx.printJson(files.length ? { ...report, charts: files } : report);
      else ctx.print(renderTrends(report, files));
    });

  program
    .command('skills')
    .description("Where the team is slow or wrong compared with its own baseline, per technique and tactic, with training targets")
    .option('--from <date>', 'start of the range, inclusive (ISO-8601 date or time)')
    .option('--to <date>', 'end of the range, exclusive (ISO-8601 date or time)')
    .option('--teams <file>', 'YAML mapping of team name to analyst names or patterns (adds per-team results)')
    .option('--per-analyst', 'also compare each analyst with their own team baseline (off by default: privacy)')
    .option('--min-alerts <n>', 'alerts a technique or tactic needs to be compared', '30')
    .action(async (opts: { from?: string; to?: string; teams?: string; perAnalyst?: boolean; minAlerts: string }) => {
      const minAlerts = Number(opts.minAlerts);
      if (!Number.isInteger(minAlerts) || minAlerts < 1) throw new UsageError(`--min-alerts must be a positive whole number, not "${opts.minAlerts}"`);
      const { parseTeamMapping } = await import('../../analysis/skills/index.js');
      let teams;
      if (opts.teams) {
        let text: string;
        try {
          text = await readFile(opts.teams, 'utf8');
        } catch (error) {
          throw new InputError(`${opts.teams}: cannot read the team mapping: ${error instanceof Error ? error.message : String(error)}`, { file: opts.teams });
        }
        teams = parseTeamMapping(text, opts.teams);
      }
      const { skillsReport } = await import('../../app/learning.js');
      const request = { from: opts.from === undefined ? undefined : checkDateOption(opts.from, '--from'), to: opts.to === undefined ? undefined : checkDateOption(opts.to, '--to'), teams, perAnalyst: Boolean(opts.perAnalyst), minAlerts };
      const report = await withStore(ctx, (store) => skillsReport(store, request, () => optionalKnowledgeBase(ctx)));
      if (ctx.globals().json) ctx.printJson(report);
      else ctx.print(renderSkills(report));
    });
};



/** The knowledge base adds names, tactics, detection strategies and mitigations; without one the analyses still run. */
async function optionalKnowledgeBase(ctx: CliContext): Promise<KnowledgeBase | undefined> {
  const { loadKnowledgeBaseFor } = await import('../services.js');
  try {
    return await loadKnowledgeBaseFor(ctx);
  } catch (error) {
    ctx.warn(`warning: no ATT&CK knowledge base (${error instanceof Error ? error.message : String(error)}); tactics, names and training material are left out`);
    return undefined;
  }
}

type TrendReport = import('../../analysis/trends/index.js').TrendReport;
type SkillsReport = import('../../analysis/skills/index.js').SkillsReport;

function duration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86_400).toFixed(1)}d`;
}

function renderTrends(r: TrendReport, files: string[]): string {
  const lines = [`Trends per ${r.bucket}${r.range.from ? ` from ${r.range.from}` : ''}${r.range.to ? ` to ${r.range.to}` : ''}: ${r.incidents.total} incident(s), ${r.alerts.total} alert(s)`];
  lines.push('', `${'bucket'.padEnd(10)} ${'incidents'.padStart(9)} ${'alerts'.padStart(8)}  ack median/p90   resolve median/p90`);
  r.buckets.forEach((b, i) => {
    const inc = r.incidents.byBucket[i]?.total ?? 0;
    const al = r.alerts.byBucket[i]?.total ?? 0;
    const m = r.responseTimes.byBucket[i]?.metrics;
    lines.push(
      `${b.padEnd(10)} ${String(inc).padStart(9)} ${String(al).padStart(8)}  ${`${duration(m?.acknowledge.medianSeconds ?? null)}/${duration(m?.acknowledge.p90Seconds ?? null)}`.padEnd(16)} ${duration(m?.resolve.medianSeconds ?? null)}/${duration(m?.resolve.p90Seconds ?? null)}`,
    );
  });
  lines.push('', `Emerging techniques in ${r.emerging.latestBucket ?? '-'} (${r.emerging.test}; p < ${r.emerging.alpha}, >= ${r.emerging.minCount} incidents, rate ratio >= ${r.emerging.minRatio} against the ${r.emerging.window} preceding ${r.bucket}s):`);
  if (r.emerging.techniques.length === 0) lines.push('  none');
  for (const t of r.emerging.techniques) lines.push(`  ${t.techniqueId} ${t.name ?? ''}: ${t.recent} incident(s) vs ${t.earlier} before, rate x${t.rateRatio}, p=${t.p.toExponential(1)}`);
  lines.push('', `Recurring techniques (>= ${r.recurring.minIncidents} incidents): ${r.recurring.techniques.slice(0, 10).map((t) => `${t.techniqueId} (${t.incidents})`).join(', ') || 'none'}`);
  lines.push(`Recurring finding categories: ${r.recurring.findingCategories.map((c) => `${c.category} (${c.incidents})`).join(', ') || 'none'}`);
  lines.push(`Action items: ${r.actionItems.openedTotal} opened, ${r.actionItems.closedTotal} closed in the range, ${r.actionItems.overdueNow} overdue as of ${r.actionItems.asOf}`);
  for (const f of files) lines.push(`Wrote ${f}`);
  return lines.join('\n');
}

function renderSkills(r: SkillsReport): string {
  const lines = [
    `Skills against the team's own baseline (times: ${r.thresholds.timeTest}; rates: ${r.thresholds.rateTest}; flagged when p < ${r.thresholds.alpha} and ratio >= ${r.thresholds.minRatio}, with >= ${r.thresholds.minAlerts} alerts)`,
  ];
  for (const s of r.scopes) {
    lines.push(`${s.scope}: ${s.alerts} alert-technique observations; median triage ${duration(s.baseline.triageMedianSeconds)}, resolve ${duration(s.baseline.resolveMedianSeconds)}, misclassified ${(s.baseline.misclassificationRate * 100).toFixed(1)}%`);
  }
  lines.push('', r.weakSpots.length ? 'Weak spots:' : 'No weak spots found.');
  for (const w of r.weakSpots) lines.push(`  [${w.scope}] ${w.level} ${w.id} ${w.name ?? ''}: ${w.flags.join(', ')}`);
  if (r.recommendations.length) lines.push('', 'Training targets:');
  for (const t of r.recommendations) {
    lines.push(`  [${t.scope}] ${t.id} ${t.name ?? ''} ${t.url ?? ''}`);
    for (const reason of t.reasons) lines.push(`    - ${reason}`);
    if (t.detectionStrategies.length) lines.push(`    detection strategies: ${t.detectionStrategies.map((d) => `${d.id} ${d.name}`).join('; ')}`);
    if (t.mitigations.length) lines.push(`    mitigations: ${t.mitigations.map((m) => `${m.id} ${m.name}`).join('; ')}`);
  }
  return lines.join('\n');
}
