// N parallel PDF downloads of the ransomware review from the team server (default 20): wall time,
// per-download latency, Chromium processes and memory (server + its browsers) at their peak, and
// the server's memory once the browser has closed. Then the same PDFs printed the way a download
// did before the shared printer (one browser per PDF), for comparison. Run `npm run build` first.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadBundle } from '../dist/attack/resolve.js';
import { importFiles } from '../dist/app/import.js';
import { renderPdf } from '../dist/export/review-pdf.js';
import { buildServer } from '../dist/server/app.js';
import { openStore } from '../dist/store/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = process.env.HINDSIGHT_BENCH_ATTACK ?? join(root, '..', 'shared', 'attack', 'enterprise-attack-18.1.json.gz');
const parallel = Number(process.env.DOWNLOADS ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'hindsight-bench-pdf-'));

/** This process and every process below it: how many are Chromium, and their resident memory in all. */
function processTree() {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,comm='], { encoding: 'utf8' }).trim().split('\n').map((l) => l.trim().split(/\s+/));
  const children = new Map();
  for (const [pid, ppid, rss, comm] of rows) children.set(ppid, [...(children.get(ppid) ?? []), { pid, rss: Number(rss), comm }]);
  let chromium = 0;
  let rssKb = Number(rows.find(([pid]) => pid === String(process.pid))?.[2] ?? 0);
  const walk = (pid) => {
    for (const c of children.get(pid) ?? []) {
      if (/chrom/i.test(c.comm)) chromium += 1;
      rssKb += c.rss;
      walk(c.pid);
    }
  };
  walk(String(process.pid));
  return { chromium, rssMb: rssKb / 1024 };
}

async function measure(label, run) {
  let peak = { chromium: 0, rssMb: 0 };
  const sampler = setInterval(() => {
    const now = processTree();
    peak = { chromium: Math.max(peak.chromium, now.chromium), rssMb: Math.max(peak.rssMb, now.rssMb) };
  }, 50);
  const t0 = performance.now();
  const times = await run();
  const wall = performance.now() - t0;
  clearInterval(sampler);
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(0);
  console.log(`${label}: ${times.length} PDFs in ${(wall / 1000).toFixed(1)} s; per download p50 ${at(0.5)} ms, p95 ${at(0.95)} ms`);
  console.log(`  peak: ${peak.chromium} Chromium processes, ${peak.rssMb.toFixed(0)} MB resident (Node + browsers)`);
}

const store = await openStore({ db: join(dir, 'bench.db'), env: {} });
const kb = await loadBundle(bundle);
const imported = await importFiles(store, [join(root, 'examples', 'ransomware.json')], { env: {} });
const id = imported.results[0].id;
const app = await buildServer({ store, kb, env: {}, precomputeAttribution: false, connectorScheduler: { enabled: false } });
await app.auth.addUser({ username: 'bench', role: 'viewer', password: 'Juniper-Canyon-Violet-64' }, 'bench');
const { token } = await app.auth.createToken('bench', 'bench', 'bench');
const download = async () => {
  const t0 = performance.now();
  const res = await app.inject({ url: `/api/incidents/${id}/report?format=pdf`, headers: { authorization: `Bearer ${token}` } });
  if (res.statusCode !== 200) throw new Error(`download failed: ${res.statusCode} ${res.body.slice(0, 200)}`);
  return performance.now() - t0;
};

const html = (await app.inject({ url: `/api/incidents/${id}/report?format=html`, headers: { authorization: `Bearer ${token}` } })).body;
console.log(`before: ${processTree().rssMb.toFixed(0)} MB resident`);
await download(); // warm: the report cache and the browser
await measure(`shared printer, ${parallel} parallel downloads`, () => Promise.all(Array.from({ length: parallel }, download)));
await app.close(); // closes the browser, as the idle timer does after a minute
console.log(`after the browser closed: ${processTree().rssMb.toFixed(0)} MB resident`);

if (process.env.COMPARE !== '0') {
  await measure(`one browser per PDF (before), ${parallel} in parallel`, () =>
    Promise.all(
      Array.from({ length: parallel }, async () => {
        const t0 = performance.now();
        await renderPdf(html);
        return performance.now() - t0;
      }),
    ),
  );
}
await store.close();
rmSync(dir, { recursive: true, force: true });
