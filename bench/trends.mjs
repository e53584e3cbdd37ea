#!/usr/bin/env node
/**
 * Trends and skills over a generated year (bench/generate-history.mjs: 50,000 incidents, about
 * 1,000,000 alerts, weak spot T1566) on SQLite and PostgreSQL. Prints generation time, the one-off
 * build of the learning facts, then `hindsight trends` and `hindsight skills` work (the facts
 * freshness check, the SQL aggregation and the pure analysis) in seconds with the phase's peak RSS,
 * and whether skills names the planted weak spot.
 *
 *   npm run build && node bench/trends.mjs [--incidents 50000] [--alerts-per-incident 20]
 *     [--sqlite /tmp/history.db] [--pg postgres://postgres@127.0.0.1:5432/test] [--no-pg] [--no-sqlite] [--reuse] [--keep-pg]
 *
 * --reuse keeps an already generated SQLite file (and a kept PostgreSQL schema, --keep-pg).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHistory } from './generate-history.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const incidents = Number(arg('--incidents', '50000'));
const perIncident = Number(arg('--alerts-per-incident', '20'));
const weakSpot = arg('--weak-spot', 'T1566');
const reuse = args.includes('--reuse');
const sqlitePath = arg('--sqlite', join(mkdtempSync(join(tmpdir(), 'hindsight-trends-')), 'history.db'));
const pgUrl = args.includes('--no-pg') ? null : arg('--pg', 'postgres://postgres@127.0.0.1:5432/test');

const { connect } = await import('../dist/store/connect.js');
const { refreshLearningFacts, trendAggregates, skillAggregates } = await import('../dist/store/learning/index.js');
const { CamelCasePlugin } = await import('kysely');
const { analyseTrends } = await import('../dist/analysis/trends/index.js');
const { analyseSkills, parseTeamMapping } = await import('../dist/analysis/skills/index.js');
const { teamMappingYaml } = await import('./generate-history.mjs');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, '..', 'shared', 'attack', 'enterprise-attack-18.1.json.gz');
let kb;
if (existsSync(bundle)) {
  const { loadKnowledgeBase } = await import('../dist/attack/resolve.js');
  kb = await loadKnowledgeBase({ attack: bundle, env: {} });
} else console.log(`no ATT&CK bundle at ${bundle}: names, tactics and training material left out`);

console.log(`machine: ${cpus().length} CPU(s), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}`);

let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
setInterval(sample, 10).unref();
const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
/**
 * Wall time next to this process's CPU time (user + system) and the load average at the end: on a
 * busy machine wall time well above CPU time means waiting for the CPU or the disk (or, on
 * PostgreSQL, for the server, whose CPU is not counted here).
 */
async function phase(label, fn) {
  global.gc?.();
  peak = process.memoryUsage().rss;
  const cpu = process.cpuUsage();
  const t = performance.now();
  const result = await fn();
  sample();
  const wall = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuS = (used.user + used.system) / 1e6;
  console.log(
    `  ${label.padEnd(40)} ${wall.toFixed(2).padStart(7)} s wall  ${cpuS.toFixed(2).padStart(7)} s CPU   peak RSS ${mb(peak).padStart(7)}   load ${loadavg()[0].toFixed(1)}`,
  );
  return result;
}

async function run(name, target, schema) {
  console.log(`\n${name}: ${target}${schema ? ` (schema ${schema})` : ''}`);
  if (schema && !reuse) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  }
  const connection = await connect({ db: target, ...(schema ? { schema } : {}) });
  try {
    const { db } = connection;
    // The learning queries take the store's typed handle: camelCase names mapped to the columns.
    const learning = db.withPlugin(new CamelCasePlugin());
    const stored = await db.selectFrom('incidents').select(db.fn.countAll().as('n')).executeTakeFirst();
    if (!(reuse && Number(stored?.n ?? 0) > 0)) {
      const counts = await phase(`generate ${incidents.toLocaleString('en-US')} incidents`, () => generateHistory(connection, { incidents, alertsPerIncident: perIncident, weakSpot }));
      console.log(`    ${counts.incidents.toLocaleString('en-US')} incidents, ${counts.alerts.toLocaleString('en-US')} alerts, ${counts.statusChanges.toLocaleString('en-US')} status changes, ${counts.findings} findings`);
    }
    const built = await phase('build learning facts (one-off)', () => refreshLearningFacts(learning));
    console.log(`    ${built.incidents.toLocaleString('en-US')} incidents, ${built.alerts.toLocaleString('en-US')} alerts`);
    await phase('freshness check (nothing changed)', () => refreshLearningFacts(learning));
    // An incremental refresh: 20 incidents spread over the year marked as changed (as a re-import would).
    const { sql } = await import('kysely');
    const sample20 = await sql`select id from incidents order by id limit 20 offset 1000`.execute(db);
    const mark = `changed-${Date.now()}`;
    for (const r of sample20.rows) await sql`update incidents set content_hash = ${mark} where id = ${r.id}`.execute(db);
    const inc = await phase('incremental refresh (20 changed incidents)', () => refreshLearningFacts(learning));
    console.log(`    rebuilt ${inc.incidents} incidents, ${inc.alerts} alerts; aggregates ${inc.aggregates}`);
    for (const bucket of ['month', 'week']) {
      const report = await phase(`trends (--bucket ${bucket})`, async () => {
        await refreshLearningFacts(learning);
        return analyseTrends(await trendAggregates(learning, { bucket }), kb);
      });
      if (bucket === 'month') {
        console.log(`    ${report.incidents.total.toLocaleString('en-US')} incidents, ${report.alerts.total.toLocaleString('en-US')} alerts in ${report.buckets.length} buckets; emerging: ${report.emerging.techniques.map((t) => t.techniqueId).join(', ') || 'none'}`);
      }
    }
    await phase('trends --bucket week --from 2025-03-15 --to 2025-09-20', async () => {
      await refreshLearningFacts(learning);
      return analyseTrends(await trendAggregates(learning, { bucket: 'week', from: '2025-03-15', to: '2025-09-20' }), kb);
    });
    const skills = await phase('skills', async () => {
      await refreshLearningFacts(learning);
      return analyseSkills(await skillAggregates(learning, {}), kb);
    });
    const flagged = skills.weakSpots.filter((w) => w.scope === 'team').map((w) => `${w.level} ${w.id} [${w.flags.join(', ')}]`);
    console.log(`    weak spots: ${flagged.join('; ') || 'none'}`);
    console.log(`    planted weak spot ${weakSpot} named: ${skills.weakSpots.some((w) => w.id === weakSpot && w.flags.includes('slow-triage') && w.flags.includes('misclassified')) ? 'YES' : 'NO'}`);
    await phase('skills --from 2025-03-15 --to 2025-09-20', async () => {
      await refreshLearningFacts(learning);
      return analyseSkills(await skillAggregates(learning, { from: '2025-03-15', to: '2025-09-20' }), kb);
    });
    await phase('skills --teams (by analyst in SQL)', async () => {
      await refreshLearningFacts(learning);
      return analyseSkills(await skillAggregates(learning, { byAnalyst: true }), kb, { teams: parseTeamMapping(teamMappingYaml(), 'teams.yaml') });
    });
    await phase('skills --teams --from 2025-03-15 --to 2025-09-20', async () => {
      await refreshLearningFacts(learning);
      return analyseSkills(await skillAggregates(learning, { byAnalyst: true, from: '2025-03-15', to: '2025-09-20' }), kb, {
        teams: parseTeamMapping(teamMappingYaml(), 'teams.yaml'),
      });
    });
  } finally {
    await connection.db.destroy();
  }
  if (schema && !args.includes('--keep-pg')) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
    console.log(`    schema ${schema} dropped`);
  }
}

if (!args.includes('--no-sqlite')) await run('SQLite', sqlitePath);
if (pgUrl) await run('PostgreSQL', pgUrl, 'hindsight_bench_trends');
console.log(`\nprocess peak RSS (getrusage): ${mb(process.resourceUsage().maxRSS * 1024)}`);
