// Speed of the ATT&CK knowledge base. Run `npm run build` first, then:
//   node bench/attack-load.mjs [bundle.json.gz]
// Prints: JSON.parse of the decompressed text vs parse + index (target: at most 2x), compact-index
// load, and the cold start of `hindsight attack lookup T1059.001 --json` with a warm cache
// (target: median at most 400 ms).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { buildKnowledgeBaseData } from '../dist/attack/build.js';
import { AttackKnowledgeBase } from '../dist/attack/knowledge-base.js';
import { loadKnowledgeBase } from '../dist/attack/resolve.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bundlePath = resolve(process.argv[2] ?? join(root, '..', 'shared', 'attack', 'enterprise-attack-18.1.json.gz'));
const RUNS = 7;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const time = (fn) => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};
const fmt = (ms) => `${ms.toFixed(1)} ms`;

const raw = readFileSync(bundlePath);
const tGunzip = time(() => gunzipSync(raw));
const text = gunzipSync(raw).toString('utf8');
console.log(`bundle: ${bundlePath}`);
console.log(`  ${(raw.length / 1e6).toFixed(1)} MB gzip, ${(text.length / 1e6).toFixed(1)} MB JSON; gunzip ${fmt(tGunzip)}`);

// Warm up the JIT on both paths once, then alternate runs.
buildKnowledgeBaseData(JSON.parse(text), { source: bundlePath });
const parseTimes = [];
const loadTimes = [];
const indexTimes = [];
for (let i = 0; i < RUNS; i++) {
  parseTimes.push(time(() => JSON.parse(text)));
  let bundle;
  const tParse = time(() => (bundle = JSON.parse(text)));
  const tIndex = time(() => new AttackKnowledgeBase(buildKnowledgeBaseData(bundle, { source: bundlePath })));
  loadTimes.push(tParse + tIndex);
  indexTimes.push(tIndex);
}
const p = median(parseTimes);
const l = median(loadTimes);
console.log(`JSON.parse alone:          median ${fmt(p)} over ${RUNS} runs`);
console.log(`parse + index (load):      median ${fmt(l)}  (index part ${fmt(median(indexTimes))})`);
console.log(`load / JSON.parse ratio:   ${(l / p).toFixed(2)}x  (target <= 2x)`);

// Warm-cache loads through the compact index, in this process and as a fresh CLI process.
const cache = mkdtempSync(join(tmpdir(), 'hindsight-bench-'));
try {
  const env = { ...process.env, HINDSIGHT_CACHE_DIR: cache };
  delete env.HINDSIGHT_ATTACK_DATA;
  const bin = join(root, 'bin', 'hindsight.js');
  const update = spawnSync(process.execPath, [bin, 'attack', 'update', '--from', bundlePath, '--json'], { env, encoding: 'utf8' });
  if (update.status !== 0) throw new Error(`attack update failed: ${update.stderr}`);

  const warm = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await loadKnowledgeBase({ env });
    warm.push(performance.now() - t0);
  }
  console.log(`compact-index load:        median ${fmt(median(warm))} (in-process, warm cache)`);

  const cold = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, 'attack', 'lookup', 'T1059.001', '--json'], { env, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`lookup failed: ${r.stderr}`);
    if (i >= 2) cold.push(ms); // the first two runs warm the OS file cache
  }
  const bare = [];
  for (let i = 0; i < RUNS; i++) bare.push(time(() => spawnSync(process.execPath, ['-e', '0'])));
  console.log(`CLI cold start (lookup):   median ${fmt(median(cold))}, min ${fmt(Math.min(...cold))}, max ${fmt(Math.max(...cold))} over ${cold.length} runs (target <= 400 ms)`);
  console.log(`  (bare \`node -e 0\` on this machine: median ${fmt(median(bare))})`);
} finally {
  rmSync(cache, { recursive: true, force: true });
}
