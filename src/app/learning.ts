import { analyseSkills, type SkillsReport, type TeamMapping } from '../analysis/skills/index.js';
import { analyseTrends, type TrendReport } from '../analysis/trends/index.js';
import type { KnowledgeBase } from '../attack/types.js';
import type { LearningRange } from '../model/learning.js';
import type { OpenedStore } from '../store/index.js';
import { refreshLearningFacts, skillAggregates, trendAggregates, type TrendRequest } from '../store/learning/index.js';

/**
 * Learning across incidents (docs/learning.md): each use case brings the learning facts and their
 * pre-aggregated tables up to date with the incidents, reads the aggregates for the range and
 * hands them to the pure analysis. The knowledge base adds names, tactics and training material;
 * without one the analyses still run. It is asked for only once the aggregates are read, so a bad
 * range is refused before any ATT&CK data is loaded.
 */

/** Loads the knowledge base, or gives undefined when there is none. */
export type KnowledgeBaseLoader = () => Promise<KnowledgeBase | undefined>;

const none: KnowledgeBaseLoader = () => Promise.resolve(undefined);

/** Volumes, response times, emerging and recurring techniques, findings and action items per bucket. */
export async function trendsReport(store: OpenedStore, request: TrendRequest, loadKnowledgeBase: KnowledgeBaseLoader = none): Promise<TrendReport> {
  await refreshLearningFacts(store.db);
  const aggregates = await trendAggregates(store.db, request);
  return analyseTrends(aggregates, await loadKnowledgeBase());
}

export interface SkillsRequest extends LearningRange {
  /** Team mapping (analyst -> team): one more scope per team. */
  teams?: TeamMapping;
  /** One more scope per analyst (off by default: privacy). */
  perAnalyst?: boolean;
  /** Alerts a technique or tactic needs to be compared (default 30). */
  minAlerts?: number;
}

/** Where the team is slow or wrong compared with its own baseline, with training targets. */
export async function skillsReport(store: OpenedStore, request: SkillsRequest, loadKnowledgeBase: KnowledgeBaseLoader = none): Promise<SkillsReport> {
  const perAnalyst = request.perAnalyst === true;
  await refreshLearningFacts(store.db);
  // Per-analyst rows are only aggregated when a team mapping or per-analyst scopes need them.
  const aggregates = await skillAggregates(store.db, { from: request.from, to: request.to, byAnalyst: request.teams !== undefined || perAnalyst });
  return analyseSkills(aggregates, await loadKnowledgeBase(), { teams: request.teams, perAnalyst, minAlerts: request.minAlerts });
}
