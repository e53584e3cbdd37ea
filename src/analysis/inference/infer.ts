import type { InferenceModel } from './model.js';
import { blendedScores, expandObservation, similarity, type WeightedObservation } from './score.js';
import type { InferenceQuery, InferenceReason, InferenceResult, InferredTechnique } from './types.js';

/** Fewer known techniques than this and the answer is flagged thin. */
export const MIN_OBSERVED = 2;
/** Reasons listed per suggestion. */
const MAX_REASONS = 5;

/**
 * Final scores of every item for observed items: the blended score, observed items and the parents
 * of observed sub-techniques removed (-Infinity: they happened), observed software's techniques
 * raised, and the kill-chain and platform factors applied.
 */
export function finalScores(model: InferenceModel, observed: readonly number[], observation: WeightedObservation, software: readonly string[] = [], platforms: readonly string[] = []): Float64Array {
  const p = model.params;
  const scores = blendedScores(model, observation);
  for (const id of software) for (const j of model.softwareTechniques.get(id) ?? []) scores[j]! += p.softwareWeight;
  const orders = observed.flatMap((i) => model.tacticOrders[i]!);
  const earliest = orders.length ? Math.min(...orders) : Infinity;
  const latest = orders.length ? Math.max(...orders) : -Infinity;
  const wanted = new Set(platforms.map((x) => x.toLowerCase()));
  for (let j = 0; j < scores.length; j += 1) {
    const own = model.tacticOrders[j]!;
    if (own.length && orders.length) {
      if (own.some((o) => o > latest)) scores[j]! *= p.laterTacticFactor;
      else if (own.every((o) => o < earliest)) scores[j]! *= p.earlierTacticFactor;
    }
    if (wanted.size && model.platforms[j]!.size && ![...model.platforms[j]!].some((x) => wanted.has(x))) scores[j]! *= p.platformMismatchFactor;
  }
  for (const i of observed) {
    scores[i] = -Infinity;
    const parent = model.parent[i]!;
    if (parent >= 0) scores[parent] = -Infinity;
  }
  return scores;
}

/** Item indices best first (ties by ID), excluded items left out. */
export function rankedItems(scores: Float64Array, limit: number): number[] {
  const order: number[] = [];
  for (let j = 0; j < scores.length; j += 1) if (scores[j]! > -Infinity) order.push(j);
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order.slice(0, limit);
}

/**
 * What probably also happened: the techniques the model ranks highest for the observation, each
 * with the observed techniques that imply it (their share of its co-occurrence evidence), the
 * observed software that uses it, and its base rate. Unknown IDs in the query are ignored here
 * (front ends refuse them before).
 */
export function inferTechniques(model: InferenceModel, query: InferenceQuery): InferenceResult {
  const observedIds = [...new Set(query.techniques)].filter((id) => model.indexOf.has(id));
  const observed = observedIds.map((id) => model.indexOf.get(id)!);
  const software = [...new Set(query.software ?? [])].filter((id) => model.softwareTechniques.has(id));
  const base = { attackVersion: model.attackVersion, observed: observedIds };
  if (observed.length === 0 && software.length === 0) {
    return { ...base, techniques: [], thin: true, note: 'no known technique or software observed: nothing to infer from' };
  }
  const observation = expandObservation(model, observed);
  const scores = finalScores(model, observed, observation, software, query.platforms ?? []);
  const top = rankedItems(scores, query.top ?? 10);
  let best = 0;
  for (const s of scores) if (s > best) best = s;
  const techniques: InferredTechnique[] = top.map((j) => ({
    id: model.items[j]!,
    name: model.names[j]!,
    tactics: model.tactics[j]!,
    score: round(best > 0 ? scores[j]! / best : 0),
    because: reasonsFor(model, observation, j),
    software: software.filter((id) => model.softwareTechniques.get(id)!.includes(j)),
    baseRate: round(model.baseRate[j]!),
  }));
  const supported = techniques.some((t) => t.because.length > 0 || t.software.length > 0);
  let note: string | null = null;
  if (!supported) note = 'the observed techniques never occur together with others in ATT&CK: the suggestions are only the most common techniques';
  else if (observed.length < MIN_OBSERVED) note = `only ${observed.length} known technique${observed.length === 1 ? '' : 's'} observed: treat the suggestions as leads, not conclusions`;
  return { ...base, techniques, thin: note !== null, note };
}

/** The observed techniques behind a suggestion, by their share of its co-occurrence evidence. */
function reasonsFor(model: InferenceModel, observation: WeightedObservation, j: number): InferenceReason[] {
  // A parent added for an observed sub-technique counts for that sub-technique.
  const byOrigin = new Map<number, number>();
  observation.items.forEach((i, k) => {
    const w = observation.weights[k]! * similarity(model, i, j);
    if (w > 0) byOrigin.set(observation.origin[k]!, (byOrigin.get(observation.origin[k]!) ?? 0) + w);
  });
  const parts = [...byOrigin].map(([i, w]) => ({ i, w }));
  const total = parts.reduce((s, x) => s + x.w, 0);
  if (total <= 0) return [];
  return parts
    .sort((a, b) => b.w - a.w || a.i - b.i)
    .slice(0, MAX_REASONS)
    .map((x) => ({ technique: model.items[x.i]!, weight: round(x.w / total) }));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
