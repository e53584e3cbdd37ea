import type { AttributionIndex, Profile } from './build-index.js';
import type { TechniqueEvidence } from './types.js';

/**
 * The log-likelihood ratios attribution scores with: how much more likely an observed technique or
 * software is under a candidate's profile than under "any actor" (docs/attribution.md).
 */

export interface ObservedTechnique {
  id: string;
  /** Log-damped count: seeing a technique ten times is stronger than once, not ten times stronger. */
  weight: number;
  count: number;
  background: number;
  rate: number;
  slot: number;
  familySlot: number;
}

export interface ObservedSoftware {
  id: string;
  background: number;
  rate: number;
}

/**
 * What the evidence reads of a profile. A profile that the query changed is built with only the
 * entries the evidence looks up (`EvidenceLookups`), not in full.
 */
export type EvidenceProfile = Pick<Profile, 'techniques' | 'families' | 'software' | 'techniqueMass' | 'softwareMass'>;

export function techniqueLlr(
  index: AttributionIndex,
  profile: EvidenceProfile,
  t: ObservedTechnique,
): { llr: number; weight: number; match: TechniqueEvidence['match']; via?: string } {
  const p = index.params;
  // The best of: the exact technique, then the family's credit; an option replaces an earlier
  // one only when strictly heavier.
  let weight = profile.techniques.get(t.id) ?? 0;
  let match: TechniqueEvidence['match'] = 'exact';
  let via: string | undefined;
  const parent = index.parentOf.get(t.id);
  if (parent === undefined) {
    const child = profile.families.get(t.id);
    if (child && p.familyCredit * child.weight > weight) {
      weight = p.familyCredit * child.weight;
      match = 'child';
      via = child.id;
    }
  } else {
    const fromParent = p.familyCredit * (profile.techniques.get(parent) ?? 0);
    if (fromParent > weight) {
      weight = fromParent;
      match = 'parent';
      via = parent;
    }
    const sibling = profile.families.get(parent);
    // The best sub-technique may be the observed one itself; then the exact weight already wins.
    if (sibling && sibling.id !== t.id && p.siblingCredit * sibling.weight > weight) {
      weight = p.siblingCredit * sibling.weight;
      match = 'sibling';
      via = sibling.id;
    }
  }
  const llr =
    index.params.model === 'bernoulli' ? bernoulliLlr(index.params.coverage, weight, t.rate) : multinomialLlr(index, profile, weight, t.background);
  return via === undefined ? { llr, weight, match } : { llr, weight, match, via };
}

export function softwareLlr(index: AttributionIndex, profile: EvidenceProfile, s: ObservedSoftware): number {
  const w = profile.software.get(s.id) ?? 0;
  if (index.params.model === 'bernoulli') return bernoulliLlr(index.params.softwareCoverage, w, s.rate);
  return multinomialSoftwareTerm(index, profile.softwareMass, w, s.background);
}

export function multinomialSoftwareTerm(index: AttributionIndex, softwareMass: number, weight: number, background: number): number {
  const mu = index.softwareMu;
  return Math.log((weight + mu * background) / ((softwareMass + mu) * background));
}

export function multinomialLlr(index: AttributionIndex, profile: EvidenceProfile, weight: number, background: number): number {
  return multinomialTerm(index, profile.techniqueMass, weight, background);
}

export function multinomialTerm(index: AttributionIndex, techniqueMass: number, weight: number, background: number): number {
  return Math.log((weight + index.techniqueMu * background) / ((techniqueMass + index.techniqueMu) * background));
}

/**
 * `bernoulliLlr` for each observed item at the weights a query meets, each computed once: the
 * weight 0 up front, others as they occur (a handful of distinct values).
 */
export function llrTable(items: Array<{ rate: number }>, coverage: number): (j: number, weight: number) => number {
  const ways = 4;
  const misses = items.map((it) => bernoulliLlr(coverage, 0, it.rate));
  const keys = new Float64Array(items.length * ways);
  const values = new Float64Array(items.length * ways);
  const used = new Uint8Array(items.length);
  return (j, weight) => {
    if (weight === 0) return misses[j] as number;
    const from = j * ways;
    const n = used[j] as number;
    for (let k = 0; k < n; k += 1) if (keys[from + k] === weight) return values[from + k] as number;
    const llr = bernoulliLlr(coverage, weight, (items[j] as { rate: number }).rate);
    if (n < ways) {
      keys[from + n] = weight;
      values[from + n] = llr;
      used[j] = n + 1;
    }
    return llr;
  };
}

/**
 * The observed behaviour comes from the candidate's repertoire with probability `coverage` (in
 * proportion to how firmly the profile holds it), otherwise it is something any actor does at its
 * base rate. Log-ratio against "any actor": rare shared behaviour is strong evidence, common
 * shared behaviour weak, unshared behaviour costs log(1 - coverage).
 */
export function bernoulliLlr(coverage: number, weight: number, rate: number): number {
  const r = Math.min(rate, 0.999);
  return Math.log((coverage * Math.min(1, weight) + (1 - coverage) * r) / r);
}

