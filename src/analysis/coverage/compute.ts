/**
 * Detection coverage gaps, as pure functions over the knowledge base, the rule inventory and an
 * incident aggregate computed in SQL. The method (coverage factor, relevance, gap score and the
 * roll-up of sub-techniques) is stated in docs/coverage.md; the constants below follow it.
 */
import type { KnowledgeBase, Technique } from '../../attack/types.js';
import { UsageError } from '../../model/errors.js';
import type {
  CoverageGap,
  CoverageOptions,
  CoverageResult,
  CoverageRule,
  DataComponentRef,
  IncidentCoverageAggregate,
  NamedRef,
  RuleCounts,
  TacticMapping,
  TechniqueCoverage,
  ThreatProfile,
  UnknownTechnique,
} from './types.js';

/** Coverage a sub-technique without rules of its own gets from rules on its parent. */
export const PARENT_RULE_CREDIT = 0.5;
/** Coverage a parent with rules of its own gets before its sub-techniques are counted. */
export const PARENT_OWN_RULE_BASE = 0.5;
export const DEFAULT_MISSED_WEIGHT = 0.5;
export const DEFAULT_OBSERVED_RELEVANCE = 0.5;

const round = (x: number, digits = 4): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

const parentOf = (id: string): string => {
  const dot = id.indexOf('.');
  return dot === -1 ? id : id.slice(0, dot);
};

/** Resolves raw technique IDs to live techniques once per distinct ID. */
export class TechniqueResolver {
  private readonly cache = new Map<string, { live: Technique | null; revokedFrom: boolean; reason: UnknownTechnique['reason'] | null }>();
  constructor(private readonly kb: KnowledgeBase) {}

  resolve(raw: string): { live: Technique | null; revokedFrom: boolean; reason: UnknownTechnique['reason'] | null } {
    const key = raw.toUpperCase();
    let hit = this.cache.get(key);
    if (!hit) {
      const r = this.kb.technique(key);
      if (!r) {
        const revoked = this.kb.revokedEntry?.(key);
        hit = { live: null, revokedFrom: false, reason: revoked ? 'revoked' : 'unknown' };
      } else if (r.object.deprecated) hit = { live: null, revokedFrom: r.revokedFrom !== null, reason: 'deprecated' };
      // Remapped: a revoked ID followed to its replacement, or a newer release's ID mapped back by the v18->v19 crosswalk.
      else hit = { live: r.object, revokedFrom: (r.revokedFrom !== null || r.mappedFrom !== null) && r.object.id !== key, reason: null };
      this.cache.set(key, hit);
    }
    return hit;
  }

  /** The live technique ID for a raw ID, or null. */
  liveId(raw: string): string | null {
    return this.resolve(raw).live?.id ?? null;
  }
}

interface Recommendation {
  strategies: NamedRef[];
  dataComponents: DataComponentRef[];
  logSources: string[];
}

/** Detection strategies (ATT&CK v18) of a technique, with the data components and log sources their analytics call for. */
export function recommendationFor(kb: KnowledgeBase, technique: Technique): Recommendation {
  const strategies: NamedRef[] = [];
  const components = new Map<string, DataComponentRef>();
  const logSources = new Set<string>();
  for (const detId of technique.detectionStrategyIds) {
    const det = kb.detectionStrategy(detId)?.object;
    if (!det) continue;
    strategies.push({ id: det.id, name: det.name });
    for (const anId of det.analyticIds) {
      const analytic = kb.analytic(anId)?.object;
      if (!analytic) continue;
      for (const dcId of analytic.dataComponentIds) {
        if (components.has(dcId)) continue;
        const dc = kb.dataComponent(dcId)?.object;
        if (dc) components.set(dc.id, { id: dc.id, name: dc.name, dataSource: dc.dataSourceName });
      }
      for (const ls of analytic.logSources) logSources.add(ls.channel ? `${ls.name} (${ls.channel})` : ls.name);
    }
  }
  return {
    strategies,
    dataComponents: [...components.values()].sort((a, b) => a.id.localeCompare(b.id)),
    logSources: [...logSources].sort(),
  };
}

/** The live techniques each actor uses, directly or through its software. */
function actorTechniqueSets(kb: KnowledgeBase, resolver: TechniqueResolver, profile: ThreatProfile): { actors: NamedRef[]; sets: Set<string>[] } {
  const softwareTechniques = new Map<string, string[]>();
  for (const s of kb.software()) softwareTechniques.set(s.id, s.techniqueIds);
  const setFor = (techniqueIds: string[], softwareIds: string[]): Set<string> => {
    const set = new Set<string>();
    const add = (raw: string) => {
      const id = resolver.liveId(raw);
      if (id) set.add(id);
    };
    techniqueIds.forEach(add);
    for (const sid of softwareIds) (softwareTechniques.get(sid) ?? kb.softwareByRef(sid)?.object.techniqueIds ?? []).forEach(add);
    return set;
  };
  const actors: NamedRef[] = [];
  const sets: Set<string>[] = [];
  if (profile.kind === 'prevalence') {
    for (const g of kb.groups()) {
      if (g.deprecated) continue;
      actors.push({ id: g.id, name: g.name });
      sets.push(setFor(g.techniqueIds, g.softwareIds));
    }
  } else if (profile.kind === 'actors') {
    for (const ref of profile.refs) {
      const group = kb.group(ref)?.object;
      const campaign = group ? undefined : kb.campaign(ref)?.object;
      if (group) {
        actors.push({ id: group.id, name: group.name });
        sets.push(setFor(group.techniqueIds, group.softwareIds));
      } else if (campaign) {
        actors.push({ id: campaign.id, name: campaign.name });
        sets.push(setFor(campaign.techniqueIds, campaign.softwareIds));
      } else {
        throw new UsageError(`--threat: "${ref}" is not an ATT&CK group or campaign (ID, name or alias) in ATT&CK ${kb.meta.version}`);
      }
    }
  }
  return { actors, sets };
}

function emptyCounts(): RuleCounts {
  return { count: 0, byLevel: {}, byStatus: {} };
}

/**
 * Computes coverage per technique and the ranked gap list. `rules` are the imported detection
 * rules (raw technique IDs); `incidents` the aggregate from the store; `threat` the profile.
 */
export function computeCoverage(
  kb: KnowledgeBase,
  rules: readonly CoverageRule[],
  incidents: IncidentCoverageAggregate,
  threat: ThreatProfile,
  options: CoverageOptions = {},
): CoverageResult {
  const missedWeight = options.missedWeight ?? DEFAULT_MISSED_WEIGHT;
  const observedRelevance = options.observedRelevance ?? DEFAULT_OBSERVED_RELEVANCE;
  const resolver = new TechniqueResolver(kb);
  const techniques = kb.techniques().filter((t) => !t.deprecated);
  const byId = new Map<string, Technique>(techniques.map((t) => [t.id, t]));

  // Rules per technique.
  const ruleCounts = new Map<string, RuleCounts>();
  const unknown = new Map<string, UnknownTechnique>();
  const remapped = new Map<string, { from: string; to: string; rules: number }>();
  const tacticRules = new Map<string, number>();
  let rulesCounted = 0;
  for (const rule of rules) {
    if (rule.deprecated && !options.includeDeprecated) continue;
    rulesCounted++;
    const seen = new Set<string>();
    for (const raw of rule.techniqueIds) {
      const r = resolver.resolve(raw);
      if (!r.live) {
        const u = unknown.get(raw) ?? { id: raw, rules: 0, reason: r.reason ?? 'unknown' };
        u.rules++;
        unknown.set(raw, u);
        continue;
      }
      const id = r.live.id;
      if (r.revokedFrom) {
        const m = remapped.get(raw) ?? { from: raw, to: id, rules: 0 };
        m.rules++;
        remapped.set(raw, m);
      }
      if (seen.has(id)) continue;
      seen.add(id);
      let c = ruleCounts.get(id);
      if (!c) ruleCounts.set(id, (c = emptyCounts()));
      c.count++;
      const level = rule.level ?? 'none';
      const status = rule.status ?? 'none';
      c.byLevel[level] = (c.byLevel[level] ?? 0) + 1;
      c.byStatus[status] = (c.byStatus[status] ?? 0) + 1;
    }
    for (const t of new Set(rule.tactics)) tacticRules.set(t, (tacticRules.get(t) ?? 0) + 1);
  }
  const tactics: TacticMapping[] = [...tacticRules]
    .map(([from, n]) => {
      const r = kb.tactic(from);
      return { from, to: r?.object.shortname ?? null, mappedFrom: r?.mappedFrom ?? null, rules: n };
    })
    .sort((a, b) => a.from.localeCompare(b.from));

  // Incidents per technique.
  const alertIncidents = new Map<string, number>();
  const alertCount = new Map<string, number>();
  for (const row of incidents.alertTechniques) {
    const id = resolver.liveId(row.techniqueId);
    if (!id) continue;
    alertIncidents.set(id, (alertIncidents.get(id) ?? 0) + row.incidents);
    alertCount.set(id, (alertCount.get(id) ?? 0) + row.alerts);
  }
  const carried = new Map<string, Set<string>>();
  for (const row of incidents.alertTechniquesOfConfirmedIncidents) {
    const id = resolver.liveId(row.techniqueId);
    if (!id) continue;
    let set = carried.get(row.incidentId);
    if (!set) carried.set(row.incidentId, (set = new Set()));
    set.add(id);
  }
  const extraDetected = new Map<string, number>();
  const missed = new Map<string, number>();
  const confirmedPairs = new Set<string>();
  for (const row of incidents.confirmed) {
    const id = resolver.liveId(row.techniqueId);
    if (!id) continue;
    const pair = `${row.incidentId}\u0000${id}`;
    if (confirmedPairs.has(pair)) continue;
    confirmedPairs.add(pair);
    const outcome = alertOutcome(id, carried.get(row.incidentId));
    if (outcome === 'exact') continue; // already counted in alertIncidents
    const target = outcome === 'equivalent' ? extraDetected : missed;
    target.set(id, (target.get(id) ?? 0) + 1);
  }

  // Threat relevance.
  const { actors, sets } = actorTechniqueSets(kb, resolver, threat);
  const layerWeights = new Map<string, number>();
  if (threat.kind === 'layer') {
    for (const [raw, w] of threat.weights) {
      const id = resolver.liveId(raw);
      if (id) layerWeights.set(id, Math.max(layerWeights.get(id) ?? 0, w));
    }
  }
  const techniqueRelevance = new Map<string, number>();
  const familyRelevance = new Map<string, number>();
  if (threat.kind === 'layer') {
    for (const [id, w] of layerWeights) {
      techniqueRelevance.set(id, w);
      const p = parentOf(id);
      familyRelevance.set(p, Math.max(familyRelevance.get(p) ?? 0, w));
    }
  } else if (sets.length > 0) {
    const perTechnique = new Map<string, number>();
    const perFamily = new Map<string, number>();
    for (const set of sets) {
      const families = new Set<string>();
      for (const id of set) {
        perTechnique.set(id, (perTechnique.get(id) ?? 0) + 1);
        families.add(parentOf(id));
      }
      for (const f of families) perFamily.set(f, (perFamily.get(f) ?? 0) + 1);
    }
    for (const [id, n] of perTechnique) techniqueRelevance.set(id, n / sets.length);
    for (const [id, n] of perFamily) familyRelevance.set(id, n / sets.length);
  }

  // Per technique.
  const own = (id: string) => ruleCounts.get(id)?.count ?? 0;
  const coverageOf = (t: Technique): number => {
    if (t.isSubtechnique) return own(t.id) > 0 ? 1 : t.parentId && own(t.parentId) > 0 ? PARENT_RULE_CREDIT : 0;
    const subs = t.subtechniqueIds.filter((s) => byId.has(s));
    if (subs.length === 0) return own(t.id) > 0 ? 1 : 0;
    const weights = subs.map((s) => techniqueRelevance.get(s) ?? 0);
    const total = weights.reduce((a, b) => a + b, 0);
    const share =
      total > 0
        ? subs.reduce((acc, s, i) => acc + (own(s) > 0 ? (weights[i] ?? 0) : 0), 0) / total
        : subs.filter((s) => own(s) > 0).length / subs.length;
    return own(t.id) > 0 ? PARENT_OWN_RULE_BASE + (1 - PARENT_OWN_RULE_BASE) * share : share;
  };
  const recommendations = new Map<string, Recommendation>();
  const recommend = (t: Technique): Recommendation => {
    let r = recommendations.get(t.id);
    if (!r) recommendations.set(t.id, (r = recommendationFor(kb, t)));
    return r;
  };

  const perTechnique: TechniqueCoverage[] = [];
  const summary = { total: 0, covered: 0, observed: 0, detected: 0, missed: 0 };
  for (const t of techniques) {
    const detected = (alertIncidents.get(t.id) ?? 0) + (extraDetected.get(t.id) ?? 0);
    const miss = missed.get(t.id) ?? 0;
    const observed = detected + miss;
    const rules = ruleCounts.get(t.id) ?? emptyCounts();
    summary.total++;
    if (rules.count > 0) summary.covered++;
    if (observed > 0) summary.observed++;
    if (detected > 0) summary.detected++;
    if (miss > 0) summary.missed++;
    const profileRelevance = techniqueRelevance.get(t.id) ?? 0;
    perTechnique.push({
      id: t.id,
      name: t.name,
      tactics: t.tactics,
      isSubtechnique: t.isSubtechnique,
      parentId: t.parentId,
      rules,
      coverageFactor: round(coverageOf(t)),
      relevance: round(Math.max(profileRelevance, observed > 0 ? observedRelevance : 0)),
      observed,
      alerts: alertCount.get(t.id) ?? 0,
      detected,
      missed: miss,
      detectionStrategies: [],
      dataComponents: [],
      logSources: [],
    });
  }
  const coverageById = new Map(perTechnique.map((c) => [c.id, c]));

  // Gaps: parents with their sub-techniques rolled up.
  const gaps: CoverageGap[] = [];
  for (const parent of techniques) {
    if (parent.isSubtechnique) continue;
    const pc = coverageById.get(parent.id);
    if (!pc) continue;
    const members = [pc, ...parent.subtechniqueIds.map((s) => coverageById.get(s)).filter((c): c is TechniqueCoverage => c !== undefined)];
    const observed = members.reduce((a, c) => a + c.observed, 0);
    const detected = members.reduce((a, c) => a + c.detected, 0);
    const miss = members.reduce((a, c) => a + c.missed, 0);
    const relevance = Math.max(familyRelevance.get(parent.id) ?? 0, observed > 0 ? observedRelevance : 0);
    const missedShare = observed > 0 ? miss / observed : 0;
    const score = relevance * (1 - pc.coverageFactor) + missedWeight * missedShare;
    if (score <= 0) continue;
    const uncovered = members
      .filter((c) => c.isSubtechnique && c.rules.count === 0 && c.relevance > 0)
      .sort((a, b) => b.relevance - a.relevance || a.id.localeCompare(b.id))
      .map((c) => ({ id: c.id, name: c.name, relevance: c.relevance }));
    // What to do: the parent's detection strategies, and those of its most relevant uncovered sub-techniques.
    const advised = [parent, ...uncovered.slice(0, 3).map((u) => byId.get(u.id)).filter((t): t is Technique => t !== undefined)];
    const strategies = new Map<string, NamedRef>();
    const components = new Map<string, DataComponentRef>();
    const logSources = new Set<string>();
    for (const t of advised) {
      const r = recommend(t);
      for (const s of r.strategies) strategies.set(s.id, s);
      for (const d of r.dataComponents) components.set(d.id, d);
      for (const l of r.logSources) logSources.add(l);
    }
    gaps.push({
      id: parent.id,
      name: parent.name,
      tactics: parent.tactics,
      relevance: round(relevance),
      rules: members.reduce((a, c) => a + c.rules.count, 0),
      coverageFactor: pc.coverageFactor,
      observed,
      detected,
      missed: miss,
      score: round(score),
      dataComponents: [...components.values()].sort((a, b) => a.id.localeCompare(b.id)),
      logSources: [...logSources].sort(),
      detectionStrategies: [...strategies.values()],
      uncoveredSubtechniques: uncovered,
    });
  }
  gaps.sort((a, b) => b.score - a.score || b.relevance - a.relevance || a.id.localeCompare(b.id));

  const threatName =
    threat.kind === 'layer' ? threat.name : threat.kind === 'actors' ? actors.map((a) => a.name).join(', ') : `prevalence across ${actors.length} ATT&CK groups`;
  return {
    attackVersion: kb.meta.version,
    threat: {
      kind: threat.kind,
      name: threatName,
      actors: threat.kind === 'actors' ? actors : [],
      techniques: threat.kind === 'layer' ? layerWeights.size : techniqueRelevance.size,
    },
    rulesCounted,
    techniques: summary,
    unknownTechniques: [...unknown.values()].sort((a, b) => a.id.localeCompare(b.id)),
    remappedTechniques: [...remapped.values()].sort((a, b) => a.from.localeCompare(b.from)),
    tactics,
    perTechnique,
    gaps,
  };
}

/**
 * Whether the alerts of an incident detected a confirmed technique: `exact` when one carried the
 * same live ID, `equivalent` when one carried its parent or one of its sub-techniques (siblings do
 * not count), otherwise `missed`.
 */
export function alertOutcome(confirmedId: string, carried: ReadonlySet<string> | undefined): 'exact' | 'equivalent' | 'missed' {
  if (!carried || carried.size === 0) return 'missed';
  if (carried.has(confirmedId)) return 'exact';
  if (confirmedId.includes('.') && carried.has(parentOf(confirmedId))) return 'equivalent';
  if (!confirmedId.includes('.')) for (const id of carried) if (parentOf(id) === confirmedId) return 'equivalent';
  return 'missed';
}

/** Rules per live technique ID: what the review's Detection section needs from a coverage run. */
export type CoverageIndex = ReadonlyMap<string, number>;

export function coverageIndexOf(result: CoverageResult): CoverageIndex {
  return new Map(result.perTechnique.filter((t) => t.rules.count > 0).map((t) => [t.id, t.rules.count]));
}
