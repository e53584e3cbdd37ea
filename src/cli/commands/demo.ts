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

export const registerDemoCommand: RegisterCommands = (program: Command, ctx: CliContext) => {
  program
    .command('demo')
    .description('Import the example incidents into the database and print the review of the ransomware example')
    .option('--layer <file>', 'where to write the Navigator layer', 'hindsight-demo-layer.json')
    .action(async (opts: { layer: string }) => {
      const kb = await loadKnowledgeBaseOrDownloadFor(ctx);
      const dir = examplesDir();
      const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
      const { importFiles } = await import('../../app/import.js');
      const store = await openStoreFor(ctx);
      try {
        const imported = await importFiles(store, files, { onProgress: (m) => ctx.warn(m) });
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
