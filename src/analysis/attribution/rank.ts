import type { AttributionIndex } from './build-index.js';
import {
  denseIndex,
  droppedCampaigns,
  merged,
  parseDate,
  type DenseEntry,
  type DenseIndex,
  type Holders,
  type QueryScope,
  type VariableProfile,
} from './dense.js';
import type {
  Candidate,
  CandidateType,
  MissingTechnique,
  Observation,
  ObservedSummary,
  RankOptions,
  RankResult,
} from './types.js';
import { characteristicOf, descending, evidenceFor, firstUnseen, round, type Scored } from './evidence.js';
import { llrTable, multinomialSoftwareTerm, multinomialTerm, type EvidenceProfile, type ObservedSoftware, type ObservedTechnique } from './likelihood.js';
import { confidenceOf, verdictFor } from './verdict.js';


/** Below this much information (nats) an observation is too thin to name anyone. */
export const MIN_INFORMATION = 6;

/**
 * `high` confidence needs shared software that is itself distinctive: used by at most this many
 * known groups, i.e. software no other known group uses (a group's own malware, not Mimikatz,
 * PsExec or even PlugX).
 */
export const DISTINCTIVE_SOFTWARE_GROUPS = 1;

/** How many of a candidate's characteristic techniques not observed its evidence lists. */
const HUNT_FOR = 8;

/** The profile entries `evidenceFor` can look up for this observation. */
interface EvidenceLookups {
  /** Observed techniques and their parents. */
  techniqueSlots: number[];
  /** Families whose best sub-technique can count: an observed parent's, an observed sub-technique's parent's (-1: not in the vocabulary). */
  familySlots: number[];
  familyIds: string[];
  software: string[];
}

/**
 * Ranks groups and campaigns for an observation. Pure: the index is not modified (the merges
 * kept per index, see dense.ts, save work and never change a result).
 *
 * Score: log-likelihood ratio of the observation under the candidate's profile against "some
 * known group" (see `bernoulliLlr`): rare shared behaviour weighs more than common, profile
 * weight that was not observed costs in proportion to how much was observed (what huge generalist
 * profiles pay), sub-techniques earn partial credit from their family, and the posterior keeps
 * room for "someone not in ATT&CK".
 */
export function rankCandidates(index: AttributionIndex, observation: Observation, options: RankOptions = {}): RankResult {
  const p = index.params;
  const dense = denseIndex(index);
  const top = Math.max(1, options.top ?? 10);
  const types: CandidateType[] = options.types ?? ['intrusion-set', 'campaign'];
  const wantGroups = types.includes('intrusion-set');
  const wantCampaigns = types.includes('campaign');
  const exclude = new Set(options.excludeCampaigns ?? []);
  const window = normaliseWindow(observation.timeWindow ?? null, options.asOf);
  const windowMs = window === null ? null : { start: parseDate(window.start, -Infinity), end: parseDate(window.end, Infinity) };

  const ignored: string[] = [];
  const observedTechniques: ObservedTechnique[] = [];
  for (const { id, count, weight } of mergeTechniques(observation.techniques)) {
    if (!index.techniqueNames.has(id)) {
      ignored.push(id);
      continue;
    }
    const slot = index.vocabulary.slot.get(id) ?? 0;
    // Built field by field: an object spread here cost more than all the scoring.
    observedTechniques.push({
      id,
      count,
      weight,
      background: index.techniqueBackground.get(id) ?? index.techniqueFloor,
      rate: index.techniqueRate.get(id) ?? index.techniqueRateFloor,
      slot,
      familySlot: index.vocabulary.familyOf[slot] ?? 0,
    });
  }
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

  const bernoulli = p.model === 'bernoulli';
  const nT = observedTechniques.length;
  const nS = observedSoftware.length;
  const candidateCount = index.candidates.length;
  // How firmly each candidate's base profile holds each observed technique and piece of software,
  // one row per candidate, filled from the lists of the candidates that hold each observed slot
  // (most candidates hold few of the observed techniques). A technique's weight is its own, or
  // partial credit from its family: the profile's parent for an observed sub-technique, the
  // profile's best sub-technique for an observed parent, a sibling only if `siblingCredit` says
  // so. `techniqueLlr` says the same for the evidence, and `variableWeights` for a changed profile.
  // (A candidate missing from a list holds 0 there, which never wins a max: weights are not negative.)
  const weights = zeroed(0, candidateCount * nT);
  observedTechniques.forEach((t, j) => {
    const fill = (holders: Holders, slot: number, credit: number | null): void => {
      const { start, positions, weights: w } = holders;
      for (let k = start[slot] as number; k < (start[slot + 1] as number); k += 1) {
        const at = (positions[k] as number) * nT + j;
        weights[at] = credit === null ? (w[k] as number) : Math.max(weights[at] as number, credit * (w[k] as number));
      }
    };
    fill(dense.techniqueHolders, t.slot, null);
    if (t.familySlot === t.slot) fill(dense.childHolders, t.slot, p.familyCredit);
    else {
      fill(dense.techniqueHolders, t.familySlot, p.familyCredit);
      fill(dense.childHolders, t.familySlot, p.siblingCredit);
    }
  });
  const softwareWeights = zeroed(1, candidateCount * nS);
  observedSoftware.forEach((s, j) => {
    const slot = dense.softwareSlot.get(s.id);
    if (slot === undefined) return;
    const { start, positions, weights: w } = dense.softwareHolders;
    for (let k = start[slot] as number; k < (start[slot + 1] as number); k += 1) softwareWeights[(positions[k] as number) * nS + j] = w[k] as number;
  });
  // Log-ratios by weight: a profile that does not hold the technique scores the same for every
  // candidate, and the weights that do occur are few (1, 0.5, 0.25, ...).
  const techniqueLlrOf = llrTable(observedTechniques, p.coverage);
  const softwareLlrOf = llrTable(observedSoftware, p.softwareCoverage);
  const outOfWindowLlr = Math.log(p.outOfWindowFactor);
  // Only a campaign left out or a time window can change a group's profile.
  const scope: QueryScope | null = exclude.size > 0 || windowMs !== null ? { exclude, window: windowMs, outOfWindowFactor: p.outOfWindowFactor } : null;

  const scored: Scored[] = [];
  for (let position = 0; position < candidateCount; position += 1) {
    const d = dense.entries[position] as DenseEntry;
    const entry = d.entry;
    if (entry.type === 'campaign' ? !wantCampaigns || exclude.has(entry.id) : !wantGroups) continue;
    const outOfWindow = entry.type === 'campaign' && windowMs !== null && !(d.firstSeenMs <= windowMs.end && windowMs.start <= d.lastSeenMs);
    let techniqueMass = entry.base.techniqueMass;
    let softwareMass = entry.base.softwareMass;
    const dropped = scope !== null && d.variable !== null ? droppedCampaigns(d.variable, scope) : -1;
    const changed = dropped >= 0;
    if (changed) {
      const v = variableWeights(p, dense, d.variable as VariableProfile, scope as QueryScope, observedTechniques, observedSoftware, weights, softwareWeights, position);
      techniqueMass = v.techniqueMass;
      softwareMass = v.softwareMass;
    }
    if (techniqueMass === 0 && softwareMass === 0) continue;
    let score = 0;
    let matchedMass = 0;
    for (let j = 0; j < nT; j += 1) {
      const t = observedTechniques[j] as ObservedTechnique;
      const w = weights[position * nT + j] as number;
      score += t.weight * (bernoulli ? techniqueLlrOf(j, w) : multinomialTerm(index, techniqueMass, w, t.background));
      matchedMass += w;
    }
    for (let j = 0; j < nS; j += 1) {
      const w = softwareWeights[position * nS + j] as number;
      score += p.softwareFactor * (bernoulli ? softwareLlrOf(j, w) : multinomialSoftwareTerm(index, softwareMass, w, (observedSoftware[j] as ObservedSoftware).background));
    }
    if (bernoulli) score -= absenceCost * Math.max(0, techniqueMass - matchedMass);
    if (outOfWindow) score += outOfWindowLlr;
    scored.push({ entry, position, idRank: dense.idRank[position] as number, changed, score, outOfWindow, droppedCampaigns: Math.max(0, dropped) });
  }
  scored.sort((a, b) => descending(a.score, b.score) || a.idRank - b.idRank);

  // Posterior over "one of the candidates" and "someone else", evidence tempered by the temperature.
  const n = scored.length;
  const priorEach = n > 0 ? (1 - p.unknownPrior) / n : 0;
  let maxExp = 0;
  for (const s of scored) maxExp = Math.max(maxExp, s.score / p.temperature);
  let z = p.unknownPrior * Math.exp(-maxExp);
  const mass = zeroed(2, candidateCount);
  for (const s of scored) {
    const m = priorEach * Math.exp(s.score / p.temperature - maxExp);
    mass[s.position] = m;
    z += m;
  }
  // A group and its own campaigns are one story, not rivals: they leave each other's denominator.
  const probability = (s: Scored): number => {
    let denominator = z;
    for (const linked of (dense.entries[s.position] as DenseEntry).linked) denominator -= mass[linked] as number;
    return (mass[s.position] as number) / denominator;
  };

  const thin = information < MIN_INFORMATION;
  // What to hunt for next excludes what was observed, and the parent of an observed sub-technique.
  const observedSlots = new Uint8Array(index.vocabulary.familyOf.length);
  for (const t of observedTechniques) {
    observedSlots[t.slot] = 1;
    const family = index.vocabulary.slot.get(index.parentOf.get(t.id) ?? t.id);
    if (family !== undefined) observedSlots[family] = 1;
  }
  const unobserved = (slot: number): boolean => slot < 0 || observedSlots[slot] === 0;
  const lookups: EvidenceLookups = { techniqueSlots: [], familySlots: [], familyIds: [], software: observedSoftware.map((sw) => sw.id) };
  for (const t of observedTechniques) {
    lookups.techniqueSlots.push(t.slot);
    const parent = index.parentOf.get(t.id);
    const family = parent ?? t.id;
    const familySlot = index.vocabulary.slot.get(family) ?? -1;
    if (parent !== undefined && familySlot >= 0) lookups.techniqueSlots.push(familySlot);
    lookups.familySlots.push(familySlot);
    lookups.familyIds.push(family);
  }
  const candidates: Candidate[] = scored.slice(0, top).map((s) => {
    const prob = probability(s);
    const variable = (dense.entries[s.position] as DenseEntry).variable;
    const { profile, characteristic } =
      s.changed && variable !== null && scope !== null
        ? materialise(dense, variable, scope, index, lookups, unobserved, HUNT_FOR)
        : { profile: s.entry.base, characteristic: firstUnseen(characteristicOf(index, s.entry.base), index, unobserved, HUNT_FOR) };
    const evidence = evidenceFor(index, s, profile, characteristic, observedTechniques, observedSoftware);
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

/**
 * Per-query work arrays, reused from one ranking to the next (ranking is synchronous, so one set
 * serves every call): allocating them fresh cost more in garbage collection than the scoring.
 * Returns the buffer's first `size` entries zeroed (the buffer may be longer).
 */
const buffers: Float64Array[] = [new Float64Array(0), new Float64Array(0), new Float64Array(0)];

function zeroed(which: number, size: number): Float64Array {
  let b = buffers[which] as Float64Array;
  if (b.length < size) {
    b = new Float64Array(Math.max(size, 2 * b.length));
    buffers[which] = b;
  } else b.fill(0, 0, size);
  return b;
}

/**
 * What scoring needs of a group's profile changed by this query (excluded campaigns removed,
 * out-of-window campaigns down-weighted), without building it: the weights at the observed slots
 * (written to the candidate's rows) and the profile's totals, summed in `combine`'s order so that
 * they are the very numbers `combine` would give.
 */
function variableWeights(
  p: AttributionIndex['params'],
  dense: DenseIndex,
  v: VariableProfile,
  scope: QueryScope,
  techniques: ObservedTechnique[],
  software: ObservedSoftware[],
  techniqueWeights: Float64Array,
  softwareWeights: Float64Array,
  position: number,
): { techniqueMass: number; softwareMass: number } {
  const m = merged(v, scope);
  const { max, present } = m;
  const weightAt = (slot: number): number => {
    const k = v.techniqueKey[slot] as number;
    return k >= 0 && present[k] === 1 ? (max[k] as number) : 0;
  };
  const childrenAt = (family: number): number => {
    let best = 0;
    const { start, positions } = dense.childrenOf;
    for (let j = start[family] as number; j < (start[family + 1] as number); j += 1) {
      const w = weightAt(positions[j] as number);
      if (w > best) best = w;
    }
    return best;
  };
  for (let j = 0; j < techniques.length; j += 1) {
    const t = techniques[j] as ObservedTechnique;
    const own = weightAt(t.slot);
    const children = childrenAt(t.familySlot);
    techniqueWeights[position * techniques.length + j] =
      t.familySlot === t.slot ? Math.max(own, p.familyCredit * children) : Math.max(own, p.familyCredit * weightAt(t.familySlot), p.siblingCredit * children);
  }
  for (let j = 0; j < software.length; j += 1) {
    const k = v.softwareKey.get((software[j] as ObservedSoftware).id);
    softwareWeights[position * software.length + j] = k !== undefined && m.softwarePresent[k] === 1 ? (m.softwareMax[k] as number) : 0;
  }
  return { techniqueMass: m.techniqueMass, softwareMass: m.softwareMass };
}

/**
 * A group's profile as this query changed it, for the evidence of a returned candidate: what
 * `evidenceFor` reads of what `combine` would build (the weights of the observed techniques and
 * of their parents, the best sub-technique of their families, the observed software's weights,
 * the totals), and the `n` most characteristic techniques not observed (what `characteristicOf`
 * then `firstUnseen` give for a base profile, picked in one pass instead of sorting the profile).
 */
function materialise(
  dense: DenseIndex,
  v: VariableProfile,
  scope: QueryScope,
  index: AttributionIndex,
  lookups: EvidenceLookups,
  unobserved: (slot: number) => boolean,
  n: number,
): { profile: EvidenceProfile; characteristic: MissingTechnique[] } {
  const m = merged(v, scope);
  const { max, present, order } = m;
  const keyAt = (slot: number): number => {
    const k = v.techniqueKey[slot] as number;
    return k >= 0 && present[k] === 1 ? k : -1;
  };
  const techniques = new Map<string, number>();
  for (const slot of lookups.techniqueSlots) {
    const k = keyAt(slot);
    if (k >= 0) techniques.set(v.techniqueIds[k] as string, max[k] as number);
  }
  // The best sub-technique of a family: highest weight, then lowest ID (as `combine` picks it).
  const families = new Map<string, { id: string; weight: number }>();
  lookups.familySlots.forEach((family, j) => {
    const familyId = lookups.familyIds[j] as string;
    let best: { id: string; weight: number } | undefined;
    const consider = (k: number): void => {
      const id = v.techniqueIds[k] as string;
      const w = max[k] as number;
      if (!best || w > best.weight || (w === best.weight && id < best.id)) best = { id, weight: w };
    };
    if (family >= 0) {
      const { start, positions } = dense.childrenOf;
      for (let i = start[family] as number; i < (start[family + 1] as number); i += 1) {
        const k = keyAt(positions[i] as number);
        if (k >= 0) consider(k);
      }
    } else {
      // A parent the knowledge base does not list: its sub-techniques, by their parent ID.
      for (const k of order) if (index.parentOf.get(v.techniqueIds[k] as string) === familyId) consider(k);
    }
    if (best) families.set(familyId, best);
  });
  const software = new Map<string, number>();
  for (const id of lookups.software) {
    const k = v.softwareKey.get(id);
    if (k !== undefined && m.softwarePresent[k] === 1) software.set(id, m.softwareMax[k] as number);
  }
  const best: Array<{ key: number; distinctiveness: number }> = [];
  const before = (d: number, key: number, other: { key: number; distinctiveness: number }): boolean =>
    d > other.distinctiveness || (d === other.distinctiveness && (v.techniqueIds[key] as string) < (v.techniqueIds[other.key] as string));
  for (const key of order) {
    const slot = v.techniqueSlots[key] as number;
    if (!unobserved(slot)) continue;
    const d = round((max[key] as number) * (dense.negLogBackground[slot] as number));
    if (best.length === n && !before(d, key, best[n - 1] as { key: number; distinctiveness: number })) continue;
    let at = best.length;
    while (at > 0 && before(d, key, best[at - 1] as { key: number; distinctiveness: number })) at -= 1;
    best.splice(at, 0, { key, distinctiveness: d });
    if (best.length > n) best.pop();
  }
  const characteristic = best.map(({ key, distinctiveness }) => {
    const id = v.techniqueIds[key] as string;
    return { id, name: index.techniqueNames.get(id) ?? id, distinctiveness };
  });
  return { profile: { techniques, families, software, techniqueMass: m.techniqueMass, softwareMass: m.softwareMass }, characteristic };
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



