import type { KnowledgeBase } from '../../attack/types.js';
import type { Histogram, SkillAggregates } from '../../model/learning.js';
import { addHistogram, histogramQuantile, histogramTotal, mannWhitneyGreater, mergeHistograms, subtractHistogram, twoProportionGreater } from '../trends/stats.js';
import { teamResolver, type TeamMapping } from './teams.js';

export { parseTeamMapping, teamResolver, type TeamMapping } from './teams.js';

export interface SkillOptions {
  /** Team mapping (analyst -> team); adds one scope per team. Needs aggregates by analyst. */
  teams?: TeamMapping;
  /** Adds one scope per analyst (privacy: off unless asked for). Needs aggregates by analyst. */
  perAnalyst?: boolean;
  /** Alerts a technique, family or tactic needs in a scope to be compared (default 30). */
  minAlerts?: number;
  /** One-sided p-value threshold (default 0.01). */
  alpha?: number;
  /** Effect size: median ratio or rate ratio against the rest of the scope (default 1.5). */
  minRatio?: number;
}

export const TIME_TEST_NAME = 'Mann-Whitney U test (normal approximation, tie-corrected, one-sided) on log-binned histograms';
export const RATE_TEST_NAME = 'two-proportion z-test (pooled, one-sided)';

export type SkillFlag = 'slow-triage' | 'slow-resolve' | 'misclassified';

export interface Comparison {
  /** This group's median (or rate) over the rest of the scope's. */
  ratio: number | null;
  p: number | null;
}

export interface SkillEntry {
  level: 'technique' | 'family' | 'tactic';
  id: string;
  name: string | null;
  alerts: number;
  triage: { count: number; medianSeconds: number | null; p90Seconds: number | null };
  resolve: { count: number; medianSeconds: number | null; p90Seconds: number | null };
  misclassified: number;
  misclassificationRate: number;
  benignThenTruePositive: number;
  reopened: number;
  escalated: number;
  /** Review findings tied to it (by the finding's techniques). */
  findings: { manualError: number; unknownAttackVector: number };
  comparisons: { triage: Comparison; resolve: Comparison; misclassification: Comparison };
  flags: SkillFlag[];
}

export interface SkillScope {
  /** `team` (everyone), `team:<name>` or `analyst:<name>`. */
  scope: string;
  alerts: number;
  baseline: { triageMedianSeconds: number | null; resolveMedianSeconds: number | null; misclassificationRate: number };
  entries: SkillEntry[];
}

export interface TrainingTarget {
  scope: string;
  level: SkillEntry['level'];
  id: string;
  name: string | null;
  reasons: string[];
  url: string | null;
  detectionStrategies: { id: string; name: string }[];
  mitigations: { id: string; name: string }[];
}

export interface SkillsReport {
  range: SkillAggregates['range'];
  thresholds: { minAlerts: number; alpha: number; minRatio: number; timeTest: string; rateTest: string };
  scopes: SkillScope[];
  /** Flagged groups, worst first. */
  weakSpots: (SkillEntry & { scope: string })[];
  recommendations: TrainingTarget[];
}

interface Stats {
  alerts: number;
  triage: Histogram;
  resolve: Histogram;
  misclassified: number;
  btp: number;
  reopened: number;
  escalated: number;
}

const emptyStats = (): Stats => ({ alerts: 0, triage: {}, resolve: {}, misclassified: 0, btp: 0, reopened: 0, escalated: 0 });

function mergeStats(into: Stats, from: Stats): void {
  into.alerts += from.alerts;
  mergeHistograms(into.triage, from.triage);
  mergeHistograms(into.resolve, from.resolve);
  into.misclassified += from.misclassified;
  into.btp += from.btp;
  into.reopened += from.reopened;
  into.escalated += from.escalated;
}

function minusStats(a: Stats, b: Stats): Stats {
  return {
    alerts: a.alerts - b.alerts,
    triage: subtractHistogram(a.triage, b.triage),
    resolve: subtractHistogram(a.resolve, b.resolve),
    misclassified: a.misclassified - b.misclassified,
    btp: a.btp - b.btp,
    reopened: a.reopened - b.reopened,
    escalated: a.escalated - b.escalated,
  };
}

/**
 * How the team handled alerts of each technique, technique family (sub-techniques rolled into their
 * parent) and tactic, against its own baseline: the rest of the same scope's alerts. Flags a group
 * with at least `minAlerts` alerts when it is significantly (p < alpha) and materially
 * (ratio >= minRatio) slower to triage or resolve, or misclassified more often. Pure.
 */
export function analyseSkills(agg: SkillAggregates, kb?: KnowledgeBase, options: SkillOptions = {}): SkillsReport {
  const minAlerts = options.minAlerts ?? 30;
  const alpha = options.alpha ?? 0.01;
  const minRatio = options.minRatio ?? 1.5;
  const teamOf = options.teams ? teamResolver(options.teams) : undefined;

  // scope -> technique -> stats
  const scopes = new Map<string, Map<string, Stats>>([['team', new Map()]]);
  const statsFor = (scope: string, technique: string): Stats => {
    let m = scopes.get(scope);
    if (!m) scopes.set(scope, (m = new Map()));
    let s = m.get(technique);
    if (!s) m.set(technique, (s = emptyStats()));
    return s;
  };
  const scopesOf = (analyst: string | null): string[] => {
    const out = ['team'];
    const team = teamOf?.(analyst);
    if (team) out.push(`team:${team}`);
    if (options.perAnalyst && analyst) out.push(`analyst:${analyst}`);
    return out;
  };
  for (const r of agg.triage) {
    for (const scope of scopesOf(r.analyst)) {
      const s = statsFor(scope, r.techniqueId);
      s.alerts += r.alerts;
      if (r.bin !== null) addHistogram(s.triage, r.bin, r.alerts);
      s.misclassified += r.misclassified;
      s.btp += r.benignThenTruePositive;
      s.reopened += r.reopened;
      s.escalated += r.escalated;
    }
  }
  for (const r of agg.resolve) {
    if (r.bin === null) continue;
    for (const scope of scopesOf(r.analyst)) addHistogram(statsFor(scope, r.techniqueId).resolve, r.bin, r.alerts);
  }

  const findingCounts = new Map<string, { manualError: number; unknownAttackVector: number }>();
  for (const f of agg.findings) {
    if (f.category !== 'manual-error' && f.category !== 'unknown-attack-vector') continue;
    const ids = new Set(f.techniques.flatMap((t) => [t.toUpperCase(), familyOf(t.toUpperCase())]));
    for (const tactic of new Set(f.techniques.flatMap((t) => tacticsOf(kb, t)))) ids.add(`tactic:${tactic}`);
    for (const id of ids) {
      let c = findingCounts.get(id);
      if (!c) findingCounts.set(id, (c = { manualError: 0, unknownAttackVector: 0 }));
      if (f.category === 'manual-error') c.manualError++;
      else c.unknownAttackVector++;
    }
  }

  const report: SkillScope[] = [];
  for (const [scope, techniques] of scopes) {
    const total = emptyStats();
    for (const s of techniques.values()) mergeStats(total, s);
    const groups: { level: SkillEntry['level']; id: string; key: string; stats: Stats }[] = [];
    const families = new Map<string, Stats>();
    const familyMembers = new Map<string, number>();
    const tactics = new Map<string, Stats>();
    for (const [id, s] of techniques) {
      groups.push({ level: 'technique', id, key: id, stats: s });
      const family = familyOf(id);
      familyMembers.set(family, (familyMembers.get(family) ?? 0) + 1);
      {
        let f = families.get(family);
        if (!f) families.set(family, (f = emptyStats()));
        mergeStats(f, s);
      }
      for (const tactic of tacticsOf(kb, id)) {
        let t = tactics.get(tactic);
        if (!t) tactics.set(tactic, (t = emptyStats()));
        mergeStats(t, s);
      }
    }
    // A family is its own group only when it spans two or more of the labels seen (else it repeats one).
    for (const [id, s] of families) if ((familyMembers.get(id) ?? 0) > 1) groups.push({ level: 'family', id, key: id, stats: s });
    for (const [id, s] of tactics) groups.push({ level: 'tactic', id, key: `tactic:${id}`, stats: s });

    const entries: SkillEntry[] = [];
    for (const g of groups) {
      if (g.stats.alerts < minAlerts) continue;
      const rest = minusStats(total, g.stats);
      const entry = compare(g, rest, { alpha, minRatio, minAlerts });
      entry.name = g.level === 'tactic' ? (kb?.tactic(g.id)?.object.name ?? g.id) : (kb?.technique(g.id)?.object.name ?? null);
      entry.findings = findingCounts.get(g.key) ?? { manualError: 0, unknownAttackVector: 0 };
      entries.push(entry);
    }
    entries.sort((a, b) => b.flags.length - a.flags.length || b.alerts - a.alerts || a.id.localeCompare(b.id));
    report.push({
      scope,
      alerts: total.alerts,
      baseline: {
        triageMedianSeconds: roundOrNull(histogramQuantile(total.triage, 0.5)),
        resolveMedianSeconds: roundOrNull(histogramQuantile(total.resolve, 0.5)),
        misclassificationRate: total.alerts ? round4(total.misclassified / total.alerts) : 0,
      },
      entries,
    });
  }

  const weakSpots = report
    .flatMap((s) => s.entries.filter((e) => e.flags.length > 0).map((e) => ({ ...e, scope: s.scope })))
    .sort((a, b) => b.flags.length - a.flags.length || severityOf(b) - severityOf(a));
  const recommendations: TrainingTarget[] = [];
  const recommended = new Set<string>();
  for (const w of weakSpots) {
    const key = `${w.scope}|${w.level}|${w.id}`;
    if (recommended.has(key)) continue;
    recommended.add(key);
    recommendations.push(trainingTarget(w, kb));
  }
  return {
    range: agg.range,
    thresholds: { minAlerts, alpha, minRatio, timeTest: TIME_TEST_NAME, rateTest: RATE_TEST_NAME },
    scopes: report,
    weakSpots,
    recommendations,
  };
}

function compare(
  g: { level: SkillEntry['level']; id: string; stats: Stats },
  rest: Stats,
  t: { alpha: number; minRatio: number; minAlerts: number },
): SkillEntry {
  const s = g.stats;
  const flags: SkillFlag[] = [];
  const timeComparison = (mine: Histogram, theirs: Histogram, flag: SkillFlag): Comparison => {
    if (histogramTotal(mine) < t.minAlerts || histogramTotal(theirs) === 0) return { ratio: null, p: null };
    const a = histogramQuantile(mine, 0.5);
    const b = histogramQuantile(theirs, 0.5);
    const ratio = a !== null && b !== null && b > 0 ? a / b : null;
    const test = mannWhitneyGreater(mine, theirs);
    if (ratio !== null && test && test.p < t.alpha && ratio >= t.minRatio) flags.push(flag);
    return { ratio: ratio === null ? null : round4(ratio), p: test ? test.p : null };
  };
  const triage = timeComparison(s.triage, rest.triage, 'slow-triage');
  const resolve = timeComparison(s.resolve, rest.resolve, 'slow-resolve');
  let misclassification: Comparison = { ratio: null, p: null };
  if (rest.alerts > 0) {
    const mine = s.misclassified / s.alerts;
    const theirs = rest.misclassified / rest.alerts;
    const ratio = theirs > 0 ? mine / theirs : mine > 0 ? Number.POSITIVE_INFINITY : null;
    const test = twoProportionGreater(s.misclassified, s.alerts, rest.misclassified, rest.alerts);
    if (ratio !== null && test && test.p < t.alpha && ratio >= t.minRatio) flags.push('misclassified');
    misclassification = { ratio: ratio === null || !Number.isFinite(ratio) ? ratio : round4(ratio), p: test ? test.p : null };
  }
  return {
    level: g.level,
    id: g.id,
    name: null,
    alerts: s.alerts,
    triage: summary(s.triage),
    resolve: summary(s.resolve),
    misclassified: s.misclassified,
    misclassificationRate: round4(s.misclassified / s.alerts),
    benignThenTruePositive: s.btp,
    reopened: s.reopened,
    escalated: s.escalated,
    findings: { manualError: 0, unknownAttackVector: 0 },
    comparisons: { triage, resolve, misclassification },
    flags,
  };
}

function trainingTarget(w: SkillEntry & { scope: string }, kb?: KnowledgeBase): TrainingTarget {
  const reasons: string[] = [];
  const ratio = (c: Comparison) => (c.ratio === null ? '?' : Number.isFinite(c.ratio) ? c.ratio.toFixed(1) : '∞');
  if (w.flags.includes('slow-triage')) reasons.push(`triage ${ratio(w.comparisons.triage)}x slower than the rest (median ${w.triage.medianSeconds ?? '?'} s, p=${fmtP(w.comparisons.triage.p)})`);
  if (w.flags.includes('slow-resolve')) reasons.push(`resolution ${ratio(w.comparisons.resolve)}x slower than the rest (median ${w.resolve.medianSeconds ?? '?'} s, p=${fmtP(w.comparisons.resolve.p)})`);
  if (w.flags.includes('misclassified'))
    reasons.push(`misclassified ${ratio(w.comparisons.misclassification)}x as often (${(w.misclassificationRate * 100).toFixed(1)}%, ${w.benignThenTruePositive} true positives first closed as benign, p=${fmtP(w.comparisons.misclassification.p)})`);
  if (w.level === 'tactic') {
    const tactic = kb?.tactic(w.id)?.object;
    return { scope: w.scope, level: w.level, id: tactic?.id ?? w.id, name: tactic?.name ?? w.name, reasons, url: tactic?.url ?? null, detectionStrategies: [], mitigations: [] };
  }
  const technique = kb?.technique(w.id)?.object;
  const detectionIds = new Set(technique?.detectionStrategyIds ?? []);
  const mitigationIds = new Set(technique?.mitigationIds ?? []);
  if (technique && w.level === 'family') {
    for (const sub of technique.subtechniqueIds) {
      const s = kb?.technique(sub)?.object;
      s?.detectionStrategyIds.forEach((d) => detectionIds.add(d));
      s?.mitigationIds.forEach((m) => mitigationIds.add(m));
    }
  }
  return {
    scope: w.scope,
    level: w.level,
    id: w.id,
    name: technique?.name ?? w.name,
    reasons,
    url: technique?.url ?? `https://attack.mitre.org/techniques/${w.id.replace('.', '/')}/`,
    detectionStrategies: [...detectionIds].sort().map((id) => ({ id, name: kb?.detectionStrategy(id)?.object.name ?? id })),
    mitigations: [...mitigationIds].sort().map((id) => ({ id, name: kb?.mitigation(id)?.object.name ?? id })),
  };
}

export function familyOf(techniqueId: string): string {
  const dot = techniqueId.indexOf('.');
  return dot < 0 ? techniqueId : techniqueId.slice(0, dot);
}

function tacticsOf(kb: KnowledgeBase | undefined, techniqueId: string): string[] {
  return kb?.technique(techniqueId)?.object.tactics ?? [];
}

function summary(h: Histogram) {
  return { count: histogramTotal(h), medianSeconds: roundOrNull(histogramQuantile(h, 0.5)), p90Seconds: roundOrNull(histogramQuantile(h, 0.9)) };
}

function severityOf(e: SkillEntry): number {
  return Math.max(e.comparisons.triage.ratio ?? 0, e.comparisons.resolve.ratio ?? 0, Number.isFinite(e.comparisons.misclassification.ratio ?? 0) ? (e.comparisons.misclassification.ratio ?? 0) : 10);
}

function roundOrNull(v: number | null): number | null {
  return v === null ? null : Math.round(v);
}

function round4(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}

function fmtP(p: number | null): string {
  if (p === null) return '?';
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}
