import { readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CliContext, RegisterCommands } from '../context.js';
import { HindsightError } from '../../model/errors.js';
import { loadKnowledgeBaseOrDownloadFor, openStoreFor, printResult } from '../services.js';

/** The examples shipped with Hindsight (`examples/` at the package root). */
export function examplesDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');
}

/** Alert-only examples imported into one incident of this title each. */
const TITLED_EXAMPLES: Record<string, string> = {
  'wazuh-ssh-intrusion.json': 'SSH intrusion and root persistence on web-02',
  'splunk-credential-dumping.json': 'Credential dumping and exfiltration from FS-03',
};

export const registerDemoCommand: RegisterCommands = (program: Command, ctx: CliContext) => {
  program
    .command('demo')
    .description('Import the example incidents of every source (Microsoft, OCSF, Elastic, Wazuh, TheHive, Splunk) into the database and print the review of the ransomware example')
    .option('--layer <file>', 'where to write the Navigator layer', 'hindsight-demo-layer.json')
    .action(async (opts: { layer: string }) => {
      const kb = await loadKnowledgeBaseOrDownloadFor(ctx);
      const dir = examplesDir();
      const names = (await readdir(dir)).filter((f) => f.endsWith('.json') || f.endsWith('.ndjson')).sort();
      const { importFiles } = await import('../../app/import.js');
      const { DEFAULT_GROUPING } = await import('../../ingest/grouping.js');
      const store = await openStoreFor(ctx);
      try {
        // Most examples go in as `hindsight import` takes them; the alert-only examples whose alerts
        // span several users are put into one named incident each, as `--incident-title` would.
        const batches: { files: string[]; incidentTitle: string | null }[] = [{ files: names.filter((f) => !TITLED_EXAMPLES[f]).map((f) => join(dir, f)), incidentTitle: null }];
        for (const [name, incidentTitle] of Object.entries(TITLED_EXAMPLES)) if (names.includes(name)) batches.push({ files: [join(dir, name)], incidentTitle });
        const imported = { summary: { created: 0, updated: 0, unchanged: 0, incidents: 0, alerts: 0 } };
        for (const batch of batches) {
          const result = await importFiles(store, batch.files, { onProgress: (m) => ctx.warn(m), kb, grouping: { ...DEFAULT_GROUPING, incidentTitle: batch.incidentTitle } });
          for (const key of ['created', 'updated', 'unchanged', 'incidents', 'alerts'] as const) imported.summary[key] += result.summary[key];
        }
        ctx.warn(`Database: ${store.location} (created ${imported.summary.created}, updated ${imported.summary.updated}, unchanged ${imported.summary.unchanged})`);
        const ransomware = await findExample(store, join(dir, 'ransomware.json'));
        if (!ransomware) throw new HindsightError('the ransomware example was not found among the imported examples');
        const { buildReviewReport } = await import('../../review/report.js');
        const report = buildReviewReport(ransomware, kb);
        const { incidentLayer } = await import('../../app/layers.js');
        const layer = incidentLayer(kb, ransomware);
        const layerPath = resolve(opts.layer);
        await writeFile(layerPath, `${JSON.stringify(layer, null, 2)}\n`);
        if (ctx.globals().json) {
          printResult(ctx, { database: store.location, import: imported.summary, incident: ransomware.id, layer: layerPath, review: report }, () => '');
          return;
        }
        const { renderReviewMarkdown } = await import('../../export/review-markdown.js');
        ctx.print(renderReviewMarkdown(report));
        ctx.print(
          [
            '---',
            `Database:        ${store.location}`,
            `Navigator layer: ${layerPath}  (open it at https://mitre-attack.github.io/attack-navigator/ -> "Open Existing Layer")`,
            `Next:            hindsight incidents   |   hindsight review ${ransomware.sourceId}   |   hindsight layer --all -o all.json`,
          ].join('\n'),
        );
      } finally {
        await store.close();
      }
    });
};

/** The stored incident of one example file. */
async function findExample(store: import('../../store/types.js').IncidentStore, file: string) {
  const { parseFile } = await import('../../ingest/index.js');
  const parsed = await parseFile(file);
  const first = parsed.incidents[0];
  return first ? store.getIncident(first.sourceId) : undefined;
}
