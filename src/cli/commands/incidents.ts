import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext, RegisterCommands } from '../context.js';
import { UsageError } from '../../model/errors.js';
import type { StoredIncident } from '../../model/index.js';
import { loadAllIncidents, loadKnowledgeBaseFor, openStoreFor, printResult, requireIncident } from '../services.js';

/** `import`, `incidents`, `layer` (`review` lives in review-workflow.ts). */
export const registerIncidentCommands: RegisterCommands = (program: Command, ctx: CliContext) => {
  program
    .command('import')
    .description('Import incidents and alerts (Microsoft Graph security API, Microsoft 365 Defender); transactional and idempotent')
    .argument('<files...>', 'JSON, Graph page or NDJSON files')
    .option('--format <format>', 'auto | graph | m365d', 'auto')
    .option('--policy <file>', 'review policy file (default: HINDSIGHT_POLICY, then the shipped config/review-policy.yaml)')
    .action(async (files: string[], opts: { format: string; policy?: string }) => {
      const { importFiles } = await import('../../services/import-files.js');
      const store = await openStoreFor(ctx);
      try {
        const actor = (await import('../actor.js')).cliActor(ctx);
        const result = await importFiles(store, files, { format: opts.format, onProgress: (m) => ctx.warn(m), policyFile: opts.policy, env: ctx.env, audit: { actor } });
        printResult(ctx, result.reviews ? { ...result.summary, reviews: result.reviews } : result.summary, () =>
          [
            `Imported ${result.summary.incidents} incident(s), ${result.summary.alerts} alert(s) into ${store.location}:`,
            `  created ${result.summary.created}, updated ${result.summary.updated}, unchanged ${result.summary.unchanged}`,
            ...(result.reviews ?? []).filter((r) => r.required).map((r) => `  ${r.id}: review ${r.state} (policy: ${r.rules.join(', ')})`),
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
      const incidents = opts.all ? await loadEveryIncident(ctx) : [await loadIncident(ctx, ref as string)];
      const layer = await buildIncidentLayer(kb, incidents, opts.all ? 'All incidents' : undefined);
      const text = `${JSON.stringify(layer, null, 2)}\n`;
      if (opts.output) {
        await writeFile(opts.output, text);
        printResult(ctx, { file: resolve(opts.output), techniques: layer.techniques.filter((t) => t.score !== undefined).length, incidents: incidents.length }, () => `Wrote ${resolve(opts.output as string)}: ${layer.techniques.filter((t) => t.score !== undefined).length} technique annotations from ${incidents.length} incident(s)`);
      } else ctx.print(text);
    });
};

export async function buildIncidentLayer(kb: import('../../attack/types.js').KnowledgeBase, incidents: StoredIncident[], name?: string) {
  const { incidentLayerEntries } = await import('../../analysis/incident-layer.js');
  const { buildNavigatorLayer } = await import('../../export/navigator.js');
  const single = incidents.length === 1 ? incidents[0] : undefined;
  return buildNavigatorLayer(kb, {
    name: name ?? (single ? `${single.sourceId}: ${single.title}`.slice(0, 120) : 'Incidents'),
    description: single
      ? `Techniques observed in incident ${single.id} (${single.source} ${single.sourceId}); score = number of alerts.`
      : `Techniques observed across ${incidents.length} incidents; score = number of alerts.`,
    entries: incidentLayerEntries(incidents, kb),
    legend: [{ label: 'more alerts', color: '#b30000' }, { label: 'one alert', color: '#fff7ec' }],
    metadata: incidents.slice(0, 200).map((i) => ({ name: 'incident', value: `${i.id} ${i.source}:${i.sourceId} ${i.title}` })),
  });
}

async function loadIncident(ctx: CliContext, ref: string): Promise<StoredIncident> {
  const store = await openStoreFor(ctx);
  try {
    return await requireIncident(store, ref);
  } finally {
    await store.close();
  }
}

async function loadEveryIncident(ctx: CliContext): Promise<StoredIncident[]> {
  const store = await openStoreFor(ctx);
  try {
    return await loadAllIncidents(store);
  } finally {
    await store.close();
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function parsePositiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive whole number, not "${value}"`);
  return n;
}

export function parseDateOption(value: string, name: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`${name} must be a date such as 2026-01-31 or 2026-01-31T12:00:00Z, not "${value}"`);
  return new Date(t).toISOString();
}
