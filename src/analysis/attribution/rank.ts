import { combine, type AttributionIndex, type CandidateEntry, type Profile, type ProfileSource } from './build-index.js';
import type {
  Candidate,
  CandidateEvidence,
  CandidateType,
  Confidence,
  MissingTechnique,
  Observation,
  ObservedSummary,
  RankOptions,
  RankResult,
  TechniqueEvidence,
  Verdict,
} from './types.js';

/** Posterior thresholds of the confidence levels (see docs/attribution.md for their calibration). */
export const CONFIDENCE_THRESHOLDS = { high: 0.7, medium: 0.5, low: 0.2 } as const;

/** Below this much information (nats) an observation is too thin to name anyone. */
export const MIN_INFORMATION = 6;

/**
 * `high` confidence needs shared software that is itself distinctive: used by at most this many
 * known groups, i.e. software no other known group uses (a group's own malware, not Mimikatz,
 * PsExec or even PlugX).
 */
export const DISTINCTIVE_SOFTWARE_GROUPS = 1;

interface ObservedTechnique {
  id: string;
  /** Log-damped count: seeing a technique ten times is stronger than once, not ten times stronger. */
  weight: number;
  count: number;
  background: number;
  rate: number;
  slot: number;
  familySlot: number;
}

interface ObservedSoftware {
  id: string;
  background: number;
  rate: number;
}

interface Scored {
  entry: CandidateEntry;
  profile: Profile;
  score: number;
  outOfWindow: boolean;
  droppedCampaigns: number;
}

/**
 * Ranks groups and campaigns for an observation. Pure: the index is not modified.
 *
 * Score: log-likelihood ratio of the observation under the candidate's profile against "some
 * known group" (see `bernoulliLlr`): rare shared behaviour weighs more than common, profile
 * weight that was not observed costs in proportion to how much was observed (what huge generalist
 * profiles pay), sub-techniques earn partial credit from their family, and the posterior keeps
 * room for "someone not in ATT&CK".
 */
export function rankCandidates(index: AttributionIndex, observation: Observation, options: RankOptions = {}): RankResult {
  const p = index.params;
  const top = Math.max(1, options.top ?? 10);
  const types: CandidateType[] = options.types ?? ['intrusion-set', 'campaign'];
  const exclude = new Set(options.excludeCampaigns ?? []);
  const window = normaliseWindow(observation.timeWindow ?? null, options.asOf);

  const ignored: string[] = [];
  const observedTechniques = mergeTechniques(observation.techniques).flatMap((t): ObservedTechnique[] => {
    if (!index.techniqueNames.has(t.id)) {
      ignored.push(t.id);
      return [];
    }
    return [
      {
        ...t,
        background: index.techniqueBackground.get(t.id) ?? index.techniqueFloor,
        rate: index.techniqueRate.get(t.id) ?? index.techniqueRateFloor,
        slot: index.vocabulary.slot.get(t.id) ?? 0,
        familySlot: index.vocabulary.familyOf[index.vocabulary.slot.get(t.id) ?? 0] ?? 0,
      },
    ];
  });
  const observedSoftware = [...new Set(observation.software ?? [])].flatMap((id) => {
    if (!index.softwareNames.has(id)) {
      ignored.push(id);
      return [];
    }
    return [{ id, background: index.softwareBackground.get(id) ?? index.softwareFloor, rate: index.softwareRate.get(id) ?? index.softwareRateFloor }];
  });

  // The most an ideal profile could gain from this observation: thin or common evidence carries little.
  const information =
    observedTechniques.reduce((a, t) => a + t.weight * Math.log(1 + p.directWeight / (index.techniqueMu * t.background)), 0) +
    observedSoftware.reduce((a, s) => a + p.softwareFactor * Math.log(1 + p.directWeight / (index.softwareMu * s.background)), 0);

  // Chance that an observation this size shows any one technique of a repertoire; each unit of
  // profile weight that was not observed costs -log(1 - rho).
  const observedMass = observedTechniques.reduce((a, t) => a + t.weight, 0);
  const rho = Math.min(0.5, (p.absenceShare * observedMass) / Math.max(1, index.meanTechniqueMass));
  const absenceCost = -Math.log(1 - rho);

  const scored: Scored[] = [];
  const bernoulli = p.model === 'bernoulli';
  for (const entry of index.candidates) {
    if (!types.includes(entry.type)) continue;
    if (entry.type === 'campaign' && exclude.has(entry.id)) continue;
    const outOfWindow = entry.type === 'campaign' && window !== null && !overlaps(window, entry.firstSeen, entry.lastSeen);
    const { profile, dropped } = profileFor(index, entry, exclude, window);
    if (profile.techniqueMass === 0 && profile.softwareMass === 0) continue;
    let score = 0;
    let matchedMass = 0;
    for (const t of observedTechniques) {
      const w = profileWeight(p, profile, t);
      score += t.weight * (bernoulli ? bernoulliLlr(p.coverage, w, t.rate) : multinomialLlr(index, profile, w, t.background));
      matchedMass += w;
    }
    for (const s of observedSoftware) score += p.softwareFactor * softwareLlr(index, profile, s);
    if (bernoulli) score -= absenceCost * Math.max(0, profile.techniqueMass - matchedMass);
    if (outOfWindow) score += Math.log(p.outOfWindowFactor);
    scored.push({ entry, profile, score, outOfWindow, droppedCampaigns: dropped });
  }
  scored.sort((a, b) => b.score - a.score || (a.entry.id < b.entry.id ? -1 : 1));

  // Posterior over "one of the candidates" and "someone else", evidence tempered by the temperature.
  const n = scored.length;
  const priorEach = n > 0 ? (1 - p.unknownPrior) / n : 0;
  const maxExp = Math.max(0, ...scored.map((s) => s.score / p.temperature));
  let z = p.unknownPrior * Math.exp(-maxExp);
  for (const s of scored) z += priorEach * Math.exp(s.score / p.temperature - maxExp);
  const mass = new Map<string, number>();
  for (const s of scored) mass.set(s.entry.id, priorEach * Math.exp(s.score / p.temperature - maxExp));
  // A group and its own campaigns are one story, not rivals: they leave each other's denominator.
  const probability = (s: Scored): number => {
    let denominator = z;
    for (const id of linkedIds(index, s.entry)) denominator -= mass.get(id) ?? 0;
    return (mass.get(s.entry.id) ?? 0) / denominator;
  };

  const thin = information < MIN_INFORMATION;
  const candidates: Candidate[] = scored.slice(0, top).map((s) => {
    const prob = probability(s);
    const evidence = evidenceFor(index, s, observedTechniques, observedSoftware);
    return {
      id: s.entry.id,
      name: s.entry.name,
      aliases: s.entry.aliases,
      type: s.entry.type,
      score: round(s.score),
      probability: round(prob, 4),
      confidence: thin ? 'none' : confidenceOf(prob, evidence.sharedSoftware.some((sw) => sw.usedByGroups <= DISTINCTIVE_SOFTWARE_GROUPS)),
      evidence,
    };
  });

  const observed: ObservedSummary = {
    techniques: observedTechniques.map((t) => ({ id: t.id, name: index.techniqueNames.get(t.id) ?? t.id, count: t.count })),
    software: observedSoftware.map((s) => ({ id: s.id, name: index.softwareNames.get(s.id) ?? s.id })),
    timeWindow: window,
    ignored,
    information: round(information),
  };
  return { attackVersion: index.attackVersion, observed, candidates, verdict: verdictFor(candidates, thin, information) };
}

/** The campaigns of a group, or the groups (and sibling campaigns) of a campaign. */
function linkedIds(index: AttributionIndex, entry: CandidateEntry): string[] {
  if (entry.type === 'intrusion-set') return entry.sources.flatMap((s) => (s.campaignId === null ? [] : [s.campaignId]));
  const groups = index.campaignGroups.get(entry.id) ?? [];
  const linked = new Set<string>(groups);
  for (const g of groups) for (const s of index.byId.get(g)?.sources ?? []) if (s.campaignId !== null && s.campaignId !== entry.id) linked.add(s.campaignId);
  return [...linked];
}

/**
 * Confidence from the posterior. Techniques alone are weak evidence (many groups share them), so
 * `high` also needs corroboration from a second, independent kind of evidence: shared software
 * that few groups use (`DISTINCTIVE_SOFTWARE_GROUPS`).
 */
export function confidenceOf(probability: number, corroborated: boolean): Confidence {
  if (probability >= CONFIDENCE_THRESHOLDS.high && corroborated) return 'high';
  if (probability >= CONFIDENCE_THRESHOLDS.medium) return 'medium';
  if (probability >= CONFIDENCE_THRESHOLDS.low) return 'low';
  return 'none';
}

function verdictFor(candidates: Candidate[], thin: boolean, information: number): Verdict {
  const first = candidates[0];
  if (!first) return { attributed: false, confidence: 'none', statement: 'No confident attribution: nothing observed matches a known group or campaign.' };
  if (thin) {
    return {
      attributed: false,
      confidence: 'none',
      statement: `No confident attribution: the observation carries too little distinctive evidence (${information.toFixed(1)} nats); observe more techniques or software.`,
    };
  }
  if (first.confidence === 'none') {
    return {
      attributed: false,
      confidence: 'none',
      statement: `No confident attribution: the best match, ${first.name} (${first.id}), is not clearly ahead of the alternatives or of an actor unknown to ATT&CK.`,
    };
  }
  const pct = Math.round(first.probability * 100);
  return {
    attributed: true,
    confidence: first.confidence,
    statement: `${capitalise(first.confidence)} confidence: ${first.name} (${first.id}), posterior ${pct}%.`,
  };
}

/** The candidate's profile for this query: excluded campaigns removed, out-of-window campaigns down-weighted. */
function profileFor(
  index: AttributionIndex,
  entry: CandidateEntry,
  exclude: Set<string>,
  window: { start: string | null; end: string | null } | null,
): { profile: Profile; dropped: number } {
  if (exclude.size === 0 && window === null) return { profile: entry.base, dropped: 0 };
  if (!entry.sources.some((s) => s.kind === 'campaign')) return { profile: entry.base, dropped: 0 };
  let dropped = 0;
  let changed = false;
  const factor = (source: ProfileSource): number => {
    if (source.kind !== 'campaign' || source.campaignId === null) return 1;
    if (exclude.has(source.campaignId)) {
      changed = true;
      return 0;
    }
    if (window !== null && !overlaps(window, source.firstSeen, source.lastSeen)) {
      dropped += 1;
      changed = true;
      return index.params.outOfWindowFactor;
    }
    return 1;
  };
  const profile = combine(entry.sources, index.vocabulary, factor);
  return { profile: changed ? profile : entry.base, dropped };
}

/**
 * How firmly the profile holds an observed technique: its own weight, or partial credit from the
 * family (a profile's parent for an observed sub-technique, a profile's sub-technique for an
 * observed parent, a sibling only if `siblingCredit` says so). Mirrors `techniqueLlr` on dense arrays.
 */
function profileWeight(p: AttributionIndex['params'], profile: Profile, t: ObservedTechnique): number {
  const own = profile.weights[t.slot] ?? 0;
  const children = profile.childWeights[t.familySlot] ?? 0;
  if (t.familySlot === t.slot) return Math.max(own, p.familyCredit * children);
  return Math.max(own, p.familyCredit * (profile.weights[t.familySlot] ?? 0), p.siblingCredit * children);
}

function techniqueLlr(
  index: AttributionIndex,
  profile: Profile,
  t: ObservedTechnique,
): { llr: number; weight: number; match: TechniqueEvidence['match']; via?: string } {
  const p = index.params;
  const options: Array<{ weight: number; match: TechniqueEvidence['match']; via?: string }> = [
    { weight: profile.techniques.get(t.id) ?? 0, match: 'exact' },
  ];
  const parent = index.parentOf.get(t.id);
  if (parent === undefined) {
    const child = profile.families.get(t.id);
    if (child) options.push({ weight: p.familyCredit * child.weight, match: 'child', via: child.id });
  } else {
    options.push({ weight: p.familyCredit * (profile.techniques.get(parent) ?? 0), match: 'parent', via: parent });
    const sibling = profile.families.get(parent);
    // The best sub-technique may be the observed one itself; then the exact weight already wins.
    if (sibling && sibling.id !== t.id) options.push({ weight: p.siblingCredit * sibling.weight, match: 'sibling', via: sibling.id });
  }
  const best = options.reduce((a, b) => (b.weight > a.weight ? b : a));
  const { weight, match, via } = best;
  const llr =
    index.params.model === 'bernoulli' ? bernoulliLlr(index.params.coverage, weight, t.rate) : multinomialLlr(index, profile, weight, t.background);
  return via === undefined ? { llr, weight, match } : { llr, weight, match, via };
}

function softwareLlr(index: AttributionIndex, profile: Profile, s: ObservedSoftware): number {
  const w = profile.software.get(s.id) ?? 0;
  if (index.params.model === 'bernoulli') return bernoulliLlr(index.params.softwareCoverage, w, s.rate);
  const mu = index.softwareMu;
  return Math.log((w + mu * s.background) / ((profile.softwareMass + mu) * s.background));
}

function multinomialLlr(index: AttributionIndex, profile: Profile, weight: number, background: number): number {
  return Math.log((weight + index.techniqueMu * background) / ((profile.techniqueMass + index.techniqueMu) * background));
}

/**
 * The observed behaviour comes from the candidate's repertoire with probability `coverage` (in
 * proportion to how firmly the profile holds it), otherwise it is something any actor does at its
 * base rate. Log-ratio against "any actor": rare shared behaviour is strong evidence, common
 * shared behaviour weak, unshared behaviour costs log(1 - coverage).
 */
function bernoulliLlr(coverage: number, weight: number, rate: number): number {
  const r = Math.min(rate, 0.999);
  return Math.log((coverage * Math.min(1, weight) + (1 - coverage) * r) / r);
}

function evidenceFor(
  index: AttributionIndex,
  s: Scored,
  techniques: ObservedTechnique[],
  software: ObservedSoftware[],
): CandidateEvidence {
  const shared: TechniqueEvidence[] = [];
  const unmatchedTechniques: string[] = [];
  for (const t of techniques) {
    const r = techniqueLlr(index, s.profile, t);
    if (r.weight <= 0) {
      unmatchedTechniques.push(t.id);
      continue;
    }
    const item: TechniqueEvidence = { id: t.id, name: index.techniqueNames.get(t.id) ?? t.id, weight: round(t.weight * r.llr), match: r.match };
    if (r.via !== undefined) item.via = r.via;
    shared.push(item);
  }
  shared.sort((a, b) => b.weight - a.weight || a.id.localeCompare(b.id));

  const sharedSoftware = [];
  const unmatchedSoftware: string[] = [];
  for (const sw of software) {
    if ((s.profile.software.get(sw.id) ?? 0) > 0) {
      sharedSoftware.push({
        id: sw.id,
        name: index.softwareNames.get(sw.id) ?? sw.id,
        weight: round(index.params.softwareFactor * softwareLlr(index, s.profile, sw)),
        usedByGroups: index.softwareGroups.get(sw.id) ?? 0,
      });
    } else unmatchedSoftware.push(sw.id);
  }
  sharedSoftware.sort((a, b) => b.weight - a.weight || a.id.localeCompare(b.id));

  // What to hunt for next: the profile's techniques that are rare among groups and were not seen.
  const seen = new Set(techniques.map((t) => t.id));
  const seenFamilies = new Set(techniques.map((t) => index.parentOf.get(t.id) ?? t.id));
  const missing: MissingTechnique[] = [];
  for (const m of characteristic(index, s.profile)) {
    if (seen.has(m.id) || seenFamilies.has(m.id)) continue; // an observed sub-technique already covers its parent
    missing.push(m);
    if (missing.length === 8) break;
  }

  const evidence: CandidateEvidence = {
    sharedTechniques: shared,
    sharedSoftware,
    unobservedCharacteristic: missing,
    unmatchedTechniques,
    unmatchedSoftware,
  };
  if (s.outOfWindow) evidence.timeNote = `active ${s.entry.firstSeen ?? '?'} to ${s.entry.lastSeen ?? '?'}, outside the observation window: down-weighted`;
  else if (s.droppedCampaigns > 0) evidence.timeNote = `${s.droppedCampaigns} attributed campaign(s) outside the observation window were down-weighted`;
  return evidence;
}

const characteristicCache = new WeakMap<Profile, MissingTechnique[]>();

/** The profile's techniques, most characteristic first (weight times rarity among groups); cached per profile. */
function characteristic(index: AttributionIndex, profile: Profile): MissingTechnique[] {
  const cached = characteristicCache.get(profile);
  if (cached) return cached;
  const list: MissingTechnique[] = [];
  for (const [id, w] of profile.techniques) {
    const bg = index.techniqueBackground.get(id) ?? index.techniqueFloor;
    list.push({ id, name: index.techniqueNames.get(id) ?? id, distinctiveness: round(w * -Math.log(bg)) });
  }
  list.sort((a, b) => b.distinctiveness - a.distinctiveness || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  characteristicCache.set(profile, list);
  return list;
}

function mergeTechniques(list: Observation['techniques']): Array<{ id: string; count: number; weight: number }> {
  const counts = new Map<string, number>();
  for (const item of list) {
    const id = typeof item === 'string' ? item : item.id;
    const count = typeof item === 'string' ? 1 : Math.max(1, item.count ?? 1);
    counts.set(id, (counts.get(id) ?? 0) + count);
  }
  return [...counts].map(([id, count]) => ({ id, count, weight: 1 + Math.log(count) }));
}

function normaliseWindow(
  window: Observation['timeWindow'],
  asOf: string | undefined,
): { start: string | null; end: string | null } | null {
  const start = window?.start ?? null;
  const end = window?.end ?? asOf ?? null;
  if (start === null && end === null) return null;
  return { start, end };
}

/** True when the campaign's [firstSeen, lastSeen] overlaps the window; unknown dates never count against a campaign. */
export function overlaps(window: { start: string | null; end: string | null }, firstSeen: string | null, lastSeen: string | null): boolean {
  const ws = window.start ? Date.parse(window.start) : -Infinity;
  const we = window.end ? Date.parse(window.end) : Infinity;
  const cs = firstSeen ? Date.parse(firstSeen) : -Infinity;
  const ce = lastSeen ? Date.parse(lastSeen) : Infinity;
  return cs <= we && ws <= ce;
}

function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
