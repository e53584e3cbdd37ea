import { mulberry32 } from './als.js';

/**
 * The Technique Inference Engine's evaluation protocol, as pure functions: a held-out technique set
 * is split at random into an observed half and a hidden half; a method ranks every technique not
 * observed; recall@k is the share of the hidden half in the top k, NDCG@k rewards finding them early.
 */

export interface HeldOutSet {
  label: string;
  techniques: string[];
}

export interface RankingMetrics {
  cases: number;
  recall10: number;
  recall20: number;
  recall50: number;
  ndcg20: number;
}

/** Splits a set into observed and hidden halves (seeded; the observed half rounds down). */
export function splitHalf(techniques: readonly string[], seed: number): { observed: string[]; hidden: string[] } {
  const random = mulberry32(seed);
  const shuffled = [...techniques].sort();
  for (let i = shuffled.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const cut = Math.floor(shuffled.length / 2);
  return { observed: shuffled.slice(0, cut), hidden: shuffled.slice(cut) };
}

/** Recall@k and NDCG@k of one ranking against the hidden techniques. */
export function scoreRanking(ranking: readonly string[], hidden: ReadonlySet<string>): { recall10: number; recall20: number; recall50: number; ndcg20: number } {
  const recallAt = (k: number) => ranking.slice(0, k).filter((id) => hidden.has(id)).length / hidden.size;
  let dcg = 0;
  ranking.slice(0, 20).forEach((id, r) => {
    if (hidden.has(id)) dcg += 1 / Math.log2(r + 2);
  });
  let ideal = 0;
  for (let r = 0; r < Math.min(20, hidden.size); r += 1) ideal += 1 / Math.log2(r + 2);
  return { recall10: recallAt(10), recall20: recallAt(20), recall50: recallAt(50), ndcg20: ideal > 0 ? dcg / ideal : 0 };
}

/** Mean metrics over cases. */
export function evaluateRanking(outcomes: ReturnType<typeof scoreRanking>[]): RankingMetrics {
  const mean = (f: (o: ReturnType<typeof scoreRanking>) => number) => (outcomes.length ? outcomes.reduce((s, o) => s + f(o), 0) / outcomes.length : NaN);
  return { cases: outcomes.length, recall10: mean((o) => o.recall10), recall20: mean((o) => o.recall20), recall50: mean((o) => o.recall50), ndcg20: mean((o) => o.ndcg20) };
}
