/**
 * Aggregates the store computes in SQL for learning across incidents (trends and skills) and the
 * pure analyses in src/analysis/trends and src/analysis/skills receive. Plain data only.
 *
 * Durations are histograms over log-scale bins: bin 0 holds durations under one second; bin b >= 1
 * holds [2^((b-1)/4), 2^(b/4)) seconds (four bins per doubling, each about 19% wide), so medians
 * and 90th percentiles over a million alerts come from a few hundred rows.
 */

export type TrendBucket = 'week' | 'month' | 'quarter';
export const TREND_BUCKETS: readonly TrendBucket[] = ['week', 'month', 'quarter'];

/** bin -> count. */
export type Histogram = Record<number, number>;

export interface LearningRange {
  /** Inclusive ISO time (or date). */
  from?: string;
  /** Exclusive ISO time (or date). */
  to?: string;
}

export interface IncidentCountRow {
  bucket: string;
  severity: string;
  classification: string | null;
  determination: string | null;
  count: number;
}

export interface AlertCountRow extends IncidentCountRow {
  product: string | null;
}

export type ResponseMetric = 'detect' | 'acknowledge' | 'contain' | 'resolve';
export const RESPONSE_METRICS: readonly ResponseMetric[] = ['detect', 'acknowledge', 'contain', 'resolve'];

export interface ResponseTimeRow {
  bucket: string;
  severity: string;
  metric: ResponseMetric;
  bin: number;
  count: number;
}

export interface TechniqueBucketRow {
  bucket: string;
  techniqueId: string;
  alerts: number;
  incidents: number;
}

export interface TechniqueRangeRow {
  techniqueId: string;
  alerts: number;
  incidents: number;
}

/** A review finding as trends and skills need it. */
export interface FindingFact {
  incidentId: string;
  category: string;
  createdAt: string;
  techniques: string[];
}

export interface ActionItemFact {
  status: string;
  createdAt: string;
  dueDate: string | null;
  /** When it reached done, verified or won't-do (verified_at, else the last update). */
  closedAt: string | null;
}

export interface TrendAggregates {
  bucket: TrendBucket;
  range: { from: string | null; to: string | null };
  incidents: IncidentCountRow[];
  alerts: AlertCountRow[];
  responseTimes: ResponseTimeRow[];
  /** Alert-level time to triage and resolve per technique (for per-tactic response times). */
  techniqueTimes: { techniqueId: string; metric: 'triage' | 'resolve'; bin: number; count: number }[];
  techniquesByBucket: TechniqueBucketRow[];
  techniquesInRange: TechniqueRangeRow[];
  /** Empty when the store has no review tables. */
  findings: FindingFact[];
  actionItems: ActionItemFact[];
}

/** Per technique (and analyst, when asked for), one histogram bin of time to triage with the alerts' outcome counts. */
export interface SkillTriageRow {
  techniqueId: string;
  /** The alert's assignee; null when the breakdown by analyst was not asked for or nobody was assigned. */
  analyst: string | null;
  bin: number | null;
  alerts: number;
  misclassified: number;
  benignThenTruePositive: number;
  reopened: number;
  escalated: number;
}

export interface SkillResolveRow {
  techniqueId: string;
  analyst: string | null;
  bin: number | null;
  alerts: number;
}

export interface SkillAggregates {
  range: { from: string | null; to: string | null };
  byAnalyst: boolean;
  triage: SkillTriageRow[];
  resolve: SkillResolveRow[];
  findings: FindingFact[];
}
