import type { KnowledgeBase } from '../../attack/types.js';
import { trainAls, type AlsModel } from './als.js';
import { trainingCorpus, type CorpusExclusion, type TrainingDocument } from './corpus.js';
import type { InferenceParams } from './types.js';

/**
 * The defaults, chosen by `bench/inference.mjs` (docs/inference.md has the figures): IDF-like
 * damping of large documents, a cosine-leaning normalisation with shrinkage, a light popularity
 * prior, blended half and half with a k = 16 implicit ALS factorisation (k = 32 measured no better
 * and trains several times slower).
 */
export const DEFAULT_INFERENCE_PARAMS: InferenceParams = {
  kindWeight: { group: 1, campaign: 1, software: 0.5 },
  sizeDamping: 0.5,
  targetNormalisation: 0.35,
  shrinkage: 1,
  popularityWeight: 0.1,
  thinPopularityWeight: 0.4,
  factorisationWeight: 0.5,
  factors: 16,
  iterations: 5,
  regularisation: 5,
  alpha: 20,
  parentWeight: 0.5,
  softwareWeight: 0.3,
  laterTacticFactor: 1.1,
  earlierTacticFactor: 1,
  platformMismatchFactor: 0.3,
};

/** A trained model: vocabulary, weighted co-occurrence counts and (optionally) factorisation. */
export interface InferenceModel {
  attackVersion: string;
  domain: string;
  params: InferenceParams;
  /** Technique IDs, the vocabulary; an item is its index here. */
  items: string[];
  indexOf: Map<string, number>;
  names: string[];
  tactics: string[][];
  /** Matrix positions of each item's tactics (for the kill-chain factor). */
  tacticOrders: number[][];
  /** Lower-case platforms of each item. */
  platforms: Set<string>[];
  /** Index of each item's parent technique, or -1. */
  parent: Int32Array;
  /** Weighted number of documents using each item (weighted as the co-occurrence is). */
  frequency: Float64Array;
  /** Share of documents using each item (the base rate shown to users). */
  baseRate: Float64Array;
  /** Weighted co-occurrence, items × items. */
  cooccurrence: Float32Array;
  /** Plain co-occurrence counts (documents using both), items × items: shrinkage and the baseline. */
  counts: Uint16Array;
  als: AlsModel | null;
  /** Software ID → item indices ATT&CK records it using. */
  softwareTechniques: Map<string, number[]>;
  documents: number;
  /** Milliseconds the training took. */
  trainingMs: number;
}

/** Trains the model on the knowledge base's groups, campaigns and software. */
export function trainInference(kb: KnowledgeBase, params: Partial<InferenceParams> = {}, exclusion: CorpusExclusion = {}): InferenceModel {
  const started = performance.now();
  const p: InferenceParams = { ...DEFAULT_INFERENCE_PARAMS, ...params, kindWeight: { ...DEFAULT_INFERENCE_PARAMS.kindWeight, ...params.kindWeight } };
  const techniques = kb.techniques();
  const tacticOrder = new Map(kb.tactics().map((t) => [t.shortname, t.order]));
  const items = techniques.map((t) => t.id);
  const indexOf = new Map(items.map((id, i) => [id, i]));
  const corpus = trainingCorpus(kb, exclusion);
  const model = buildModel(p, items, indexOf, corpus);
  const softwareTechniques = new Map<string, number[]>();
  for (const s of kb.software()) softwareTechniques.set(s.id, s.techniqueIds.map((id) => indexOf.get(id)).filter((i): i is number => i !== undefined));
  return {
    attackVersion: kb.meta.version,
    domain: kb.meta.domain,
    params: p,
    items,
    indexOf,
    names: techniques.map((t) => t.name),
    tactics: techniques.map((t) => [...t.tactics]),
    tacticOrders: techniques.map((t) => t.tactics.map((s) => tacticOrder.get(s)).filter((o): o is number => o !== undefined)),
    platforms: techniques.map((t) => new Set(t.platforms.map((x) => x.toLowerCase()))),
    parent: Int32Array.from(techniques.map((t) => (t.parentId ? (indexOf.get(t.parentId) ?? -1) : -1))),
    ...model,
    softwareTechniques,
    documents: corpus.length,
    trainingMs: performance.now() - started,
  };
}

function buildModel(p: InferenceParams, items: string[], indexOf: Map<string, number>, corpus: TrainingDocument[]) {
  const n = items.length;
  const frequency = new Float64Array(n);
  const present = new Float64Array(n);
  const cooccurrence = new Float32Array(n * n);
  const counts = new Uint16Array(n * n);
  const rowItems: Int32Array[] = [];
  const rowWeights: Float64Array[] = [];
  for (const doc of corpus) {
    const idx = Int32Array.from(doc.techniques.map((id) => indexOf.get(id)!));
    const w = p.kindWeight[doc.kind] / Math.pow(idx.length, p.sizeDamping);
    for (const i of idx) {
      frequency[i]! += w;
      present[i]! += 1;
    }
    for (let a = 0; a < idx.length; a += 1) {
      const rowA = idx[a]! * n;
      for (let b = 0; b < idx.length; b += 1) {
        if (a === b) continue;
        cooccurrence[rowA + idx[b]!]! += w;
        counts[rowA + idx[b]!]! += 1;
      }
    }
    rowItems.push(idx);
    rowWeights.push(new Float64Array(idx.length).fill(p.kindWeight[doc.kind]));
  }
  const documents = Math.max(1, corpus.length);
  const als =
    p.factorisationWeight > 0 && corpus.length > 0
      ? trainAls({ items: rowItems, weights: rowWeights }, n, { factors: p.factors, iterations: p.iterations, regularisation: p.regularisation, alpha: p.alpha, seed: 18 })
      : null;
  return { frequency, baseRate: present.map((x) => x / documents), cooccurrence, counts, als };
}
