// Time to print the ransomware example's review to PDF in headless Chromium (one browser per PDF,
// as `hindsight review --format pdf` does). Run `npm run build` first.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { loadBundle } from '../dist/attack/resolve.js';
import { renderReviewHtml } from '../dist/export/review-html.js';
import { renderPdf } from '../dist/export/review-pdf.js';
import { parseFile } from '../dist/ingest/index.js';
import { buildReviewReport } from '../dist/review/report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = process.env.HINDSIGHT_BENCH_ATTACK ?? join(root, '..', 'shared', 'attack', 'enterprise-attack-18.1.json.gz');
if (!existsSync(bundle)) {
  console.error(`no ATT&CK bundle at ${bundle} (set HINDSIGHT_BENCH_ATTACK)`);
  process.exit(1);
}
const kb = await loadBundle(bundle);
const parsed = await parseFile(join(root, 'examples', 'ransomware.json'));
const incident = { ...parsed.incidents[0], id: 'inc_bench', importedAt: new Date().toISOString() };
const html = renderReviewHtml(buildReviewReport(incident, kb));
const runs = Number(process.env.RUNS ?? 5);
const times = [];
let bytes = 0;
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const pdf = await renderPdf(html, { footerLabel: incident.title });
  times.push(performance.now() - t0);
  bytes = pdf.length;
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`review PDF (ransomware example, ${html.length} bytes of HTML -> ${bytes} bytes of PDF), ${runs} runs`);
console.log(`  median ${median.toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms (browser start included)`);
