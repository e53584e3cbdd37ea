import { foldIn } from './als.js';
import type { InferenceModel } from './model.js';

/**
 * The scoring core, shared by the answer users see (`infer.ts`) and the benchmark: every item's
 * score for an observation, before exclusions and kill-chain or platform factors.
 */

export interface WeightedObservation {
  items: number[];
  weights: number[];
  /** The observed item each entry stands for (a parent added for a sub-technique stands for it). */
  origin: number[];
}

/** Observed items with weight 1, plus each observed sub-technique's parent at `parentWeight` (when not observed itself). */
export function expandObservation(model: InferenceModel, observed: readonly number[]): WeightedObservation {
  const entries = new Map<number, { weight: number; origin: number }>();
  for (const i of observed) entries.set(i, { weight: 1, origin: i });
  for (const i of observed) {
    const parent = model.parent[i]!;
    if (parent >= 0 && !entries.has(parent) && model.params.parentWeight > 0) entries.set(parent, { weight: model.params.parentWeight, origin: i });
  }
  const list = [...entries];
  return { items: list.map(([i]) => i), weights: list.map(([, e]) => e.weight), origin: list.map(([, e]) => e.origin) };
}

/** Item-item similarity of i to j: normalised weighted co-occurrence with shrinkage. */
export function similarity(model: InferenceModel, i: number, j: number): number {
  const n = model.items.length;
  const c = model.cooccurrence[i * n + j]!;
  if (c === 0) return 0;
  const beta = model.params.targetNormalisation;
  const raw = model.counts[i * n + j]!;
  return (c / (Math.pow(model.frequency[i]!, 1 - beta) * Math.pow(model.frequency[j]!, beta))) * (raw / (raw + model.params.shrinkage));
}

/** Item-item scores of every item (un-normalised). */
export function neighbourhoodScores(model: InferenceModel, observation: WeightedObservation): Float64Array {
  const n = model.items.length;
  const scores = new Float64Array(n);
  observation.items.forEach((i, k) => {
    const w = observation.weights[k]!;
    for (let j = 0; j < n; j += 1) if (model.counts[i * n + j]! > 0) scores[j]! += w * similarity(model, i, j);
  });
  return scores;
}

/** The blended score of every item: co-occurrence and factorisation, each scaled to its maximum, plus the popularity prior. */
export function blendedScores(model: InferenceModel, observation: WeightedObservation): Float64Array {
  const n = model.items.length;
  const p = model.params;
  const neighbourhood = scaleToMax(neighbourhoodScores(model, observation));
  const factorised = model.als && p.factorisationWeight > 0 ? scaleToMax(foldIn(model.als, observation.items, observation.weights, n)) : null;
  const popularity = scaleToMax(Float64Array.from(model.baseRate));
  // The fewer techniques observed, the less the co-occurrence knows and the more the prior counts.
  const direct = Math.max(1, observation.weights.filter((w) => w === 1).length);
  const prior = p.popularityWeight + p.thinPopularityWeight / direct;
  const out = new Float64Array(n);
  for (let j = 0; j < n; j += 1) {
    const learned = factorised ? (1 - p.factorisationWeight) * neighbourhood[j]! + p.factorisationWeight * Math.max(0, factorised[j]!) : neighbourhood[j]!;
    out[j] = learned + prior * popularity[j]!;
  }
  return out;
}

/** Baseline: items by how many training sets use them. */
export function popularityScores(model: InferenceModel): Float64Array {
  return Float64Array.from(model.baseRate);
}

/** Baseline: plain co-occurrence counts with the observed items, no weighting. */
export function plainCooccurrenceScores(model: InferenceModel, observed: readonly number[]): Float64Array {
  const n = model.items.length;
  const scores = new Float64Array(n);
  for (const i of observed) for (let j = 0; j < n; j += 1) scores[j]! += model.counts[i * n + j]!;
  // Ties (common with few observed items) broken by popularity, as a counting method would.
  for (let j = 0; j < n; j += 1) scores[j]! += model.baseRate[j]! * 1e-3;
  return scores;
}

function scaleToMax(values: Float64Array): Float64Array {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  return max > 0 ? values.map((v) => v / max) : values;
}
