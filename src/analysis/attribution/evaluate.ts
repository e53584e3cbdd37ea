import type { KnowledgeBase } from '../../attack/types.js';
import { buildAttributionIndex, type AttributionIndex, type AttributionParams, type AttributionSource } from './build-index.js';
import { rankCandidates } from './rank.js';
import type { Confidence } from './types.js';

/**
 * Leave-one-out evaluation on ATT&CK's own ground truth: every campaign attributed to a group.
 * The campaign's techniques (and software) are observed, its contribution is removed from every
 * profile, and the groups are ranked. Pure: the caller loads the knowledge base and prints.
 */

export interface GroundTruthCase {
  campaignId: string;
  campaignName: string;
  groups: string[];
  techniques: string[];
  software: string[];
}

export interface CaseOutcome {
  /** The campaign's ID (or, for a held-out report, its label). */
  campaignId: string;
  /** 1-based rank of the first correct group; Infinity when no correct group was ranked. */
  rank: number;
  topId: string | null;
  topConfidence: Confidence;
  topProbability: number;
}

export interface RankSummary {
  cases: number;
  top1: number;
  top3: number;
  top5: number;
  medianRank: number;
}

export interface CalibrationRow {
  confidence: Confidence;
  cases: number;
  correct: number;
  /** Share of cases at this level whose top candidate was right (NaN when there were none). */
  precision: number;
}

export function groundTruth(kb: KnowledgeBase): GroundTruthCase[] {
  const groupIds = new Set(kb.groups().map((g) => g.id));
  return kb
    .campaigns()
    .filter((c) => c.techniqueIds.length > 0 && c.attributedTo.some((g) => groupIds.has(g)))
    .map((c) => ({
      campaignId: c.id,
      campaignName: c.name,
      groups: c.attributedTo.filter((g) => groupIds.has(g)),
      techniques: [...c.techniqueIds],
      software: [...c.softwareIds],
    }));
}

export function evaluateCase(
  index: AttributionIndex,
  c: GroundTruthCase,
  observe: { techniques: string[]; software: string[] },
): CaseOutcome {
  return outcomeFor(index, c.campaignId, c.groups, observe, [c.campaignId]);
}

/** Ranks every group for one observation and finds the first right answer. */
function outcomeFor(
  index: AttributionIndex,
  id: string,
  groups: string[],
  observe: { techniques: string[]; software: string[] },
  excludeCampaigns: string[],
): CaseOutcome {
  const result = rankCandidates(
    index,
    { techniques: observe.techniques, software: observe.software },
    { types: ['intrusion-set'], excludeCampaigns, top: index.candidates.length },
  );
  const position = result.candidates.findIndex((cand) => groups.includes(cand.id));
  const first = result.candidates[0];
  return {
    campaignId: id,
    rank: position < 0 ? Infinity : position + 1,
    topId: first?.id ?? null,
    topConfidence: result.verdict.attributed ? (first?.confidence ?? 'none') : 'none',
    topProbability: first?.probability ?? 0,
  };
}

export function summarise(outcomes: CaseOutcome[]): RankSummary {
  const n = outcomes.length;
  const share = (k: number): number => (n === 0 ? 0 : outcomes.filter((o) => o.rank <= k).length / n);
  const ranks = outcomes.map((o) => o.rank).sort((a, b) => a - b);
  const mid = Math.floor(n / 2);
  const medianRank = n === 0 ? NaN : n % 2 === 1 ? (ranks[mid] as number) : ((ranks[mid - 1] as number) + (ranks[mid] as number)) / 2;
  return { cases: n, top1: share(1), top3: share(3), top5: share(5), medianRank };
}

export function calibration(outcomes: CaseOutcome[]): CalibrationRow[] {
  const levels: Confidence[] = ['high', 'medium', 'low', 'none'];
  return levels.map((confidence) => {
    const at = outcomes.filter((o) => o.topConfidence === confidence);
    const correct = at.filter((o) => o.rank === 1).length;
    return { confidence, cases: at.length, correct, precision: at.length === 0 ? NaN : correct / at.length };
  });
}

/** Deterministic pseudo-random numbers (mulberry32), so robustness runs are repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random subset of `fraction` of the items (at least one), drawn without replacement. */
export function sample<T>(items: T[], fraction: number, random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, Math.max(1, Math.round(items.length * fraction)));
}

export interface EvaluationReport {
  attackVersion: string;
  cases: number;
  techniquesAndSoftware: RankSummary;
  techniquesOnly: RankSummary;
  robustness: Array<{
    fraction: number;
    withSoftware: boolean;
    seeds: number;
    top1: { mean: number; sd: number };
    top3: { mean: number; sd: number };
    top5: { mean: number; sd: number };
    medianRank: { mean: number; sd: number };
  }>;
  /** Calibration over the full and the subsampled runs together. */
  calibration: CalibrationRow[];
  outcomes: CaseOutcome[];
}

export function evaluateAttribution(
  kb: KnowledgeBase,
  index: AttributionIndex,
  options: { fractions?: number[]; seeds?: number } = {},
): EvaluationReport {
  const cases = groundTruth(kb);
  const fractions = options.fractions ?? [0.3, 0.5];
  const seeds = options.seeds ?? 10;
  const full = cases.map((c) => evaluateCase(index, c, { techniques: c.techniques, software: c.software }));
  const techOnly = cases.map((c) => evaluateCase(index, c, { techniques: c.techniques, software: [] }));
  const all: CaseOutcome[] = [...full, ...techOnly];
  const robustness: EvaluationReport['robustness'] = [];
  for (const fraction of fractions) {
    for (const withSoftware of [true, false]) {
      const runs: RankSummary[] = [];
      for (let seed = 1; seed <= seeds; seed += 1) {
        const random = seededRandom(seed * 7919 + Math.round(fraction * 100));
        const outcomes = cases.map((c) =>
          evaluateCase(index, c, { techniques: sample(c.techniques, fraction, random), software: withSoftware ? c.software : [] }),
        );
        all.push(...outcomes);
        runs.push(summarise(outcomes));
      }
      robustness.push({
        fraction,
        withSoftware,
        seeds,
        top1: spread(runs.map((r) => r.top1)),
        top3: spread(runs.map((r) => r.top3)),
        top5: spread(runs.map((r) => r.top5)),
        medianRank: spread(runs.map((r) => r.medianRank)),
      });
    }
  }
  return {
    attackVersion: index.attackVersion,
    cases: cases.length,
    techniquesAndSoftware: summarise(full),
    techniquesOnly: summarise(techOnly),
    robustness,
    calibration: calibration(all),
    outcomes: full,
  };
}

function spread(values: number[]): { mean: number; sd: number } {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { mean: NaN, sd: NaN };
  const m = finite.reduce((a, b) => a + b, 0) / finite.length;
  const variance = finite.reduce((a, b) => a + (b - m) ** 2, 0) / finite.length;
  return { mean: m, sd: Math.sqrt(variance) };
}

/**
 * A second ground truth: what one source (a report cited by ATT&CK) says about one group. Its
 * techniques and software are observed, and every `uses` relationship that only this report
 * supports is removed from the knowledge base first, as if the report had never been read.
 */
export interface HoldoutCase {
  /** The report, as ATT&CK cites it. */
  label: string;
  /** The right answers. */
  groups: string[];
  techniques: string[];
  software: string[];
  /** `uses` relationships to remove, as [group or campaign ID, technique or software ID]. */
  removed: Array<[string, string]>;
}

export interface HoldoutReport {
  cases: number;
  techniquesAndSoftware: RankSummary;
  techniquesOnly: RankSummary;
  /** Calibration over both runs together. */
  calibration: CalibrationRow[];
  outcomes: CaseOutcome[];
}

/** The knowledge base without some `uses` relationships (groups' and campaigns' techniques and software). */
export function withoutRelationships(kb: AttributionSource, removed: Array<[string, string]>): AttributionSource {
  const gone = new Map<string, Set<string>>();
  for (const [from, to] of removed) {
    const set = gone.get(from) ?? new Set<string>();
    set.add(to);
    gone.set(from, set);
  }
  const keep = (owner: string, ids: string[]): string[] => {
    const drop = gone.get(owner);
    return drop ? ids.filter((id) => !drop.has(id)) : ids;
  };
  const groups = kb.groups().map((g) => (gone.has(g.id) ? { ...g, techniqueIds: keep(g.id, g.techniqueIds), softwareIds: keep(g.id, g.softwareIds) } : g));
  const campaigns = kb.campaigns().map((c) => (gone.has(c.id) ? { ...c, techniqueIds: keep(c.id, c.techniqueIds), softwareIds: keep(c.id, c.softwareIds) } : c));
  return { meta: kb.meta, techniques: () => kb.techniques(), software: () => kb.software(), groups: () => groups, campaigns: () => campaigns };
}

/** Ranks groups for each held-out report, the index rebuilt without it (pure, slow: one index per case). */
export function evaluateHoldout(kb: AttributionSource, cases: HoldoutCase[], params: Partial<AttributionParams> = {}): HoldoutReport {
  const full: CaseOutcome[] = [];
  const techOnly: CaseOutcome[] = [];
  for (const c of cases) {
    const index = buildAttributionIndex(withoutRelationships(kb, c.removed), params);
    full.push(outcomeFor(index, c.label, c.groups, { techniques: c.techniques, software: c.software }, []));
    techOnly.push(outcomeFor(index, c.label, c.groups, { techniques: c.techniques, software: [] }, []));
  }
  return {
    cases: cases.length,
    techniquesAndSoftware: summarise(full),
    techniquesOnly: summarise(techOnly),
    calibration: calibration([...full, ...techOnly]),
    outcomes: full,
  };
}
