import type { KnowledgeBase } from '../../attack/types.js';
import { denseIndex } from './dense.js';
import type { CandidateType } from './types.js';

/**
 * The attribution index: every group and campaign as a sparse weighted profile over two
 * vocabularies (techniques, software), built once per knowledge base.
 *
 * A group's profile is the union of its sources: its own `uses`, each campaign attributed to it,
 * and (at a lower weight) the techniques of the software each of those uses. Sources are kept
 * apart so a campaign can be removed (leave-one-out) or down-weighted (time window) per query
 * without rebuilding the index.
 */

export interface AttributionParams {
  /** Weight of a technique the candidate is known to use directly. */
  directWeight: number;
  /** Weight of a technique known only as a capability of software the candidate uses. */
  softwareTechniqueWeight: number;
  /**
   * Credit an observed sub-technique gets from the profile's parent (relationships recorded at the
   * parent level may mean any of its sub-techniques), and an observed parent from a profile's
   * sub-technique (alerts often carry only the parent ID).
   */
  familyCredit: number;
  /**
   * Credit an observed sub-technique gets from a sibling in the profile. Siblings are different
   * behaviours (PowerShell is not the Windows command shell), and crediting them lets the big
   * profiles that touch every family match everything: 0 by default.
   */
  siblingCredit: number;
  /** Dirichlet smoothing strength, as a multiple of the mean group profile size. */
  smoothing: number;
  /** How much one piece of software counts relative to one technique. */
  softwareFactor: number;
  /** Factor applied to campaigns (and their contribution to groups) outside the observation window. */
  outOfWindowFactor: number;
  /** `bernoulli`: each observed behaviour is explained by the candidate with probability `coverage`, else by chance; `multinomial`: query likelihood. */
  model: 'bernoulli' | 'multinomial';
  /** Bernoulli model: chance that an observed technique comes from the actor's known repertoire rather than by chance. */
  coverage: number;
  /**
   * Bernoulli model: the same for software. An actor's malware and tools are better documented
   * than its every technique: three quarters of a held-out ATT&CK campaign's software is already
   * in its group's profile, against half of its techniques.
   */
  softwareCoverage: number;
  /**
   * Bernoulli model: how much of an actor's repertoire one observation shows. An observation of
   * `n` techniques shows each technique of a candidate's profile with probability
   * `rho = absenceShare * n / mean group profile weight` (at most 0.5), so every unit of profile
   * weight that was *not* observed costs `-log(1 - rho)` nats: nothing for a two-technique
   * observation, more the more was observed. This is what huge generalist profiles pay.
   */
  absenceShare: number;
  /** Temperature of the posterior: observed techniques are correlated, so evidence is discounted. */
  temperature: number;
  /** Prior probability that the activity belongs to nobody in the knowledge base. */
  unknownPrior: number;
}

export const DEFAULT_PARAMS: AttributionParams = {
  directWeight: 1,
  softwareTechniqueWeight: 0.5,
  familyCredit: 0.5,
  siblingCredit: 0,
  smoothing: 1,
  softwareFactor: 1,
  outOfWindowFactor: 0.5,
  model: 'bernoulli',
  coverage: 0.5,
  softwareCoverage: 0.75,
  absenceShare: 0.1,
  temperature: 2,
  unknownPrior: 0.5,
};

export interface ProfileSource {
  /** `own` for the candidate's own relationships; `campaign` for an attributed campaign. */
  kind: 'own' | 'campaign';
  campaignId: string | null;
  firstSeen: string | null;
  lastSeen: string | null;
  techniques: Map<string, number>;
  software: Map<string, number>;
}

export interface Profile {
  techniques: Map<string, number>;
  software: Map<string, number>;
  /** Parent technique ID -> the highest-weighted of its sub-techniques in the profile. */
  families: Map<string, { id: string; weight: number }>;
  techniqueMass: number;
  softwareMass: number;
  /** Dense copies for fast scoring, indexed by `Vocabulary.slot`: technique weights, and (at a parent's slot) the best weight among its sub-techniques. */
  weights: Float64Array;
  childWeights: Float64Array;
}

/** Techniques numbered densely so that scoring reads arrays, not hash maps. */
export interface Vocabulary {
  slot: Map<string, number>;
  /** Slot of each technique's family root (its parent, or itself). */
  familyOf: Int32Array;
  parentOf: Map<string, string>;
}

export interface CandidateEntry {
  id: string;
  name: string;
  aliases: string[];
  type: CandidateType;
  firstSeen: string | null;
  lastSeen: string | null;
  sources: ProfileSource[];
  /** The profile with every source at full weight. */
  base: Profile;
}

export interface AttributionIndex {
  attackVersion: string;
  params: AttributionParams;
  candidates: CandidateEntry[];
  byId: Map<string, CandidateEntry>;
  /** Background probability of each technique/software over all group profiles (smoothed, sums to 1). */
  techniqueBackground: Map<string, number>;
  softwareBackground: Map<string, number>;
  /** Share of groups whose profile has each technique/software (weighted, smoothed): the Bernoulli model's chance rate. */
  techniqueRate: Map<string, number>;
  softwareRate: Map<string, number>;
  techniqueRateFloor: number;
  softwareRateFloor: number;
  /** How many groups' profiles hold each piece of software (campaigns included). */
  softwareGroups: Map<string, number>;
  /** Background for a feature no profile mentions. */
  techniqueFloor: number;
  softwareFloor: number;
  /** Mean technique weight of a group profile (the Bernoulli model's yardstick for "how much was observed"). */
  meanTechniqueMass: number;
  /** Dirichlet smoothing strengths (absolute). */
  techniqueMu: number;
  softwareMu: number;
  techniqueNames: Map<string, string>;
  softwareNames: Map<string, string>;
  /** Sub-technique ID -> parent ID. */
  parentOf: Map<string, string>;
  vocabulary: Vocabulary;
  /** Groups a campaign is attributed to. */
  campaignGroups: Map<string, string[]>;
}

/** What the index reads from a knowledge base (evaluation passes views with relationships held out). */
export type AttributionSource = Pick<KnowledgeBase, 'meta' | 'techniques' | 'software' | 'groups' | 'campaigns'>;

export function buildAttributionIndex(kb: AttributionSource, params: Partial<AttributionParams> = {}): AttributionIndex {
  const p: AttributionParams = { ...DEFAULT_PARAMS, ...params };
  const techniqueNames = new Map<string, string>();
  const parentOf = new Map<string, string>();
  for (const t of kb.techniques()) {
    techniqueNames.set(t.id, t.name);
    if (t.parentId) parentOf.set(t.id, t.parentId);
  }
  const slot = new Map<string, number>();
  for (const id of techniqueNames.keys()) slot.set(id, slot.size);
  const familyOf = new Int32Array(slot.size);
  for (const [id, i] of slot) familyOf[i] = slot.get(parentOf.get(id) ?? id) ?? i;
  const vocabulary: Vocabulary = { slot, familyOf, parentOf };
  const softwareNames = new Map<string, string>();
  const softwareTechniques = new Map<string, string[]>();
  for (const s of kb.software()) {
    softwareNames.set(s.id, s.name);
    softwareTechniques.set(s.id, s.techniqueIds);
  }

  const makeSource = (
    kind: ProfileSource['kind'],
    campaignId: string | null,
    firstSeen: string | null,
    lastSeen: string | null,
    techniqueIds: string[],
    softwareIds: string[],
  ): ProfileSource => {
    const techniques = new Map<string, number>();
    const software = new Map<string, number>();
    for (const s of softwareIds) {
      if (!softwareNames.has(s)) continue;
      software.set(s, p.directWeight);
      for (const t of softwareTechniques.get(s) ?? []) {
        if (techniqueNames.has(t)) raise(techniques, t, p.softwareTechniqueWeight);
      }
    }
    for (const t of techniqueIds) if (techniqueNames.has(t)) raise(techniques, t, p.directWeight);
    return { kind, campaignId, firstSeen, lastSeen, techniques, software };
  };

  const campaigns = kb.campaigns();
  const campaignById = new Map(campaigns.map((c) => [c.id, c]));
  const campaignGroups = new Map<string, string[]>();
  for (const c of campaigns) campaignGroups.set(c.id, [...c.attributedTo]);

  const candidates: CandidateEntry[] = [];
  for (const g of kb.groups()) {
    const sources: ProfileSource[] = [makeSource('own', null, null, null, g.techniqueIds, g.softwareIds)];
    const campaignIds = new Set(g.campaignIds);
    for (const c of campaigns) if (c.attributedTo.includes(g.id)) campaignIds.add(c.id);
    for (const cid of campaignIds) {
      const c = campaignById.get(cid);
      if (c) sources.push(makeSource('campaign', c.id, c.firstSeen, c.lastSeen, c.techniqueIds, c.softwareIds));
    }
    candidates.push({
      id: g.id,
      name: g.name,
      aliases: g.aliases.filter((a) => a !== g.name),
      type: 'intrusion-set',
      firstSeen: null,
      lastSeen: null,
      sources,
      base: combine(sources, vocabulary, () => 1),
    });
  }
  for (const c of campaigns) {
    const sources = [makeSource('own', null, c.firstSeen, c.lastSeen, c.techniqueIds, c.softwareIds)];
    candidates.push({
      id: c.id,
      name: c.name,
      aliases: c.aliases.filter((a) => a !== c.name),
      type: 'campaign',
      firstSeen: c.firstSeen,
      lastSeen: c.lastSeen,
      sources,
      base: combine(sources, vocabulary, () => 1),
    });
  }

  // Background over group profiles only: "how common is this behaviour among known actors".
  const groups = candidates.filter((c) => c.type === 'intrusion-set');
  const techniqueBg = background(groups.map((g) => g.base.techniques), techniqueNames.size);
  const softwareBg = background(groups.map((g) => g.base.software), softwareNames.size);
  const meanT = mean(groups.map((g) => g.base.techniqueMass));
  const meanS = mean(groups.map((g) => g.base.softwareMass));

  const techniqueRate = rates(groups.map((g) => g.base.techniques));
  const softwareRate = rates(groups.map((g) => g.base.software));

  const index: AttributionIndex = {
    attackVersion: kb.meta.version,
    techniqueRate: techniqueRate.rates,
    softwareRate: softwareRate.rates,
    techniqueRateFloor: techniqueRate.floor,
    softwareRateFloor: softwareRate.floor,
    softwareGroups: counts(groups.map((g) => g.base.software)),
    params: p,
    candidates,
    byId: new Map(candidates.map((c) => [c.id, c])),
    techniqueBackground: techniqueBg.probabilities,
    softwareBackground: softwareBg.probabilities,
    techniqueFloor: techniqueBg.floor,
    softwareFloor: softwareBg.floor,
    meanTechniqueMass: meanT,
    techniqueMu: Math.max(1, p.smoothing * meanT),
    softwareMu: Math.max(1, p.smoothing * meanS),
    techniqueNames,
    softwareNames,
    parentOf,
    vocabulary,
    campaignGroups,
  };
  denseIndex(index); // the flat structures ranking reads, built now rather than on the first query
  return index;
}

/** Merges sources into one profile: each feature takes its highest weight over the sources, times the source's factor. */
export function combine(
  sources: ProfileSource[],
  vocabulary: Vocabulary,
  factor: (source: ProfileSource) => number,
): Profile {
  const techniques = new Map<string, number>();
  const software = new Map<string, number>();
  for (const source of sources) {
    const f = factor(source);
    if (f <= 0) continue;
    for (const [t, w] of source.techniques) raise(techniques, t, w * f);
    for (const [s, w] of source.software) raise(software, s, w * f);
  }
  const families = new Map<string, { id: string; weight: number }>();
  const weights = new Float64Array(vocabulary.familyOf.length);
  const childWeights = new Float64Array(vocabulary.familyOf.length);
  let techniqueMass = 0;
  for (const [t, w] of techniques) {
    techniqueMass += w;
    const i = vocabulary.slot.get(t);
    if (i !== undefined) {
      weights[i] = w;
      const f = vocabulary.familyOf[i] ?? i;
      if (f !== i && w > (childWeights[f] ?? 0)) childWeights[f] = w;
    }
    const parent = vocabulary.parentOf.get(t);
    if (parent === undefined) continue;
    const best = families.get(parent);
    if (!best || w > best.weight || (w === best.weight && t < best.id)) families.set(parent, { id: t, weight: w });
  }
  let softwareMass = 0;
  for (const w of software.values()) softwareMass += w;
  return { techniques, software, families, techniqueMass, softwareMass, weights, childWeights };
}

function raise(map: Map<string, number>, key: string, weight: number): void {
  const current = map.get(key);
  if (current === undefined || current < weight) map.set(key, weight);
}

function background(profiles: Array<Map<string, number>>, vocabulary: number): { probabilities: Map<string, number>; floor: number } {
  const totals = new Map<string, number>();
  let mass = 0;
  for (const profile of profiles) {
    for (const [k, w] of profile) {
      totals.set(k, (totals.get(k) ?? 0) + w);
      mass += w;
    }
  }
  // Half a pseudo-count per vocabulary entry so unseen behaviour is rare, not impossible.
  const pseudo = 0.5;
  const denominator = mass + pseudo * Math.max(vocabulary, totals.size);
  const probabilities = new Map<string, number>();
  for (const [k, w] of totals) probabilities.set(k, (w + pseudo) / denominator);
  return { probabilities, floor: pseudo / denominator };
}

function rates(profiles: Array<Map<string, number>>): { rates: Map<string, number>; floor: number } {
  const totals = new Map<string, number>();
  for (const profile of profiles) for (const [k, w] of profile) totals.set(k, (totals.get(k) ?? 0) + w);
  const n = profiles.length + 1;
  const out = new Map<string, number>();
  for (const [k, w] of totals) out.set(k, (w + 0.5) / n);
  return { rates: out, floor: 0.5 / n };
}

function counts(profiles: Array<Map<string, number>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const profile of profiles) for (const [k, w] of profile) if (w > 0) out.set(k, (out.get(k) ?? 0) + 1);
  return out;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
