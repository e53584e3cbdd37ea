// The team server's memory during one large upload: FILES generated Graph alert files of about
// SIZE_MB each (default 5 x 45 MB) sent in one multipart request to `hindsight serve` running in its
// own process. Prints the server's resident memory before, at its peak and after, and the time the
// import took. Run `npm run build` first.
import { execFileSync, spawn } from 'node:child_process';
import { openAsBlob, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'hindsight.js');
const files = Number(process.env.FILES ?? 5);
const sizeMb = Number(process.env.SIZE_MB ?? 45);
const dir = mkdtempSync(join(tmpdir(), 'hindsight-bench-upload-'));
const db = join(dir, 'bench.db');
const bundle = process.env.HINDSIGHT_BENCH_ATTACK ?? join(root, '..', 'shared', 'attack', 'enterprise-attack-18.1.json.gz');
const env = { ...process.env, HINDSIGHT_USER: 'bench', HINDSIGHT_ATTACK_DATA: bundle };
const run = (args) => execFileSync(process.execPath, [cli, ...args, '--db', db], { encoding: 'utf8', env });

// About 2.6 KB an alert in the generator's output.
const paths = [];
for (let i = 0; i < files; i++) {
  const path = join(dir, `alerts-${i}.ndjson`);
  execFileSync(process.execPath, [join(root, 'bench', 'generate-graph-alerts.mjs'), '--count', String(Math.round((sizeMb * 1024 * 1024) / 2670)), '--seed', String(100 + i), '-o', path]);
  paths.push(path);
}
const totalMb = paths.reduce((n, p) => n + statSync(p).size, 0) / 1024 / 1024;

run(['users', 'add', 'bench', '--role', 'analyst']);
const { token } = JSON.parse(run(['tokens', 'create', '--user', 'bench', '--json']));
const port = 4790 + Math.floor(Math.random() * 100);
const server = spawn(process.execPath, [cli, 'serve', '--db', db, '--port', String(port), '--no-demo', '--no-scheduler', '--no-access-log'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
let serverErrors = '';
server.stderr.on('data', (chunk) => (serverErrors += chunk));
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  if (await fetch(`${base}/api/health`).then(() => true, () => false)) break;
  if (i > 600 || server.exitCode !== null) throw new Error(`the server did not start: ${serverErrors.trim()}`);
  await new Promise((r) => setTimeout(r, 100));
}
await new Promise((r) => setTimeout(r, 1000));
const before = rssMb();
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 100);
const form = new FormData();
for (const p of paths) form.append('files', await openAsBlob(p), p.split('/').pop());
const t0 = performance.now();
const res = await fetch(`${base}/api/incidents/import`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
const body = await res.json();
const seconds = (performance.now() - t0) / 1000;
await new Promise((r) => setTimeout(r, 5000));
clearInterval(sampler);
console.log(`upload of ${files} files, ${totalMb.toFixed(0)} MB in all: HTTP ${res.status} in ${seconds.toFixed(1)} s${body.summary ? ` (${body.summary.alerts} alerts, ${body.summary.incidents} incidents)` : ` ${JSON.stringify(body).slice(0, 200)}`}`);
console.log(`server resident memory: before ${before.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, 5 s after ${rssMb().toFixed(0)} MB`);
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
rmSync(dir, { recursive: true, force: true });
