// Coverage benchmarks. Run `npm run build` first.
//  1. Importing the real Sigma corpus against a plain YAML parse of the same files: runs the rules
//     engineer's bench/rules-import.mjs (target: at most 1.5x).
//  2. Coverage computation over 10,000 synthetic rules and an incident aggregate of 100,000
//     synthetic alert technique occurrences (target: at most 2 s), against ATT&CK 18.1 from ../shared.
//  3. The SQL aggregate itself: 100,000 alert_techniques rows in a scratch SQLite store.
//   node bench/coverage.mjs [ROUNDS]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeCoverage } from '../dist/analysis/coverage/compute.js';
import { loadBundle } from '../dist/attack/resolve.js';
import { openStore } from '../dist/store/index.js';
import { incidentCoverageAggregate } from '../dist/app/coverage.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] || 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log('== Sigma import vs plain YAML parse (bench/rules-import.mjs)');
const r = spawnSync(process.execPath, [join(root, 'bench', 'rules-import.mjs'), '', String(rounds)], { encoding: 'utf8' });
process.stdout.write(r.stdout);
if (r.status !== 0) process.stderr.write(r.stderr);

console.log('== coverage computation');
const kb = await loadBundle(join(root, '..', 'shared', 'attack', 'enterprise-attack-18.1.json.gz'));
const ids = kb.techniques().map((t) => t.id);
// Deterministic pseudo-random numbers.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = () => ids[Math.floor(rand() * ids.length)];
const levels = ['low', 'medium', 'high', 'critical'];
const statuses = ['stable', 'test', 'experimental'];
const rules = Array.from({ length: 10_000 }, (_, i) => ({
  id: `r${i}`,
  status: statuses[i % 3],
  level: levels[i % 4],
  deprecated: i % 50 === 0,
  techniqueIds: [pick(), ...(i % 3 === 0 ? [pick()] : []), ...(i % 97 === 0 ? ['T1685'] : [])],
  tactics: i % 5 === 0 ? ['stealth'] : ['execution'],
}));
// 100,000 alert technique occurrences over 20,000 incidents, aggregated as SQL would give them.
const ALERTS = 100_000;
const INCIDENTS = 20_000;
const perTechnique = new Map();
const perIncident = new Map();
for (let a = 0; a < ALERTS; a++) {
  const t = pick();
  const inc = `inc_${Math.floor(rand() * INCIDENTS)}`;
  const e = perTechnique.get(t) ?? { alerts: 0, incidents: new Set() };
  e.alerts++;
  e.incidents.add(inc);
  perTechnique.set(t, e);
  if (Number(inc.slice(4)) % 20 === 0) {
    const key = `${inc}|${t}`;
    perIncident.set(key, (perIncident.get(key) ?? 0) + 1);
  }
}
const aggregate = {
  alertTechniques: [...perTechnique].map(([techniqueId, e]) => ({ techniqueId, alerts: e.alerts, incidents: e.incidents.size })),
  alertTechniquesOfConfirmedIncidents: [...perIncident].map(([k, alerts]) => ({ incidentId: k.split('|')[0], techniqueId: k.split('|')[1], alerts })),
  confirmed: Array.from({ length: 1000 }, (_, i) => ({ incidentId: `inc_${i * 20}`, techniqueId: pick() })),
};
const times = [];
let result;
computeCoverage(kb, rules, aggregate, { kind: 'prevalence' });
for (let i = 0; i < rounds; i++) {
  const t = performance.now();
  result = computeCoverage(kb, rules, aggregate, { kind: i % 2 ? 'prevalence' : 'actors', refs: ['APT29', 'FIN7'] });
  times.push(performance.now() - t);
}
console.log(`rules: ${rules.length}, alert occurrences: ${ALERTS}, incidents: ${INCIDENTS}, confirmed: ${aggregate.confirmed.length}`);
console.log(`covered ${result.techniques.covered}/${result.techniques.total}, observed ${result.techniques.observed}, missed ${result.techniques.missed}, gaps ${result.gaps.length}`);
console.log(`computeCoverage (median of ${rounds}): ${median(times).toFixed(0)} ms (target: at most 2000 ms)`);

console.log('== SQL aggregate (SQLite)');
const dir = mkdtempSync(join(tmpdir(), 'hindsight-bench-coverage-'));
const store = await openStore({ db: join(dir, 'bench.db') });
try {
  // The rows below are written with the database's own snake_case names.
  const db = store.db.withoutPlugins();
  const now = new Date().toISOString();
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < INCIDENTS; i += 500) {
      await trx.insertInto('incidents').values(Array.from({ length: 500 }, (_, k) => incidentRow(`inc_${i + k}`, now))).execute();
    }
  });
  // Alerts: one row per occurrence (keeps alert ids unique), inserted in batches.
  await db.transaction().execute(async (trx) => {
    const batch = [];
    const techBatch = [];
    for (let a = 0; a < ALERTS; a++) {
      const inc = `inc_${a % INCIDENTS}`;
      batch.push(alertRow(`al_${a}`, inc, now));
      techBatch.push({ alert_id: `al_${a}`, incident_id: inc, technique_id: pick() });
      if (batch.length === 400) {
        await trx.insertInto('alerts').values(batch.splice(0)).execute();
        await trx.insertInto('alert_techniques').values(techBatch.splice(0)).execute();
      }
    }
    if (batch.length) await trx.insertInto('alerts').values(batch).execute();
    if (techBatch.length) await trx.insertInto('alert_techniques').values(techBatch).execute();
    await trx
      .insertInto('review_confirmed_techniques')
      .values(Array.from({ length: 1000 }, (_, i) => ({ incident_id: `inc_${i * 20}`, technique_id: pick(), confirmed_by: null, confirmed_at: now, note: null })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  });
  const sqlTimes = [];
  let agg;
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    agg = await incidentCoverageAggregate(store);
    sqlTimes.push(performance.now() - t);
  }
  console.log(`incidentCoverageAggregate over ${ALERTS} alert technique rows (median of ${rounds}): ${median(sqlTimes).toFixed(0)} ms; ${agg.alertTechniques.length} technique rows, ${agg.alertTechniquesOfConfirmedIncidents.length} rows of confirmed incidents`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

function incidentRow(id, now) {
  return { id, source: 'bench', source_format: 'graph', source_id: id, tenant_id: null, title: id, description: null, summary: null, severity: 'medium', status: 'resolved', classification: null, determination: null, assigned_to: null, created_at: now, updated_at: now, resolved_at: null, tags: '[]', web_url: null, redirect_incident_id: null, partial: 0, raw: null, content_hash: id, imported_at: now };
}
function alertRow(id, incidentId, now) {
  return { id, incident_id: incidentId, source: 'bench', source_id: id, provider_alert_id: null, title: id, description: null, severity: 'medium', status: 'resolved', classification: null, determination: null, category: null, service_source: null, detection_source: null, detector_id: null, product_name: null, assigned_to: null, actor_display_name: null, threat_display_name: null, threat_family_name: null, created_at: now, updated_at: now, first_activity_at: null, last_activity_at: null, resolved_at: null, techniques: '[]', recommended_actions: null, web_url: null, raw: null, content_hash: id };
}
