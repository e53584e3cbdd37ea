#!/usr/bin/env node
/**
 * Team server under load: 10,000 incidents in SQLite, `hindsight serve` in its own process, a load
 * generator on loopback (keep-alive HTTP, open loop at a fixed rate so a slow answer cannot hold
 * back the next request), against the incident list, a filtered full-text search, and the incident
 * detail (the full review). The detail is measured three ways:
 *   - a working set of 200 incidents (what a team reviewing does; finished reviews are cached in
 *     the server until the incident or its review changes);
 *   - cold, every request a different incident of the 10,000, once the server has stored the
 *     attribution of every incident (it computes them in idle time after it starts and after
 *     imports; the bench waits for that and says how long it took);
 *   - cold and first view: the stored attributions deleted first, so every answer also ranks every
 *     ATT&CK group and campaign (what opening an incident nobody opened costs before the server
 *     caught up).
 * For each: the most the server answers per second with 32 requests in flight (which also warms the
 * working set), then p50, p90, p99 and max latency and the achieved rate at the target rate. Beside
 * each figure: the load average and the CPU time the server process used, because the machine is
 * shared. Then the CPU one review costs to build in this process, from scratch and with the stored
 * attribution.
 *
 *   npx tsc -p tsconfig.build.json && node bench/server.mjs [--incidents 10000] [--rate 200]
 *     [--seconds 15] [--attack ../shared/attack/enterprise-attack-18.1.json.gz] [--db PATH]
 *
 * Target: p99 at most 50 ms at 200 requests per second.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
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

if (!existsSync(join(root, 'dist', 'server', 'app.js'))) throw new Error('build first: npx tsc -p tsconfig.build.json');
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

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
  const c0 = process.cpuUsage();
  const { importFiles } = await import('../dist/app/import.js');
  const result = await importFiles(store, [file], { env: {} });
  const c = process.cpuUsage(c0);
  console.log(`seeded ${result.summary.incidents} incidents, ${result.summary.alerts} alerts in ${((performance.now() - t0) / 1000).toFixed(1)} s (${((c.user + c.system) / 1e6).toFixed(1)} s CPU, load ${load()})`);
  rmSync(file, { force: true });
}
const list = await store.listIncidents({ limit: incidents });
const ids = list.map((i) => i.id);
const accounts = await import('../dist/app/accounts/index.js');
if (!(await accounts.listUsers(store)).some((u) => u.username === 'bench')) await accounts.addUser(store, { username: 'bench', role: 'viewer' }, 'bench');
const { token } = await accounts.createToken(store, 'bench', 'bench', 'bench');
const { AttributionCache } = await import('../dist/app/attribution.js');
const { loadBundle } = await import('../dist/attack/resolve.js');
const kb = await loadBundle(attack);
const attribution = new AttributionCache(store, kb);
/** Incidents whose stored attribution is missing or stale (read through this process's own connection). */
const staleCount = async () => (await attribution.staleIncidents(incidents + 1)).length;
console.log(`store: ${dbPath} (${ids.length} incidents; stored attribution missing or stale for ${await staleCount()})`);

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
/** CPU seconds the server process has used (Linux /proc; null elsewhere). */
const clockTicks = 100;
function serverCpu() {
  try {
    const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return null;
  }
}

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
const listPath = () => '/api/incidents?limit=50';
const searchPath = () => '/api/incidents?severity=high&q=powershell&limit=50';
const workingSetPath = () => `/api/incidents/${ids[(n++ * 7919) % 200]}`;
const coldPath = () => `/api/incidents/${pickId()}`;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function summary(latencies, elapsedS, cpuBefore) {
  const s = [...latencies].sort((a, b) => a - b);
  const cpuAfter = serverCpu();
  const cpu = cpuBefore !== null && cpuAfter !== null ? `server CPU ${(cpuAfter - cpuBefore).toFixed(1)} s (${(((cpuAfter - cpuBefore) / s.length) * 1000).toFixed(1)} ms/request)` : 'server CPU n/a';
  return `n=${s.length}  p50 ${percentile(s, 50).toFixed(1)} ms  p90 ${percentile(s, 90).toFixed(1)} ms  p99 ${percentile(s, 99).toFixed(1)} ms  max ${s[s.length - 1].toFixed(1)} ms  ${(s.length / elapsedS).toFixed(0)} req/s; ${cpu}; load ${load()}`;
}

/** Open loop: one request every 1/rate seconds, whatever the answers do. */
async function fixedRate(pathOf, ratePerS, durationS) {
  const latencies = [];
  const pending = [];
  const interval = 1000 / ratePerS;
  const cpu0 = serverCpu();
  const start = performance.now();
  for (let i = 0; i < ratePerS * durationS; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(get(pathOf()).then((ms) => latencies.push(ms)));
  }
  await Promise.all(pending);
  return summary(latencies, (performance.now() - start) / 1000, cpu0);
}

/** Closed loop: `concurrency` requests in flight, as fast as the server answers. */
async function maxThroughput(pathOf, concurrency, durationS) {
  const latencies = [];
  const cpu0 = serverCpu();
  const end = performance.now() + durationS * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) latencies.push(await get(pathOf()));
    }),
  );
  return summary(latencies, (performance.now() - start) / 1000, cpu0);
}

async function measure(name, pathOf) {
  console.log(`\n${name}`);
  console.log(`  max, 32 in flight, 5 s:     ${await maxThroughput(pathOf, 32, 5)}`);
  console.log(`  at ${rate} req/s for ${seconds} s:   ${await fixedRate(pathOf, rate, seconds)}`);
}

const loadGeneratorCpu0 = process.cpuUsage();
try {
  console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load average ${load()}, Node ${process.version}`);
  for (const pathOf of [listPath, searchPath, workingSetPath]) for (let i = 0; i < 50; i++) await get(pathOf()); // warm up
  await measure('incident list (GET /api/incidents?limit=50, newest first, with review state and alert counts)', listPath);
  await measure('incident list filtered and searched (severity=high&q=powershell: full-text index, 1,000+ matches ordered)', searchPath);
  await measure('incident detail, a working set of 200 incidents the team is reviewing (GET /api/incidents/:id, the full review)', workingSetPath);

  // The server stores every incident's attribution in idle time; wait until it has caught up.
  const waitStart = performance.now();
  let stale = await staleCount();
  while (stale > 0 && performance.now() - waitStart < 600_000) {
    await new Promise((r) => setTimeout(r, 2000));
    stale = await staleCount();
  }
  console.log(`\n(waited ${((performance.now() - waitStart) / 1000).toFixed(0)} s for the server to store the attribution of every incident; ${stale} still missing)`);
  await measure('incident detail, cold: every request a different incident of the 10,000 (attribution stored)', coldPath);

  const { sql } = await import('kysely');
  await sql`delete from incident_attribution`.execute(store.db);
  await measure('incident detail, cold and first view: every request a different incident, attribution computed in the request (stored ones deleted)', coldPath);

  const mixed = () => (n++ % 2 ? listPath() : workingSetPath());
  console.log(`\nmixed list and working-set detail at ${rate} req/s for ${seconds} s: ${await fixedRate(mixed, rate, seconds)}`);
} finally {
  agent.destroy();
  server.kill('SIGTERM');
}
const gen = process.cpuUsage(loadGeneratorCpu0);
console.log(`\nload generator CPU: ${((gen.user + gen.system) / 1e6).toFixed(1)} s`);

// 3. One review built in this process: CPU per incident, from scratch and with the stored attribution.
{
  const { loadReviewContent } = await import('../dist/app/review/content.js');
  const { buildFullReview } = await import('../dist/review/full-report.js');
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const sample = ids.slice(0, 300);
  const timing = { read: 0, scratch: 0, stored: 0, json: 0 };
  for (const id of sample) {
    let c = cpuMs();
    const incident = await store.getIncident(id);
    const content = await loadReviewContent(store, id);
    timing.read += cpuMs() - c;
    c = cpuMs();
    buildFullReview(incident, kb, content);
    timing.scratch += cpuMs() - c;
    await attribution.actorsFor(incident); // stored now, if it was not
    c = cpuMs();
    const report = buildFullReview(incident, kb, content, new Date(), { actors: await attribution.actorsFor(incident) });
    timing.stored += cpuMs() - c;
    c = cpuMs();
    JSON.stringify(report);
    timing.json += cpuMs() - c;
  }
  const per = (v) => (v / sample.length).toFixed(2);
  console.log(
    `one review, in process, CPU per incident (${sample.length} incidents): reading it ${per(timing.read)} ms; building it from scratch ${per(timing.scratch)} ms, with the stored attribution ${per(timing.stored)} ms; JSON ${per(timing.json)} ms (load ${load()})`,
  );
}
await store.close();
