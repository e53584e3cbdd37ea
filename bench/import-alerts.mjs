#!/usr/bin/env node
/**
 * Import throughput: generates Graph alerts (NDJSON) to a temporary file and imports it into a
 * fresh database exactly as `hindsight import FILE` does (app/import: parsed and written
 * a batch at a time in one transaction, review policy applied). Prints the time, alerts per second
 * (wall clock and per CPU second) and the peak resident memory; then imports the same file again
 * (the idempotent path: everything unchanged).
 *
 *   npm run build && node bench/import-alerts.mjs [--count 100000] [--seed 42] [--db postgres://...?schema=bench]
 *
 * Without --db a temporary SQLite file is used.
 *
 * Then (unless --no-floor) the machine's floor for the same file, with none of Hindsight's work:
 * JSON.parse of every line on one core, and writing every line's text once into SQLite as the store
 * does (WAL, synchronous NORMAL, one transaction, then checkpointed into the database file).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeGraphAlerts } from './generate-graph-alerts.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const count = Number(arg('--count', '100000'));
const seed = Number(arg('--seed', '42'));
const perIncident = Number(arg('--per-incident', '10'));

const { importFiles } = await import('../dist/app/import.js');
const { openStore } = await import('../dist/store/index.js');

const dir = mkdtempSync(join(tmpdir(), 'hindsight-bench-'));
const file = join(dir, 'graph-alerts.ndjson');
const dbTarget = arg('--db', join(dir, 'bench.db'));
let peakRss = 0;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const sampler = setInterval(sample, 20);
const seconds = (ms) => (ms / 1000).toFixed(2);
const cpuSeconds = (usage) => (usage.user + usage.system) / 1e6;
// Wall-clock figures depend on what else the machine runs: say so next to them.
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`machine: ${cpus().length} CPU(s), load average ${load()}, Node ${process.version}`);
const perSecond = (n, ms) => Math.round(n / (ms / 1000)).toLocaleString('en-US');

try {
  let t = performance.now();
  const bytes = await writeGraphAlerts(file, { count, seed, perIncident });
  const generateMs = performance.now() - t;
  console.log(`generate: ${count.toLocaleString('en-US')} alerts, ${(bytes / 1e6).toFixed(1)} MB (${Math.round(bytes / count)} bytes/alert) in ${seconds(generateMs)} s`);
  const rssBefore = process.memoryUsage().rss;
  peakRss = 0;

  const store = await openStore({ db: dbTarget });
  try {
    t = performance.now();
    let cpu = process.cpuUsage();
    const first = await importFiles(store, [file], { format: 'graph' });
    const importMs = performance.now() - t;
    const importCpu = cpuSeconds(process.cpuUsage(cpu));
    sample();
    const alerts = first.summary.alerts;
    console.log(`import:    ${JSON.stringify(first.summary)} in ${seconds(importMs)} s into ${store.kind} ${store.location}`);
    console.log(`           ${perSecond(alerts, importMs)} alerts/s wall clock; CPU ${importCpu.toFixed(2)} s = ${perSecond(alerts, importCpu * 1000)} alerts per CPU second (target: at least 20,000 alerts/s)`);
    console.log(`           peak RSS during the import ${(peakRss / 1e6).toFixed(0)} MB (${(rssBefore / 1e6).toFixed(0)} MB before it); load average now ${load()}`);

    t = performance.now();
    cpu = process.cpuUsage();
    const second = await importFiles(store, [file], { format: 'graph' });
    const againMs = performance.now() - t;
    const againCpu = cpuSeconds(process.cpuUsage(cpu));
    console.log(`re-import: ${JSON.stringify(second.summary)} in ${seconds(againMs)} s (${perSecond(alerts, againMs)} alerts/s; CPU ${againCpu.toFixed(2)} s)`);
    if (store.kind === 'sqlite') {
      const size = statSync(store.location).size + (statSync(`${store.location}-wal`, { throwIfNoEntry: false })?.size ?? 0);
      console.log(`database: ${(size / 1e6).toFixed(1)} MB (with its write-ahead log)`);
    }
  } finally {
    await store.close();
  }
  sample();
  const maxRss = process.resourceUsage().maxRSS * 1024;
  console.log(`peak RSS: ${(Math.max(peakRss, maxRss) / 1e6).toFixed(0)} MB (resourceUsage maxRSS ${(maxRss / 1e6).toFixed(0)} MB)`);
  // After the import's figures: the floor holds every line in memory at once.
  if (!args.includes('--no-floor')) await printFloor(file, join(dir, 'floor.db'), count);
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}

/** What parsing the file and storing its bytes cost on this machine with nothing else done. */
async function printFloor(path, dbPath, alerts) {
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const { default: Database } = await import('better-sqlite3');
  const lines = [];
  for await (const line of createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })) if (line) lines.push(line);
  let cpu = process.cpuUsage();
  for (const line of lines) JSON.parse(line);
  const parseCpu = cpuSeconds(process.cpuUsage(cpu));
  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -131072');
  db.exec('create table alerts (id text primary key, incident_id text not null, raw text not null)');
  db.exec('create index alerts_incident_id_idx on alerts (incident_id)');
  const insert = db.prepare('insert into alerts values (?, ?, ?)');
  const t = performance.now();
  cpu = process.cpuUsage();
  db.transaction(() => lines.forEach((line, i) => insert.run(`al_${(i * 7919) % lines.length}`, `inc_${Math.floor(i / perIncident)}`, line)))();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const writeMs = performance.now() - t;
  const writeCpu = cpuSeconds(process.cpuUsage(cpu));
  db.close();
  console.log(`floor:     JSON.parse of every line alone: CPU ${parseCpu.toFixed(2)} s = ${perSecond(alerts, parseCpu * 1000)} alerts per CPU second`);
  console.log(`           each line's text written once into SQLite (WAL, one transaction, checkpointed): ${seconds(writeMs)} s, CPU ${writeCpu.toFixed(2)} s = ${perSecond(alerts, writeMs)} alerts/s`);
  console.log(`           both together, nothing else done: ${perSecond(alerts, parseCpu * 1000 + writeMs)} alerts/s on one core`);
}
