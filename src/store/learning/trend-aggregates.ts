import { sql, type Kysely } from 'kysely';
import type { LearningRange, ResponseMetric, TrendAggregates, TrendBucket } from '../../model/learning.js';
import type { Database } from '../database.js';
import { anyOf, splitRange, timeRange, wholeDays, withinRange, type DayRange } from './ranges.js';
import { actionItemFacts, findingFacts } from './review-facts.js';
import { num, techniqueHistograms } from './technique-histograms.js';

/**
 * Everything `analyseTrends` needs, aggregated in SQL: from the pre-aggregated tables of migration
 * 0007 for ranges of whole days, else straight from the fact tables of 0003.
 */

type Db = Kysely<Database>;
export type TrendRequest = LearningRange & { bucket: TrendBucket };

const METRIC_COLUMNS: [ResponseMetric, string][] = [
  ['detect', 'detect_bin'],
  ['acknowledge', 'ack_bin'],
  ['contain', 'contain_bin'],
  ['resolve', 'resolve_bin'],
];

/** '' (how the aggregate keys store an absent value) as null. */
const text = (v: string) => (v === '' ? null : v);

/**
 * Rows of a bucketed aggregate (`learning_{day,week,month}_<name>`) over a whole-day range: whole
 * weeks (week buckets) or months (month and quarter buckets) from the coarser table, the edge days
 * from the daily one. `columns` lists the columns after the bucket, `count` the value column.
 */
async function bucketed<R>(db: Db, name: string, r: DayRange, bucket: TrendBucket, columns: string, count: string): Promise<R[]> {
  const unit = bucket === 'week' ? 'week' : 'month';
  const { periods, days } = splitRange(r, unit);
  const coarse = sql.table(`learning_${unit}_${name}`);
  const periodWhere = periods === null ? sql`1 = 0` : withinRange(periods, unit === 'week' ? 'week_start' : 'month');
  const b = sql.ref(bucket);
  const c = sql.raw(columns);
  const n = sql.ref(count);
  const rows = await sql<R>`
    select bucket, ${c}, sum(${n}) as n from (
      select ${b} as bucket, ${c}, ${n} from ${coarse} where ${periodWhere} and ${n} <> 0
      union all
      select ${b} as bucket, ${c}, ${n} from ${sql.table(`learning_day_${name}`)} where ${anyOf(days.map((d) => withinRange(d, 'day')))} and ${n} <> 0
    ) x group by bucket, ${c}`.execute(db.withoutPlugins());
  return rows.rows;
}

/**
 * Everything `analyseTrends` needs. Ranges on whole days (bare dates, or midnight UTC) read the
 * pre-aggregated tables; other bounds fall back to the fact tables (`trendAggregatesFromFacts`,
 * same result, slower). Call `refreshLearningFacts` first.
 */
export async function trendAggregates(db: Db, options: TrendRequest): Promise<TrendAggregates> {
  const range = timeRange(options);
  const days = wholeDays(range);
  if (days === null) return trendAggregatesFromFacts(db, options);
  const b = sql.ref(options.bucket);
  const where = withinRange(days, 'day');
  // Aggregates come back by the thousand: their SQL names the result columns as the code reads
  // them, so rows skip the mapping of names (the typed handle's plugin).
  const raw = db.withoutPlugins();

  type Breakdown = { bucket: string; severity: string; classification: string; determination: string; n: unknown };
  const incidents = await bucketed<Breakdown>(db, 'incidents', days, options.bucket, 'severity, classification, determination', 'incidents');
  const alerts = await bucketed<Breakdown & { product: string }>(db, 'alerts', days, options.bucket, 'severity, classification, determination, product', 'alerts');
  const response = await bucketed<{ bucket: string; severity: string; metric: ResponseMetric; bin: unknown; n: unknown }>(db, 'response', days, options.bucket, 'severity, metric, bin', 'incidents');
  const hist = await techniqueHistograms(db, days, false);

  // Distinct incidents per technique: the daily counts, less the repeats of incidents whose alerts of
  // the technique fall on several days of the same bucket (or range).
  const byBucket = await sql<{ bucket: string; techniqueId: string; alerts: unknown; incidents: unknown }>`
    select ${b} as bucket, technique_id as "techniqueId", sum(alerts) as alerts, sum(incidents) as incidents from learning_day_techniques
    where ${where} and alerts <> 0 group by ${b}, technique_id`.execute(raw);
  const bucketRepeats = await sql<{ bucket: string; techniqueId: string; n: unknown }>`
    select ${b} as bucket, technique_id as "techniqueId", count(*) - count(distinct incident_id) as n from learning_technique_spans
    where ${where} group by ${b}, technique_id`.execute(raw);
  const repeatsInBucket = new Map(bucketRepeats.rows.map((r) => [`${r.bucket}\u0000${r.techniqueId}`, num(r.n)]));
  const inRange = await sql<{ techniqueId: string; alerts: unknown; incidents: unknown }>`
    select technique_id as "techniqueId", sum(alerts) as alerts, sum(incidents) as incidents from learning_day_techniques
    where ${where} and alerts <> 0 group by technique_id`.execute(raw);
  const rangeRepeats = await sql<{ techniqueId: string; n: unknown }>`
    select technique_id as "techniqueId", count(*) - count(distinct incident_id) as n from learning_technique_spans
    where ${where} group by technique_id`.execute(raw);
  const repeatsInRange = new Map(rangeRepeats.rows.map((r) => [r.techniqueId, num(r.n)]));

  return {
    bucket: options.bucket,
    range,
    incidents: incidents.map((r) => ({ bucket: r.bucket, severity: r.severity, classification: text(r.classification), determination: text(r.determination), count: num(r.n) })),
    alerts: alerts.map((r) => ({
      bucket: r.bucket,
      severity: r.severity,
      classification: text(r.classification),
      determination: text(r.determination),
      product: text(r.product),
      count: num(r.n),
    })),
    responseTimes: response.map((r) => ({ bucket: r.bucket, severity: r.severity, metric: r.metric, bin: num(r.bin), count: num(r.n) })),
    techniqueTimes: hist
      .filter((r) => r.bin !== null && r.bin !== undefined)
      .map((r) => ({ techniqueId: r.techniqueId, metric: r.metric === 'triage' ? ('triage' as const) : ('resolve' as const), bin: num(r.bin), count: num(r.n) })),
    techniquesByBucket: byBucket.rows.map((r) => ({
      bucket: r.bucket,
      techniqueId: r.techniqueId,
      alerts: num(r.alerts),
      incidents: num(r.incidents) - (repeatsInBucket.get(`${r.bucket}\u0000${r.techniqueId}`) ?? 0),
    })),
    techniquesInRange: inRange.rows.map((r) => ({ techniqueId: r.techniqueId, alerts: num(r.alerts), incidents: num(r.incidents) - (repeatsInRange.get(r.techniqueId) ?? 0) })),
    findings: await findingFacts(db, range),
    actionItems: await actionItemFacts(db, range),
  };
}

/**
 * Everything `analyseTrends` needs, aggregated in SQL straight from the fact tables (about ten
 * GROUP BY scans of up to a million rows). The reference for the pre-aggregated path, and the path
 * for range bounds that are not whole days. Call `refreshLearningFacts` first.
 */
export async function trendAggregatesFromFacts(db: Db, options: TrendRequest): Promise<TrendAggregates> {
  const range = timeRange(options);
  const b = sql.ref(options.bucket);
  const where = withinRange(range, 'created_at');

  type Breakdown = { bucket: string; severity: string; classification: string | null; determination: string | null; n: unknown };
  const incidents = await sql<Breakdown>`
    select ${b} as bucket, severity, classification, determination, count(*) as n from learning_incident_facts
    where ${where} group by ${b}, severity, classification, determination`.execute(db);
  const alerts = await sql<Breakdown & { product: string | null }>`
    select ${b} as bucket, severity, classification, determination, product, count(*) as n from learning_alert_facts
    where ${where} group by ${b}, severity, classification, determination, product`.execute(db);

  const responseTimes: TrendAggregates['responseTimes'] = [];
  for (const [metric, column] of METRIC_COLUMNS) {
    const c = sql.ref(column);
    const rows = await sql<{ bucket: string; severity: string; bin: unknown; n: unknown }>`
      select ${b} as bucket, severity, ${c} as bin, count(*) as n from learning_incident_facts
      where ${where} and ${c} is not null group by ${b}, severity, ${c}`.execute(db);
    for (const r of rows.rows) responseTimes.push({ bucket: r.bucket, severity: r.severity, metric, bin: num(r.bin), count: num(r.n) });
  }

  const techniqueTimes: TrendAggregates['techniqueTimes'] = [];
  for (const [metric, column] of [['triage', 'triage_bin'], ['resolve', 'resolve_bin']] as const) {
    const c = sql.ref(column);
    const rows = await sql<{ techniqueId: string; bin: unknown; n: unknown }>`
      select technique_id, ${c} as bin, count(*) as n from learning_technique_facts
      where ${where} and ${c} is not null group by technique_id, ${c}`.execute(db);
    for (const r of rows.rows) techniqueTimes.push({ techniqueId: r.techniqueId, metric, bin: num(r.bin), count: num(r.n) });
  }

  const byBucket = await sql<{ bucket: string; techniqueId: string; alerts: unknown; incidents: unknown }>`
    select ${b} as bucket, technique_id, count(*) as alerts, count(distinct incident_id) as incidents from learning_technique_facts
    where ${where} group by ${b}, technique_id`.execute(db);
  const inRange = await sql<{ techniqueId: string; alerts: unknown; incidents: unknown }>`
    select technique_id, count(*) as alerts, count(distinct incident_id) as incidents from learning_technique_facts
    where ${where} group by technique_id`.execute(db);

  return {
    bucket: options.bucket,
    range,
    incidents: incidents.rows.map((r) => ({ bucket: r.bucket, severity: r.severity, classification: r.classification, determination: r.determination, count: num(r.n) })),
    alerts: alerts.rows.map((r) => ({
      bucket: r.bucket,
      severity: r.severity,
      classification: r.classification,
      determination: r.determination,
      product: r.product,
      count: num(r.n),
    })),
    responseTimes,
    techniqueTimes,
    techniquesByBucket: byBucket.rows.map((r) => ({ bucket: r.bucket, techniqueId: r.techniqueId, alerts: num(r.alerts), incidents: num(r.incidents) })),
    techniquesInRange: inRange.rows.map((r) => ({ techniqueId: r.techniqueId, alerts: num(r.alerts), incidents: num(r.incidents) })),
    findings: await findingFacts(db, range),
    actionItems: await actionItemFacts(db, range),
  };
}
