#!/usr/bin/env node
/**
 * Team server under load: 10,000 incidents in SQLite, `hindsight serve` in its own process, a load
 * generator on loopback (keep-alive HTTP, open loop at a fixed rate so a slow answer cannot hold
 * back the next request), against the incident list and the incident detail (full review) endpoints.
 * The detail endpoint is measured twice: over a working set of 200 incidents (what a team
 * reviewing does; finished reviews are cached until the incident or its review changes) and cold,
 * every request a different incident (each answer built from scratch).
 * Prints p50, p90, p99 and max latency and the achieved requests per second at the target rate,
 * after the most the server answers per second with 32 requests in flight (which also warms the
 * working set).
 *
 *   npm run build && node bench/server.mjs [--incidents 10000] [--rate 200] [--seconds 15]
 *     [--attack ../shared/attack/enterprise-attack-18.1.json.gz] [--db /tmp/hindsight-bench-server.db]
 *
 * Target: p99 at most 50 ms at 200 requests per second.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const incidents = Number(arg('incidents', 10_000));
const rate = Number(arg('rate', 200));
const seconds = Number(arg('seconds', 15));
const attack = resolve(arg('attack', join(root, '..', 'shared', 'attack', 'enterprise-attack-18.1.json.gz')));
const dbPath = resolve(arg('db', join(tmpdir(), `hindsight-bench-server-${incidents}.db`)));
const port = Number(arg('port', 4791));

if (!existsSync(join(root, 'dist', 'server', 'app.js'))) throw new Error('run npm run build first');

// 1. The store: 10,000 incidents (5 Graph alerts each), imported through Hindsight's own importer.
const { openStore } = await import('../dist/store/index.js');
let store = await openStore({ db: dbPath });
const existing = (await store.listIncidents({ limit: incidents + 1 })).length;
if (existing < incidents) {
  await store.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
  const { writeGraphAlerts } = await import('./generate-graph-alerts.mjs');
  const file = join(tmpdir(), `hindsight-bench-server-alerts-${incidents}.ndjson`);
  await writeGraphAlerts(file, { count: incidents * 5, perIncident: 5, seed: 11 });
  store = await openStore({ db: dbPath });
  const t0 = performance.now();
  const { importFiles } = await import('../dist/services/import-files.js');
  const result = await importFiles(store, [file], { env: {} });
  console.log(`seeded ${result.summary.incidents} incidents, ${result.summary.alerts} alerts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  rmSync(file, { force: true });
}
const list = await store.listIncidents({ limit: incidents });
const ids = list.map((i) => i.id);
const { AuthStore } = await import('../dist/auth/auth-store.js');
const auth = new AuthStore(store.db);
if (!(await auth.getUser('bench'))) await auth.addUser({ username: 'bench', role: 'viewer' }, 'bench');
const { token } = await auth.createToken('bench', 'bench', 'bench');
await store.close();
console.log(`store: ${dbPath} (${ids.length} incidents)`);

// 2. The server, in its own process.
const server = spawn(process.execPath, [join(root, 'bin', 'hindsight.js'), 'serve', '--db', dbPath, '--attack', attack, '--port', String(port), '--no-demo'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, HINDSIGHT_CACHE_DIR: join(tmpdir(), 'hindsight-bench-cache') } });
await new Promise((done, fail) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    if (out.includes('Hindsight is serving')) done();
  });
  server.on('exit', (code) => fail(new Error(`hindsight serve exited with ${code}`)));
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function get(path) {
  return new Promise((done, fail) => {
    const started = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? done(performance.now() - started) : fail(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', fail);
  });
}

let n = 0;
const pickId = () => ids[(n++ * 7919) % ids.length];
const endpoints = {
  'incident list (GET /api/incidents?limit=50, newest first, with review state and alert counts)': () => '/api/incidents?limit=50',
  'incident list filtered and searched (severity=high&q=...)': () => '/api/incidents?severity=high&q=powershell&limit=50',
  'incident detail, a working set of 200 incidents the team is reviewing (GET /api/incidents/:id, the full review)': () => `/api/incidents/${ids[(n++ * 7919) % 200]}`,
  'incident detail, cold: every request a different incident of the 10,000': () => `/api/incidents/${pickId()}`,
};

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function summary(latencies, elapsedS) {
  const s = [...latencies].sort((a, b) => a - b);
  return `n=${s.length}  p50 ${percentile(s, 50).toFixed(1)} ms  p90 ${percentile(s, 90).toFixed(1)} ms  p99 ${percentile(s, 99).toFixed(1)} ms  max ${s[s.length - 1].toFixed(1)} ms  ${(s.length / elapsedS).toFixed(0)} req/s`;
}

/** Open loop: one request every 1/rate seconds, whatever the answers do. */
async function fixedRate(pathOf, ratePerS, durationS) {
  const latencies = [];
  const pending = [];
  const interval = 1000 / ratePerS;
  const start = performance.now();
  for (let i = 0; i < ratePerS * durationS; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(get(pathOf()).then((ms) => latencies.push(ms)));
  }
  await Promise.all(pending);
  return summary(latencies, (performance.now() - start) / 1000);
}

/** Closed loop: `concurrency` requests in flight, as fast as the server answers. */
async function maxThroughput(pathOf, concurrency, durationS) {
  const latencies = [];
  const end = performance.now() + durationS * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) latencies.push(await get(pathOf()));
    }),
  );
  return summary(latencies, (performance.now() - start) / 1000);
}

try {
  console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, Node ${process.version}`);
  for (const pathOf of Object.values(endpoints)) for (let i = 0; i < 50; i++) await get(pathOf()); // warm up
  for (const [name, pathOf] of Object.entries(endpoints)) {
    console.log(`\n${name}`);
    console.log(`  max, 32 in flight, 5 s:     ${await maxThroughput(pathOf, 32, 5)}`);
    console.log(`  at ${rate} req/s for ${seconds} s:   ${await fixedRate(pathOf, rate, seconds)}`);
  }
  const mixed = () => (n++ % 2 ? '/api/incidents?limit=50' : `/api/incidents/${ids[(n * 7919) % 200]}`);
  console.log(`\nmixed list and detail at ${rate} req/s for ${seconds} s: ${await fixedRate(mixed, rate, seconds)}`);
} finally {
  agent.destroy();
  server.kill('SIGTERM');
}
