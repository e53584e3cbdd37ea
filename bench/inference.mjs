// Technique inference benchmark, after the Technique Inference Engine's protocol: for each held-out
// technique set (ATT&CK campaigns; reports about one group, as bench/attribution.mjs builds them),
// the set's own contribution is removed from training, half of its techniques (seeded) are
// observed and the rest must be found. Prints recall@10/@20/@50 and NDCG@20 for Hindsight's
// method, ranking by popularity and plain co-occurrence counts, then training time and the latency
// of one inference. Run `npm run build:server` first.
//   node bench/inference.mjs [bundle.json[.gz]] [--seeds N] [--observe N] [--params '{"factorisationWeight":0}'] [--no-reports]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { loadBundle } from '../dist/attack/resolve.js';
import {
  evaluateRanking,
  expandObservation,
  finalScores,
  inferTechniques,
  pairKey,
  plainCooccurrenceScores,
  popularityScores,
  rankedItems,
  scoreRanking,
  splitHalf,
  trainInference,
} from '../dist/analysis/inference/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const valueOf = (flag) => (args.indexOf(flag) >= 0 ? args[args.indexOf(flag) + 1] : undefined);
const seeds = Number(valueOf('--seeds') ?? 5);
const params = JSON.parse(valueOf('--params') ?? '{}');
const withReports = !args.includes('--no-reports');
// --observe N: observe N techniques of each set instead of half (thin observations, as small incidents give).
const observeCount = valueOf('--observe') === undefined ? undefined : Number(valueOf('--observe'));
const bundle = args.find((a, i) => !a.startsWith('--') && !['--seeds', '--params', '--observe'].includes(args[i - 1])) ?? join(root, '..', 'shared', 'attack', 'enterprise-attack-18.1.json.gz');
const MIN_TECHNIQUES = 4;

const kb = await loadBundle(bundle);
const full = trainInference(kb, params);
console.log(`ATT&CK ${kb.meta.domain} ${kb.meta.version} (${bundle})${Object.keys(params).length ? `, parameters ${JSON.stringify(params)}` : ''}`);
console.log(`training corpus: ${full.documents} technique sets (groups, campaigns, software), ${full.items.length} techniques`);

const suites = [];
const campaigns = kb.campaigns().filter((c) => c.techniqueIds.length >= MIN_TECHNIQUES).map((c) => ({ label: c.id, techniques: c.techniqueIds, exclusion: { sources: new Set([c.id]) } }));
suites.push({ name: `ATT&CK campaigns (${campaigns.length}, each left out of training)`, cases: campaigns });
if (withReports) {
  const reports = reportCases(bundle, kb, 8).map((r) => ({ label: r.label, techniques: r.techniques, exclusion: { pairs: new Set(r.removed.map(([from, to]) => pairKey(from, to))) } }));
  suites.push({ name: `reports about one group (${reports.length}, relationships only the report supports removed)`, cases: reports });
}

const methods = ['hindsight', 'popularity', 'co-occurrence'];
let trainings = 0;
let trainingTotal = 0;
for (const suite of suites) {
  const outcomes = Object.fromEntries(methods.map((m) => [m, []]));
  for (const c of suite.cases) {
    const model = trainInference(kb, params, c.exclusion);
    trainings += 1;
    trainingTotal += model.trainingMs;
    for (let seed = 0; seed < seeds; seed += 1) {
      const split = splitHalf(c.techniques, seed * 7919 + 1);
      const observed = observeCount === undefined ? split.observed : [...split.observed, ...split.hidden].slice(0, observeCount);
      const observedIdx = observed.map((id) => model.indexOf.get(id)).filter((i) => i !== undefined);
      // A parent of an observed sub-technique is known to have happened: not something to find.
      const known = new Set(observed);
      for (const i of observedIdx) if (model.parent[i] >= 0) known.add(model.items[model.parent[i]]);
      const hidden = new Set(c.techniques.filter((id) => !known.has(id)));
      if (hidden.size === 0) continue;
      const exclude = (scores) => {
        for (const id of known) if (model.indexOf.has(id)) scores[model.indexOf.get(id)] = -Infinity;
        return scores;
      };
      const rank = (scores) => rankedItems(exclude(scores), 50).map((j) => model.items[j]);
      outcomes.hindsight.push(scoreRanking(rank(finalScores(model, observedIdx, expandObservation(model, observedIdx))), hidden));
      outcomes.popularity.push(scoreRanking(rank(popularityScores(model)), hidden));
      outcomes['co-occurrence'].push(scoreRanking(rank(plainCooccurrenceScores(model, observedIdx)), hidden));
    }
  }
  console.log(`\n${suite.name}; ${observeCount === undefined ? 'half' : observeCount} of each set observed, ${seeds} seeds`);
  console.log('method           recall@10  recall@20  recall@50  NDCG@20');
  const metrics = Object.fromEntries(methods.map((m) => [m, evaluateRanking(outcomes[m])]));
  for (const m of methods) {
    const r = metrics[m];
    console.log(`${m.padEnd(16)} ${r.recall10.toFixed(3).padStart(9)}  ${r.recall20.toFixed(3).padStart(9)}  ${r.recall50.toFixed(3).padStart(9)}  ${r.ndcg20.toFixed(3).padStart(7)}`);
  }
  console.log(`recall@20 hindsight / popularity = ${(metrics.hindsight.recall20 / metrics.popularity.recall20).toFixed(2)}× (target ≥ 1.5×); ${metrics.hindsight.cases} rankings`);
}

// Training time: the full corpus, as the knowledge base is loaded (median of 5).
const trainTimes = [];
for (let i = 0; i < 5; i += 1) trainTimes.push(trainInference(kb, params).trainingMs);
trainTimes.sort((a, b) => a - b);
console.log(`\ntraining on the full corpus: median ${trainTimes[2].toFixed(0)} ms (min ${trainTimes[0].toFixed(0)}, max ${trainTimes[4].toFixed(0)}); mean over the ${trainings} leave-out trainings above ${(trainingTotal / Math.max(1, trainings)).toFixed(0)} ms`);

// Latency of one inference as the CLI and the review run it (reasons included), code warm.
const queries = kb.campaigns().filter((c) => c.techniqueIds.length >= MIN_TECHNIQUES).map((c) => splitHalf(c.techniqueIds, 1).observed);
for (let round = 0; round < 3; round += 1) for (const q of queries) inferTechniques(full, { techniques: q, top: 20 });
const times = [];
const load0 = loadavg().map((x) => x.toFixed(2)).join(' ');
for (let round = 0; round < 10; round += 1) {
  for (const q of queries) {
    const s = performance.now();
    inferTechniques(full, { techniques: q, top: 20 });
    times.push(performance.now() - s);
  }
}
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
console.log(`latency of one inference (top 20 with reasons), ${times.length} runs: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms; load average before ${load0}`);

/**
 * Held-out reports (as bench/attribution.mjs builds them): for each group and each report cited on
 * at least `minTechniques` of the group's own technique relationships (and cited for no other
 * group), the techniques it supports are the set, and every relationship of the group or its
 * campaigns that cites only that report is removed from training.
 */
function reportCases(path, kb, minTechniques) {
  const raw = readFileSync(path);
  const objects = JSON.parse((path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')).objects ?? [];
  const live = (o) => o.revoked !== true && o.x_mitre_deprecated !== true;
  const attackId = (o) => (o.external_references ?? []).find((r) => typeof r.external_id === 'string' && /^mitre-/.test(r.source_name ?? ''))?.external_id;
  const idOf = new Map();
  for (const o of objects) {
    if (!live(o) || !['attack-pattern', 'malware', 'tool', 'intrusion-set', 'campaign'].includes(o.type)) continue;
    const id = attackId(o);
    if (id) idOf.set(o.id, id);
  }
  const ownerGroup = new Map(kb.groups().map((g) => [g.id, g.id]));
  for (const c of kb.campaigns()) if (c.attributedTo.length === 1) ownerGroup.set(c.id, c.attributedTo[0]);
  const techniques = new Set(kb.techniques().map((t) => t.id));
  const relations = [];
  for (const o of objects) {
    if (o.type !== 'relationship' || o.relationship_type !== 'uses' || !live(o)) continue;
    const from = idOf.get(o.source_ref);
    const to = idOf.get(o.target_ref);
    if (!from || !to || !ownerGroup.has(from) || !techniques.has(to)) continue;
    const cites = [...new Set((o.external_references ?? []).map((r) => r.source_name).filter((n) => typeof n === 'string'))];
    relations.push({ from, to, cites });
  }
  const citedFor = new Map();
  for (const r of relations) for (const c of r.cites) citedFor.set(c, (citedFor.get(c) ?? new Set()).add(ownerGroup.get(r.from)));
  const out = [];
  for (const g of kb.groups().map((x) => x.id).sort()) {
    const own = relations.filter((r) => r.from === g);
    for (const report of [...new Set(own.flatMap((r) => r.cites))].sort()) {
      if ((citedFor.get(report)?.size ?? 0) !== 1) continue;
      const set = [...new Set(own.filter((r) => r.cites.includes(report)).map((r) => r.to))];
      if (set.length < minTechniques) continue;
      const removed = relations.filter((r) => ownerGroup.get(r.from) === g && r.cites.length > 0 && r.cites.every((c) => c === report)).map((r) => [r.from, r.to]);
      out.push({ label: `${g} ${report}`, techniques: set, removed });
    }
  }
  return out;
}
