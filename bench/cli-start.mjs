#!/usr/bin/env node
/**
 * Cold start of the `hindsight` CLI: each command runs as a fresh process, N times, and the median
 * and p90 wall clock are printed next to the floor of a bare `node -e 0`. Run `npm run build` first.
 *
 *   node bench/cli-start.mjs [--runs 15] [--bundle ../shared/attack/enterprise-attack-18.1.json.gz]
 *
 * Timed: `hindsight --help`; `hindsight attack lookup T1059.001 --json` with a warm cache (the
 * compact index written by `attack update --from`); `hindsight incidents --json` on a small SQLite
 * database (the Graph fixture imported once). Wall clock depends on the machine's load: the load
 * average and this process's CPU time for the children are printed beside the figures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const runs = Number(arg('--runs', '15'));
const bundle = resolve(arg('--bundle', join(root, '..', 'shared', 'attack', 'enterprise-attack-18.1.json.gz')));
const bin = join(root, 'bin', 'hindsight.js');

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (x) => `${x.toFixed(0).padStart(4)} ms`;

const dir = mkdtempSync(join(tmpdir(), 'hindsight-cli-bench-'));
const env = { ...process.env, HINDSIGHT_CACHE_DIR: join(dir, 'cache') };
delete env.HINDSIGHT_ATTACK_DATA;
delete env.DATABASE_URL;
const db = join(dir, 'small.db');

function run(argv, { check = true } = {}) {
  const r = spawnSync(process.execPath, argv, { env, encoding: 'utf8', cwd: dir });
  if (check && r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r;
}

/** CPU seconds of this process's finished children (Linux /proc: cutime + cstime), or NaN elsewhere. */
function childCpuSeconds() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // clock ticks, USER_HZ = 100
  } catch {
    return Number.NaN;
  }
}

/** Times `argv` `runs` times after two warm-up runs (OS file cache): wall clock of each run, mean child CPU. */
function time(argv) {
  for (let i = 0; i < 2; i++) run(argv);
  const wall = [];
  const cpuBefore = childCpuSeconds();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    run(argv);
    wall.push(performance.now() - t0);
  }
  return { wall, cpuMs: ((childCpuSeconds() - cpuBefore) / runs) * 1000 };
}

try {
  console.log(`machine: ${cpus().length} CPU(s), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}; ${runs} runs each`);
  run([bin, 'attack', 'update', '--from', bundle, '--json']);
  run([bin, '--db', db, 'import', join(root, 'test', 'fixtures', 'ingest', 'graph-incident-single.json'), '--json']);

  const rows = [
    ['node -e 0 (floor)', ['-e', '0']],
    ['hindsight --help', [bin, '--help']],
    ['attack lookup T1059.001 --json', [bin, 'attack', 'lookup', 'T1059.001', '--json']],
    ['incidents --json (small db)', [bin, '--db', db, 'incidents', '--json']],
  ];
  let floor = 0;
  for (const [label, argv] of rows) {
    const { wall, cpuMs } = time(argv);
    const median = quantile(wall, 0.5);
    if (label.startsWith('node')) floor = median;
    const over = label.startsWith('node') ? '' : `  (+${(median - floor).toFixed(0)} ms over the floor)`;
    console.log(`${label.padEnd(34)} median ${ms(median)}  p90 ${ms(quantile(wall, 0.9))}  min ${ms(Math.min(...wall))}  CPU ${ms(cpuMs)}${over}`);
  }
  console.log('target: attack lookup median at most 400 ms');
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
