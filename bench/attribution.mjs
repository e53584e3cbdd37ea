// Attribution benchmark: leave-one-out on ATT&CK's attributed campaigns, robustness under partial
// observation, confidence calibration, and ranking latency. Run `npm run build` first.
//   node bench/attribution.mjs [bundle.json.gz] [--seeds N]
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { loadBundle } from '../dist/attack/resolve.js';
import { buildAttributionIndex, evaluateAttribution, groundTruth, rankCandidates } from '../dist/analysis/attribution/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const seedsAt = args.indexOf('--seeds');
const seeds = seedsAt >= 0 ? Number(args[seedsAt + 1]) : 10;
const bundle = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--seeds') ?? join(root, '..', 'shared', 'attack', 'enterprise-attack-18.1.json.gz');

const t0 = performance.now();
const kb = await loadBundle(bundle);
const t1 = performance.now();
const index = buildAttributionIndex(kb);
const t2 = performance.now();
const report = evaluateAttribution(kb, index, { fractions: [0.3, 0.5], seeds });

const pct = (x) => (Number.isFinite(x) ? x.toFixed(2) : ' n/a');
const rank = (x) => (Number.isFinite(x) ? String(x) : 'unranked');
console.log(`ATT&CK ${kb.meta.version} (${bundle})`);
console.log(`ground truth: ${report.cases} campaigns attributed to a group, with techniques; leave-one-out\n`);
console.log('observation                    top-1  top-3  top-5  median rank');
const row = (label, s) => console.log(`${label.padEnd(30)} ${pct(s.top1)}   ${pct(s.top3)}   ${pct(s.top5)}   ${rank(s.medianRank)}`);
row('techniques + software', report.techniquesAndSoftware);
row('techniques only', report.techniquesOnly);
console.log(`\nrobustness (${seeds} seeds, mean ± sd)`);
console.log('observation                    top-1        top-3        top-5        median rank');
const ms = (m) => `${pct(m.mean)}±${pct(m.sd)}`;
for (const r of report.robustness) {
  const label = `${Math.round(r.fraction * 100)}% of techniques${r.withSoftware ? ' + software' : ''}`;
  console.log(`${label.padEnd(30)} ${ms(r.top1)}    ${ms(r.top3)}    ${ms(r.top5)}    ${r.medianRank.mean.toFixed(1)}±${r.medianRank.sd.toFixed(1)}`);
}
console.log('\ncalibration (all runs above: top candidate right at each confidence level)');
console.log('confidence   cases  right  share right');
for (const c of report.calibration) console.log(`${c.confidence.padEnd(12)} ${String(c.cases).padStart(5)}  ${String(c.correct).padStart(5)}  ${pct(c.precision)}`);

// Latency: one ranking over every group and campaign, index already built.
const cases = groundTruth(kb);
const observations = cases.map((c) => ({ techniques: c.techniques, software: c.software }));
for (const o of observations) rankCandidates(index, o, { top: 10 }); // warm-up
const times = [];
for (let round = 0; round < 20; round += 1) {
  for (const o of observations) {
    const s = performance.now();
    rankCandidates(index, o, { top: 10 });
    times.push(performance.now() - s);
  }
}
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(3);
console.log(`\nlatency: ${index.candidates.length} candidates (groups + campaigns), ${times.length} rankings`);
console.log(`  median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms`);
// A fixed CPU-bound reference, so figures from a busy or slow machine can be read in proportion.
const r0 = performance.now();
let sink = 0;
for (let i = 1; i <= 1_000_000; i += 1) sink += Math.log(i);
const reference = performance.now() - r0;
console.log(`  machine reference: 1,000,000 Math.log calls in ${reference.toFixed(1)} ms (an idle modern x86 core: about 10 ms)${sink > 0 ? '' : '.'}`);
console.log(`  knowledge base load ${(t1 - t0).toFixed(0)} ms, index build ${(t2 - t1).toFixed(1)} ms`);
