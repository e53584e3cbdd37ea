import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { KnowledgeBase } from '../../attack/types.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { UsageError } from '../../model/errors.js';
import { loadKnowledgeBaseFor, openStoreFor, printResult, requireIncident, withStore } from '../services.js';
import { parseDateOption, parsePositiveInt } from '../options.js';

/** `import`, `incidents`, `layer` (`review` lives in review-workflow.ts). */
export const registerIncidentCommands: RegisterCommands = (program: Command, ctx: CliContext) => {
  program
    .command('import')
    .description('Import incidents and alerts (Microsoft Graph, Microsoft 365 Defender, OCSF, Elastic Security, Wazuh, TheHive, Splunk ES); transactional and idempotent')
    .argument('<files...>', 'JSON, NDJSON, Graph page, Elasticsearch/OpenSearch search response or Splunk results files')
    .option('--format <format>', 'auto | graph | m365d | sentinel | ocsf | elastic | wazuh | thehive | splunk', 'auto')
    .option('--group-by <fields>', 'group alerts that name no incident by these fields: host, user, rule, source (comma-separated)', 'host,user')
    .option('--window <duration>', 'grouping window: alerts in the same fixed window (e.g. 30m, 1h, 1d) share an incident', '1h')
    .option('--incident-title <text>', 'put every alert that names no incident into one incident of this title (instead of --group-by)')
    .option('--policy <file>', 'review policy file (default: HINDSIGHT_POLICY, then the shipped config/review-policy.yaml)')
    .action(async (files: string[], opts: { format: string; groupBy: string; window: string; incidentTitle?: string; policy?: string }) => {
      const { importFiles, importGrouping } = await import('../../app/import.js');
      const grouping = importGrouping(opts);
      const store = await openStoreFor(ctx);
      try {
        const actor = (await import('../actor.js')).cliActor(ctx);
        const kb = await optionalKnowledgeBase(ctx);
        const result = await importFiles(store, files, { format: opts.format, grouping, kb, onProgress: (m) => ctx.warn(m), policyFile: opts.policy, env: ctx.env, audit: { actor } });
        for (const w of result.techniqueWarnings) ctx.warn(`warning: ${w.message}`);
        printResult(ctx, { ...result.summary, reviews: result.reviews, files: result.files, techniques: result.techniques }, () =>
          [
            `Imported ${result.summary.incidents} incident(s), ${result.summary.alerts} alert(s) into ${store.location}:`,
            `  created ${result.summary.created}, updated ${result.summary.updated}, unchanged ${result.summary.unchanged}`,
            ...result.reviews.filter((r) => r.required).map((r) => `  ${r.id}: review ${r.state} (policy: ${r.rules.join(', ')})`),
          ].join('\n'),
        );
      } finally {
        await store.close();
      }
    });

  program
    .command('incidents')
    .description('List stored incidents, newest first')
    .option('--since <date>', 'only incidents created on or after this date (ISO-8601)')
    .option('--limit <n>', 'at most this many', (v) => parsePositiveInt(v, '--limit'))
    .action(async (opts: { since?: string; limit?: number }) => {
      const since = opts.since ? parseDateOption(opts.since, '--since') : undefined;
      const store = await openStoreFor(ctx);
      try {
        const items = await store.listIncidents({ since, limit: opts.limit });
        printResult(ctx, { database: store.location, incidents: items }, () => {
          const lines = [`Database: ${store.location}`, `${items.length} incident(s)`];
          for (const i of items) {
            lines.push(`  ${i.id}  ${i.source}:${i.sourceId}  ${i.createdAt.slice(0, 16).replace('T', ' ')}  ${pad(i.severity, 13)} ${pad(i.status, 10)} ${String(i.alertCount).padStart(3)} alerts  ${i.title}`);
          }
          return lines.join('\n');
        });
      } finally {
        await store.close();
      }
    });

  program
    .command('layer')
    .description('Write an ATT&CK Navigator layer (format 4.5) of one incident or of all incidents')
    .argument('[incident]', "Hindsight's incident id or the source's own id")
    .option('--all', 'every stored incident')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (ref: string | undefined, opts: { all?: boolean; output?: string }) => {
      if (Boolean(ref) === Boolean(opts.all)) throw new UsageError('give either an incident or --all');
      const kb = await loadKnowledgeBaseFor(ctx);
      const { incidentLayer, observedLayerOf } = await import('../../app/layers.js');
      const { layer, incidents } = await withStore(ctx, async (store) => {
        if (!opts.all) return { layer: incidentLayer(kb, await requireIncident(store, ref as string)), incidents: 1 };
        return observedLayerOf(store, kb);
      });
      const text = `${JSON.stringify(layer, null, 2)}\n`;
      if (opts.output) {
        await writeFile(opts.output, text);
        printResult(ctx, { file: resolve(opts.output), techniques: layer.techniques.filter((t) => t.score !== undefined).length, incidents }, () => `Wrote ${resolve(opts.output as string)}: ${layer.techniques.filter((t) => t.score !== undefined).length} technique annotations from ${incidents} incident(s)`);
      } else ctx.print(text);
    });
};


function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** The loaded ATT&CK knowledge base if one is configured or cached; an import does not need one (it only reports techniques against it). */
async function optionalKnowledgeBase(ctx: CliContext): Promise<KnowledgeBase | undefined> {
  try {
    return await loadKnowledgeBaseFor(ctx);
  } catch (error) {
    // No ATT&CK data configured: nothing to check against. Data that fails to load must not fail the import either.
    if (!(error instanceof UsageError)) ctx.warn(`warning: ATT&CK data not loaded (${error instanceof Error ? error.message : String(error)}); technique IDs not checked`);
    return undefined;
  }
}
