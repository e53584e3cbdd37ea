#!/usr/bin/env node
/**
 * Restricted versus unknown incidents, timed as a viewer sees them: the team server listening on
 * loopback over a store of the example incidents plus generated ones, one of them restricted to
 * an analyst, and a viewer (not on the list) asking over keep-alive HTTP for the restricted
 * incident, for one that does not exist, and (for scale) for one they may see, in random
 * interleaved order so drift on the shared machine hits all kinds alike. Each reference is asked by
 * Hindsight's id and by the source's id, on the incident detail, its navigator layer, its history
 * and the action items filtered by it. Prints median, p90, p99 (ms) per kind and route, and the ratio of the
 * restricted median to the unknown median (1.00: no side channel).
 *
 *   npx tsc -p tsconfig.build.json && node bench/restricted-timing.mjs [--requests 1500]
 *     [--attack ../shared/attack/enterprise-attack-18.1.json.gz]
 */
import http from 'node:http';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const requests = Number(arg('requests', 1500));
const attack = resolve(arg('attack', join(root, '..', 'shared', 'attack', 'enterprise-attack-18.1.json.gz')));
if (!existsSync(join(root, 'dist', 'server', 'app.js'))) throw new Error('build first: npx tsc -p tsconfig.build.json');

const { openStore } = await import('../dist/store/index.js');
const { importFiles } = await import('../dist/app/import.js');
const { loadBundle } = await import('../dist/attack/resolve.js');
const { buildServer } = await import('../dist/server/app.js');

const store = await openStore({ db: ':memory:' });
const examples = ['ransomware.json', 'phishing-credential-theft.json'].map((f) => join(root, 'examples', f));
const imported = await importFiles(store, examples, { env: {} });
const [restrictedId, visibleId] = imported.results.map((r) => r.id);
const kb = await loadBundle(attack);
const app = await buildServer({ store, kb, env: {}, precomputeAttribution: false, connectorScheduler: { enabled: false } });
await app.auth.addUser({ username: 'analyst', role: 'analyst', password: 'Quartz-Meadow-Falcon-97' }, 'bench');
await app.auth.addUser({ username: 'viewer', role: 'viewer', password: 'Cobalt-Heron-Lantern-42' }, 'bench');
const analyst = (await app.auth.createToken('analyst', 'bench', 'bench')).token;
const viewer = (await app.auth.createToken('viewer', 'bench', 'bench')).token;
await app.listen({ port: 0, host: '127.0.0.1' });
const port = app.server.address().port;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, path, token, body) {
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const payload = body ? JSON.stringify(body) : undefined;
    const req = http.request({ host: '127.0.0.1', port, path, method, agent, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode, body: Buffer.concat(chunks).toString(), ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const detail = JSON.parse((await request('GET', `/api/incidents/${restrictedId}`, analyst)).body);
const sourceId = detail.report.incident.sourceId;
// Restricted to the analyst, as an admin would restrict it.
await app.auth.restrictIncident(restrictedId, ['analyst'], 'bench');

const kinds = {
  restricted: { id: restrictedId, source: sourceId },
  // An unknown reference of the same shape as the restricted one (a number is also tried as a
  // Sentinel incident number, for both).
  unknown: { id: 'inc_000000000000', source: /^\d+$/.test(sourceId) ? String(Number(sourceId) + 7919) : 'NO-SUCH-SOURCE-ID' },
  visible: { id: visibleId, source: JSON.parse((await request('GET', `/api/incidents/${visibleId}`, viewer)).body).report.incident.sourceId },
};
const routes = [
  { name: 'GET /api/incidents/:id (id)', path: (k) => `/api/incidents/${k.id}` },
  { name: 'GET /api/incidents/:id (source id)', path: (k) => `/api/incidents/${encodeURIComponent(k.source)}` },
  { name: 'GET /api/incidents/:id/layer', path: (k) => `/api/incidents/${k.id}/layer` },
  { name: 'GET /api/incidents/:id/history', path: (k) => `/api/incidents/${k.id}/history` },
  { name: 'GET /api/action-items?incident=', path: (k) => `/api/action-items?incident=${k.id}` },
];

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99) };
};
const fmt = (x) => x.toFixed(3).padStart(7);

console.log(`restricted vs unknown incidents for a viewer: ${requests} requests per kind and route, interleaved, keep-alive HTTP on loopback (Node ${process.version})`);
for (const route of routes) {
  const names = Object.keys(kinds);
  // Warm up every path first.
  for (let i = 0; i < 200; i++) for (const k of names) await request('GET', route.path(kinds[k]), viewer);
  const times = Object.fromEntries(names.map((k) => [k, []]));
  const statuses = Object.fromEntries(names.map((k) => [k, new Set()]));
  const order = names.flatMap((k) => Array.from({ length: requests }, () => k));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (const k of order) {
    const r = await request('GET', route.path(kinds[k]), viewer);
    times[k].push(r.ms);
    statuses[k].add(r.status);
  }
  console.log(`\n${route.name}`);
  for (const k of names) {
    const s = stats(times[k]);
    console.log(`  ${k.padEnd(10)} status ${[...statuses[k]].join('/')}  median ${fmt(s.p50)} ms  p90 ${fmt(s.p90)} ms  p99 ${fmt(s.p99)} ms`);
  }
  const ratio = stats(times.restricted).p50 / stats(times.unknown).p50;
  console.log(`  restricted/unknown median ratio ${ratio.toFixed(2)}`);
}
await app.close();
await store.close();
agent.destroy();
