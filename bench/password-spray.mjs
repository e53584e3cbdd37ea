#!/usr/bin/env node
/**
 * A password spray against the team server while a signed-in person lists incidents. The server
 * runs in its own process (as `hindsight serve` does); this process measures the incident list at
 * a fixed rate (keep-alive HTTP) for some seconds with no spray, then again while four workers
 * send wrong passwords over many user names as fast as the server answers:
 *   1. from one address (what the penetration test did);
 *   2. from 200 addresses (X-Forwarded-For through a trusted proxy), so the per-address limit does
 *      not stop it and the global limit and the bounded password hashing have to.
 * Prints the incident list's p50/p90/p99 before and during each spray, and how many spray attempts
 * were checked (401: a password was hashed) and how many were throttled (429, before any hashing).
 *
 *   npx tsc -p tsconfig.build.json && node bench/password-spray.mjs [--seconds 10] [--rate 50]
 *     [--attack ../shared/attack/enterprise-attack-18.1.json.gz]
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const root = resolve(dirname(self), '..');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const attack = resolve(arg('attack', join(root, '..', 'shared', 'attack', 'enterprise-attack-18.1.json.gz')));
if (!existsSync(join(root, 'dist', 'server', 'app.js'))) throw new Error('build first: npx tsc -p tsconfig.build.json');

if (args.includes('--serve')) {
  // The server process: the example incidents, a viewer with a token, listening on loopback.
  const { openStore } = await import('../dist/store/index.js');
  const { importFiles } = await import('../dist/app/import.js');
  const { loadBundle } = await import('../dist/attack/resolve.js');
  const { buildServer } = await import('../dist/server/app.js');
  const store = await openStore({ db: ':memory:' });
  await importFiles(store, ['ransomware.json', 'phishing-credential-theft.json'].map((f) => join(root, 'examples', f)), { env: {} });
  const app = await buildServer({ store, kb: await loadBundle(attack), env: {}, trustProxy: true, precomputeAttribution: false, connectorScheduler: { enabled: false } });
  await app.auth.addUser({ username: 'viewer', role: 'viewer', password: 'Cobalt-Heron-Lantern-42' }, 'bench');
  const token = (await app.auth.createToken('viewer', 'bench', 'bench')).token;
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.send?.({ port: app.server.address().port, token });
  process.on('message', async (m) => {
    if (m === 'stop') {
      await app.close();
      await store.close();
      process.exit(0);
    }
  });
} else {
  const seconds = Number(arg('seconds', 10));
  const rate = Number(arg('rate', 50));
  const server = fork(self, ['--serve', '--attack', attack], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port, token } = await new Promise((ok) => server.once('message', ok));
  const listAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const sprayAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  const call = (agent, method, path, headers, body) =>
    new Promise((ok, fail) => {
      const t0 = process.hrtime.bigint();
      const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
        res.resume();
        res.on('end', () => ok({ status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
      });
      req.on('error', fail);
      req.end(body);
    });

  /** The incident list at a fixed rate (open loop: a slow answer does not hold back the next request). */
  async function measureList() {
    const latencies = [];
    const pending = [];
    const start = performance.now();
    for (let i = 0; i < seconds * rate; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(call(listAgent, 'GET', '/api/incidents', { authorization: `Bearer ${token}` }).then((r) => latencies.push(r.ms)));
    }
    await Promise.all(pending);
    latencies.sort((a, b) => a - b);
    const p = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1);
    return `p50 ${p(0.5)} ms  p90 ${p(0.9)} ms  p99 ${p(0.99)} ms  (n=${latencies.length}; load ${loadavg()[0].toFixed(2)})`;
  }

  /** Four workers sending wrong passwords over many user names until told to stop. */
  function spray(addresses) {
    const counts = { 401: 0, 429: 0, other: 0 };
    let stop = false;
    let n = 0;
    const worker = async () => {
      while (!stop) {
        const i = n++;
        const body = JSON.stringify({ username: `user${i % 5000}`, password: `Winter${2020 + (i % 7)}!` });
        const headers = { 'content-type': 'application/json', ...(addresses > 1 ? { 'x-forwarded-for': `10.66.${Math.floor((i % addresses) / 250)}.${(i % addresses) % 250}` } : {}) };
        const r = await call(sprayAgent, 'POST', '/api/auth/login', headers, body);
        counts[r.status === 401 || r.status === 429 ? r.status : 'other'] += 1;
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    return { counts, done: () => ((stop = true), Promise.all(workers)) };
  }

  console.log(`password spray vs the incident list: ${rate} list requests/s for ${seconds} s per phase; four spray workers`);
  console.log(`  no spray:                  ${await measureList()}`);
  for (const addresses of [1, 200]) {
    const s = spray(addresses);
    const line = await measureList();
    await s.done();
    const total = s.counts[401] + s.counts[429] + s.counts.other;
    console.log(`  spray from ${String(addresses).padEnd(3)} address(es): ${line}`);
    console.log(`      spray attempts ${total}: checked (401) ${s.counts[401]}, throttled (429, no hashing) ${s.counts[429]}${s.counts.other ? `, other ${s.counts.other}` : ''}`);
    // The next phase starts from a server that has forgotten nothing: say so rather than hide it.
  }
  console.log(`  no spray, after:           ${await measureList()}`);
  server.send('stop');
  listAgent.destroy();
  sprayAgent.destroy();
}
