import type { AttributionIndex, CandidateEntry, Profile } from './build-index.js';
import { softwareLlr, techniqueLlr, type EvidenceProfile, type ObservedSoftware, type ObservedTechnique } from './likelihood.js';
import type { CandidateEvidence, MissingTechnique, TechniqueEvidence } from './types.js';

/** Why a candidate ranks where it does: the shared techniques and software, and what to hunt for next. */

export interface Scored {
  entry: CandidateEntry;
  /** Position in `index.candidates`, and of its ID in code-unit order (the tie-break). */
  position: number;
  idRank: number;
  /** True when this query changed the candidate's profile (a campaign excluded or out of the window). */
  changed: boolean;
  score: number;
  outOfWindow: boolean;
  droppedCampaigns: number;
}


export function evidenceFor(
  index: AttributionIndex,
  s: Scored,
  profile: EvidenceProfile,
  missing: MissingTechnique[],
  techniques: ObservedTechnique[],
  software: ObservedSoftware[],
): CandidateEvidence {
  const shared: TechniqueEvidence[] = [];
  const unmatchedTechniques: string[] = [];
  for (const t of techniques) {
    const r = techniqueLlr(index, profile, t);
    if (r.weight <= 0) {
      unmatchedTechniques.push(t.id);
      continue;
    }
    const item: TechniqueEvidence = { id: t.id, name: index.techniqueNames.get(t.id) ?? t.id, weight: round(t.weight * r.llr), match: r.match };
    if (r.via !== undefined) item.via = r.via;
    shared.push(item);
  }
  shared.sort((a, b) => descending(a.weight, b.weight) || a.id.localeCompare(b.id));

  const sharedSoftware = [];
  const unmatchedSoftware: string[] = [];
  for (const sw of software) {
    if ((profile.software.get(sw.id) ?? 0) > 0) {
      sharedSoftware.push({
        id: sw.id,
        name: index.softwareNames.get(sw.id) ?? sw.id,
        weight: round(index.params.softwareFactor * softwareLlr(index, profile, sw)),
        usedByGroups: index.softwareGroups.get(sw.id) ?? 0,
      });
    } else unmatchedSoftware.push(sw.id);
  }
  sharedSoftware.sort((a, b) => descending(a.weight, b.weight) || a.id.localeCompare(b.id));

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
export function characteristicOf(index: AttributionIndex, profile: Profile): MissingTechnique[] {
  const cached = characteristicCache.get(profile);
  if (cached) return cached;
  const list: MissingTechnique[] = [];
  for (const [id, w] of profile.techniques) {
    const bg = index.techniqueBackground.get(id) ?? index.techniqueFloor;
    list.push({ id, name: index.techniqueNames.get(id) ?? id, distinctiveness: round(w * -Math.log(bg)) });
  }
  list.sort((a, b) => descending(a.distinctiveness, b.distinctiveness) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  characteristicCache.set(profile, list);
  return list;
}

/** What to hunt for next: the first `n` of a characteristic list that were not observed. */
export function firstUnseen(list: MissingTechnique[], index: AttributionIndex, unobserved: (slot: number) => boolean, n: number): MissingTechnique[] {
  const out: MissingTechnique[] = [];
  for (const m of list) {
    if (!unobserved(index.vocabulary.slot.get(m.id) ?? -1)) continue;
    out.push(m);
    if (out.length === n) break;
  }
  return out;
}


/**
 * Sort order for larger first, as `b - a` gives it (equal, or NaN, is a tie), but as -1/0/1: a
 * comparator that returns a fractional difference allocates a number on every call.
 */
export function descending(a: number, b: number): number {
  return a > b ? -1 : a < b ? 1 : 0;
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
