/**
 * Learning across incidents (trends and skills): the aggregates the store computes in SQL and the
 * pure analyses in src/analysis/trends and src/analysis/skills receive, and the two pieces of
 * arithmetic both sides must agree on (duration bins and the ISO-week calendar). Plain data and
 * pure functions only.
 *
 * Durations are histograms over log-scale bins: bin 0 holds durations under one second; bin b >= 1
 * holds [2^((b-1)/4), 2^(b/4)) seconds (four bins per doubling, each about 19% wide), so medians
 * and 90th percentiles over a million alerts come from a few hundred rows.
 */

/** Bins per doubling of the duration histograms (the store's SQL uses the same constant). */
export const BINS_PER_DOUBLING = 4;

/** The histogram bin of a duration in seconds (the store computes the same in SQL). */
export function binOf(seconds: number): number {
  if (seconds < 1) return 0;
  return Math.floor((Math.log(seconds) / Math.LN2) * BINS_PER_DOUBLING) + 1;
}

/** Lower and upper edge of a bin, in seconds. */
export function binEdges(bin: number): [number, number] {
  if (bin <= 0) return [0, 1];
  return [2 ** ((bin - 1) / BINS_PER_DOUBLING), 2 ** (bin / BINS_PER_DOUBLING)];
}

// --- The UTC calendar of ISO-8601 weeks (Monday to Sunday, week-numbering year) ---------------

export const DAY_MS = 86_400_000;

/** Monday = 0 ... Sunday = 6, of a `YYYY-MM-DD` day or a time in milliseconds (UTC). */
export function isoWeekday(day: string | number): number {
  const ms = typeof day === 'number' ? day : Date.parse(`${day}T00:00:00.000Z`);
  return (new Date(ms).getUTCDay() + 6) % 7;
}

/** A `YYYY-MM-DD` day plus `n` days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The month after a `YYYY-MM` month. */
export function nextMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${month.slice(0, 4)}-${String(m + 1).padStart(2, '0')}`;
}

/** The ISO week holding a time, as `YYYY-Www` (`2021-W01`); the year is the week-numbering year. */
export function isoWeekOf(time: Date): string {
  const day = Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate());
  const thursday = new Date(day + (3 - isoWeekday(day)) * DAY_MS);
  const weekYear = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(weekYear, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${weekYear}-W${String(week).padStart(2, '0')}`;
}

/** Midnight UTC (milliseconds) of the Monday starting ISO week `week` of week-numbering year `year`. */
export function isoWeekMonday(year: number, week: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  return jan4 - isoWeekday(jan4) * DAY_MS + (week - 1) * 7 * DAY_MS;
}

export type TrendBucket = 'week' | 'month' | 'quarter';
export const TREND_BUCKETS: readonly TrendBucket[] = ['week', 'month', 'quarter'];

export function isTrendBucket(value: string): value is TrendBucket {
  return (TREND_BUCKETS as readonly string[]).includes(value);
}

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
  /** Review findings created in the range. */
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
