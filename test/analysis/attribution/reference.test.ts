/**
 * `rankCandidates` scores from flat per-index arrays and merges a group's sources only when a
 * query changes them (see dense.ts). This checks it against the plain definition: every profile
 * built with `combine` for the query, every candidate scored from it, the evidence read from it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { KnowledgeBase } from '../../../src/attack/types.js';
import { loadBundle } from '../../../src/attack/resolve.js';
import { combine, type Profile } from '../../../src/analysis/attribution/build-index.js';
import {
  buildAttributionIndex,
  groundTruth,
  overlaps,
  rankCandidates,
  type AttributionIndex,
  type Observation,
  type RankOptions,
} from '../../../src/analysis/attribution/index.js';
import { attackBundle, requireOrSkip } from '../../helpers/env.js';
import { fakeKb } from './fake-kb.js';

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Every candidate's score, profile and characteristic list, the plain way. */
function reference(index: AttributionIndex, observation: Observation, options: RankOptions) {
  const p = index.params;
  const exclude = new Set(options.excludeCampaigns ?? []);
  const start = observation.timeWindow?.start ?? null;
  const end = observation.timeWindow?.end ?? options.asOf ?? null;
  const window = start === null && end === null ? null : { start, end };
  const counts = new Map<string, number>();
  for (const item of observation.techniques) {
    const id = typeof item === 'string' ? item : item.id;
    if (index.techniqueNames.has(id)) counts.set(id, (counts.get(id) ?? 0) + (typeof item === 'string' ? 1 : Math.max(1, item.count ?? 1)));
  }
  const techniques = [...counts].map(([id, count]) => ({ id, weight: 1 + Math.log(count), rate: index.techniqueRate.get(id) ?? index.techniqueRateFloor, background: index.techniqueBackground.get(id) ?? index.techniqueFloor }));
  const software = [...new Set(observation.software ?? [])].filter((id) => index.softwareNames.has(id)).map((id) => ({ id, rate: index.softwareRate.get(id) ?? index.softwareRateFloor, background: index.softwareBackground.get(id) ?? index.softwareFloor }));
  const observedMass = techniques.reduce((a, t) => a + t.weight, 0);
  const absenceCost = -Math.log(1 - Math.min(0.5, (p.absenceShare * observedMass) / Math.max(1, index.meanTechniqueMass)));
  const llr = (coverage: number, w: number, rate: number) => {
    const r = Math.min(rate, 0.999);
    return Math.log((coverage * Math.min(1, w) + (1 - coverage) * r) / r);
  };
  const weightIn = (profile: Profile, id: string): number => {
    const own = profile.techniques.get(id) ?? 0;
    const parent = index.parentOf.get(id);
    if (parent === undefined) return Math.max(own, p.familyCredit * (profile.families.get(id)?.weight ?? 0));
    const sibling = profile.families.get(parent);
    return Math.max(own, p.familyCredit * (profile.techniques.get(parent) ?? 0), p.siblingCredit * (sibling?.weight ?? 0));
  };
  const types = options.types ?? ['intrusion-set', 'campaign'];
  const out: Array<{ id: string; score: number; profile: Profile }> = [];
  for (const entry of index.candidates) {
    if (!types.includes(entry.type) || (entry.type === 'campaign' && exclude.has(entry.id))) continue;
    const profile = combine(entry.sources, index.vocabulary, (s) => {
      if (s.kind !== 'campaign' || s.campaignId === null) return 1;
      if (exclude.has(s.campaignId)) return 0;
      return window !== null && !overlaps(window, s.firstSeen, s.lastSeen) ? p.outOfWindowFactor : 1;
    });
    if (profile.techniqueMass === 0 && profile.softwareMass === 0) continue;
    let score = 0;
    let matched = 0;
    for (const t of techniques) {
      const w = weightIn(profile, t.id);
      score += t.weight * llr(p.coverage, w, t.rate);
      matched += w;
    }
    for (const s of software) score += p.softwareFactor * llr(p.softwareCoverage, profile.software.get(s.id) ?? 0, s.rate);
    score -= absenceCost * Math.max(0, profile.techniqueMass - matched);
    if (entry.type === 'campaign' && window !== null && !overlaps(window, entry.firstSeen, entry.lastSeen)) score += Math.log(p.outOfWindowFactor);
    out.push({ id: entry.id, score, profile });
  }
  out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  const seen = new Set(techniques.flatMap((t) => [t.id, index.parentOf.get(t.id) ?? t.id]));
  return out.map((c) => {
    const characteristic = [...c.profile.techniques]
      .map(([id, w]) => ({ id, d: round(w * -Math.log(index.techniqueBackground.get(id) ?? index.techniqueFloor)) }))
      .sort((a, b) => b.d - a.d || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .filter((m) => !seen.has(m.id))
      .slice(0, 8)
      .map((m) => m.id);
    const shared = techniques.filter((t) => weightIn(c.profile, t.id) > 0).map((t) => t.id).sort();
    return { id: c.id, score: round(c.score), characteristic, shared };
  });
}

function expectSameAsReference(index: AttributionIndex, observation: Observation, options: RankOptions): void {
  const fast = rankCandidates(index, observation, { ...options, top: index.candidates.length });
  const expected = reference(index, observation, options);
  expect(fast.candidates.map((c) => c.id)).toEqual(expected.map((c) => c.id));
  expect(
    fast.candidates.map((c) => ({
      id: c.id,
      score: c.score,
      characteristic: c.evidence.unobservedCharacteristic.map((m) => m.id),
      shared: c.evidence.sharedTechniques.map((t) => t.id).sort(),
    })),
  ).toEqual(expected);
}

describe('rankCandidates against the plain definition', () => {
  const kb = fakeKb();
  const observations: Observation[] = [
    { techniques: ['T1566.002', 'T1059.001', 'T1218.011'], software: ['S0154'] },
    { techniques: ['T1195.002', 'T1027', { id: 'T1071', count: 3 }], software: ['S0600'] },
    { techniques: ['T1566', 'T1059.003', 'T1003'] },
  ];
  const scopes: RankOptions[] = [
    {},
    { excludeCampaigns: ['C0001'] },
    { asOf: '2020-06-01T00:00:00Z' },
    { asOf: '2019-01-01T00:00:00Z', excludeCampaigns: ['C0002'] },
    { types: ['intrusion-set'], asOf: '2030-01-01T00:00:00Z' },
  ];
  for (const params of [{}, { siblingCredit: 0.5, outOfWindowFactor: 0.3 }]) {
    it(`gives the same ranking, scores and evidence in every scope (${JSON.stringify(params)})`, () => {
      const index = buildAttributionIndex(kb, params);
      // Twice over, in different orders: a kept merge gives what a fresh one gives.
      for (const round of [scopes, [...scopes].reverse()]) for (const scope of round) for (const o of observations) expectSameAsReference(index, o, scope);
      const windowed = { ...observations[1]!, timeWindow: { start: '2024-01-01T00:00:00Z', end: '2024-02-01T00:00:00Z' } };
      expectSameAsReference(index, windowed, {});
    });
  }
});

const bundle = attackBundle('enterprise-attack-18.1.json.gz');
const run = requireOrSkip('ATT&CK 18.1 bundle', Boolean(bundle.path), bundle.reason);

describe.runIf(run)('rankCandidates against the plain definition on ATT&CK 18.1', () => {
  let kb: KnowledgeBase;
  let index: AttributionIndex;
  beforeAll(async () => {
    kb = await loadBundle(bundle.path as string);
    index = buildAttributionIndex(kb);
  });

  it('gives the same ranking, scores and evidence with campaigns left out and with time windows', () => {
    const cases = groundTruth(kb).slice(0, 8);
    for (const c of cases) {
      const o = { techniques: c.techniques, software: c.software };
      expectSameAsReference(index, o, { types: ['intrusion-set'], excludeCampaigns: [c.campaignId] });
      expectSameAsReference(index, { ...o, timeWindow: { start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z' } }, {});
      expectSameAsReference(index, o, { asOf: '2019-06-01T00:00:00Z' });
    }
  });
});
