/**
 * Learning across incidents, the SQL side: `refreshLearningFacts` keeps the narrow fact tables of
 * migration 0003 and the pre-aggregated day/week/month tables of 0007 in step with the incidents;
 * `trendAggregates` and `skillAggregates` read those small tables and return aggregates (counts and
 * log-scale duration histograms) for the pure analyses in analysis/trends and analysis/skills.
 * `trendAggregatesFromFacts` and `skillAggregatesFromFacts` compute the same straight from the facts
 * (the reference, and the path for bounds that are not whole days). The same SQL runs on SQLite and
 * PostgreSQL; only date arithmetic and ISO weeks differ (sql-fragments.ts).
 */
export { refreshLearningFacts, type RefreshSummary } from './fact-refresh.js';
export { trendAggregates, trendAggregatesFromFacts, type TrendRequest } from './trend-aggregates.js';
export { skillAggregates, skillAggregatesFromFacts, type SkillRequest } from './skill-aggregates.js';
export { actionItemFacts, findingFacts } from './review-facts.js';
export { splitRange, type DayRange } from './ranges.js';
