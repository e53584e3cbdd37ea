import type { KnowledgeBase } from '../../attack/types.js';
import type { Histogram, ResponseMetric, TrendAggregates, TrendBucket } from '../../model/learning.js';
import { RESPONSE_METRICS } from '../../model/learning.js';
import { bucketDaysWithin, bucketOf, bucketSpan, bucketsBetween } from './buckets.js';
import { addHistogram, histogramQuantile, histogramTotal, poissonRateIncrease } from './stats.js';

export { bucketOf, bucketSpan, bucketsBetween, bucketDaysWithin } from './buckets.js';

/** Thresholds of the trend analysis (docs/learning.md). */
export interface TrendOptions {
  /** Preceding buckets the latest one is compared with (default 4). */
  emergingWindow?: number;
  /** One-sided p-value threshold of the Poisson rate test (default 0.01). */
  emergingAlpha?: number;
  /** Incidents in the latest bucket a technique needs to count as emerging (default 5). */
  emergingMinCount?: number;
  /** Rate ratio (latest over preceding) a technique needs to count as emerging (default 1.5). */
  emergingMinRatio?: number;
  /** Incidents a technique or finding category needs within the range to count as recurring (default 3). */
  recurringMinIncidents?: number;
  /** "Now" for overdue action items (default: the end of the range, else the current time). */
  asOf?: string;
}

export interface TimeSummary {
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface TrendReport {
  bucket: TrendBucket;
  range: { from: string | null; to: string | null };
  buckets: string[];
  incidents: { total: number; byBucket: CountBreakdown[] };
  alerts: { total: number; byBucket: (CountBreakdown & { byProduct: Record<string, number> })[] };
  responseTimes: {
    byBucket: { bucket: string; metrics: Record<ResponseMetric, TimeSummary> }[];
    bySeverity: { severity: string; metrics: Record<ResponseMetric, TimeSummary> }[];
    /** Alert-level time to triage and to resolve of alerts labelled with the tactic's techniques. */
    byTactic: { tactic: string; name: string; triage: TimeSummary; resolve: TimeSummary }[];
  };
  techniques: { techniqueId: string; name: string | null; tactics: string[]; alerts: number; incidents: number; byBucket: Record<string, number> }[];
  /** Alert-technique observations per tactic and bucket. */
  tactics: { tactic: string; name: string; alerts: number; byBucket: Record<string, number> }[];
  emerging: {
    test: string;
    window: number;
    alpha: number;
    minCount: number;
    minRatio: number;
    latestBucket: string | null;
    techniques: { techniqueId: string; name: string | null; recent: number; earlier: number; rateRatio: number; p: number }[];
  };
  recurring: {
    minIncidents: number;
    techniques: { techniqueId: string; name: string | null; incidents: number }[];
    findingCategories: { category: string; incidents: number; findings: number }[];
  };
  findings: { total: number; byBucket: { bucket: string; byCategory: Record<string, number> }[] };
  actionItems: { asOf: string; openedTotal: number; closedTotal: number; overdueNow: number; byBucket: { bucket: string; opened: number; closed: number; overdueAtEnd: number }[] };
}

export interface CountBreakdown {
  bucket: string;
  total: number;
  bySeverity: Record<string, number>;
  byClassification: Record<string, number>;
  byDetermination: Record<string, number>;
}

export const EMERGING_TEST_NAME = 'conditional binomial test of two Poisson rates (Przyborowski-Wilenski), one-sided';

/** Trends over the aggregates the store computed. Pure; the knowledge base adds names and tactics. */
export function analyseTrends(agg: TrendAggregates, kb?: KnowledgeBase, options: TrendOptions = {}): TrendReport {
  const window = options.emergingWindow ?? 4;
  const alpha = options.emergingAlpha ?? 0.01;
  const minCount = options.emergingMinCount ?? 5;
  const minRatio = options.emergingMinRatio ?? 1.5;
  const recurringMin = options.recurringMinIncidents ?? 3;
  const range = agg.range;

  const seen = new Set<string>([...agg.incidents.map((r) => r.bucket), ...agg.alerts.map((r) => r.bucket)]);
  const buckets =
    range.from && range.to ? bucketsBetween(range.from, new Date(Date.parse(range.to)).toISOString(), agg.bucket) : fillBuckets([...seen].sort(), agg.bucket);

  const incidentRows = new Map<string, CountBreakdown>(buckets.map((b) => [b, emptyBreakdown(b)]));
  for (const r of agg.incidents) addCount(incidentRows, r.bucket, r, r.count);
  const alertRows = new Map<string, CountBreakdown & { byProduct: Record<string, number> }>(buckets.map((b) => [b, { ...emptyBreakdown(b), byProduct: {} }]));
  for (const r of agg.alerts) {
    const row = addCount(alertRows, r.bucket, r, r.count);
    if (row) inc(row.byProduct, r.product ?? 'unknown', r.count);
  }

  // Response times.
  const perBucket = new Map<string, Record<ResponseMetric, Histogram>>();
  const perSeverity = new Map<string, Record<ResponseMetric, Histogram>>();
  for (const r of agg.responseTimes) {
    addHistogram(metricHistograms(perBucket, r.bucket)[r.metric], r.bin, r.count);
    addHistogram(metricHistograms(perSeverity, r.severity)[r.metric], r.bin, r.count);
  }
  const summarise = (h: Record<ResponseMetric, Histogram>) =>
    Object.fromEntries(RESPONSE_METRICS.map((m) => [m, timeSummary(h[m])])) as Record<ResponseMetric, TimeSummary>;

  // Techniques and tactics.
  const techniqueInfo = (id: string) => {
    const t = kb?.technique(id)?.object;
    return { name: t?.name ?? null, tactics: t?.tactics ?? [] };
  };
  const techniques = new Map<string, TrendReport['techniques'][number]>();
  for (const r of agg.techniquesInRange) techniques.set(r.techniqueId, { techniqueId: r.techniqueId, ...techniqueInfo(r.techniqueId), alerts: r.alerts, incidents: r.incidents, byBucket: {} });
  const incidentsByTechniqueBucket = new Map<string, Map<string, number>>();
  for (const r of agg.techniquesByBucket) {
    const t = techniques.get(r.techniqueId);
    if (t) t.byBucket[r.bucket] = r.alerts;
    let m = incidentsByTechniqueBucket.get(r.techniqueId);
    if (!m) incidentsByTechniqueBucket.set(r.techniqueId, (m = new Map()));
    m.set(r.bucket, r.incidents);
  }
  const tacticName = (shortname: string) => kb?.tactic(shortname)?.object.name ?? shortname;
  const tacticOrder = new Map((kb?.tactics() ?? []).map((t, i) => [t.shortname, i]));
  const tactics = new Map<string, TrendReport['tactics'][number]>();
  for (const t of techniques.values()) {
    for (const tactic of t.tactics) {
      let row = tactics.get(tactic);
      if (!row) tactics.set(tactic, (row = { tactic, name: tacticName(tactic), alerts: 0, byBucket: {} }));
      row.alerts += t.alerts;
      for (const [b, n] of Object.entries(t.byBucket)) inc(row.byBucket, b, n);
    }
  }
  const tacticTimes = new Map<string, { triage: Histogram; resolve: Histogram }>();
  for (const r of agg.techniqueTimes) {
    for (const tactic of techniqueInfo(r.techniqueId).tactics) {
      let h = tacticTimes.get(tactic);
      if (!h) tacticTimes.set(tactic, (h = { triage: {}, resolve: {} }));
      addHistogram(h[r.metric], r.bin, r.count);
    }
  }

  // Emerging techniques: incidents per technique in the latest bucket against the preceding ones.
  const latest = buckets.length > 1 ? (buckets[buckets.length - 1] as string) : null;
  const earlierBuckets = latest ? buckets.slice(Math.max(0, buckets.length - 1 - window), buckets.length - 1) : [];
  const emerging: TrendReport['emerging']['techniques'] = [];
  if (latest && earlierBuckets.length > 0) {
    const recentExposure = bucketDaysWithin(latest, range.from, range.to);
    const earlierExposure = earlierBuckets.reduce((s, b) => s + bucketDaysWithin(b, range.from, range.to), 0);
    if (recentExposure > 0 && earlierExposure > 0) {
      for (const [techniqueId, counts] of incidentsByTechniqueBucket) {
        const recent = counts.get(latest) ?? 0;
        if (recent < minCount) continue;
        const earlier = earlierBuckets.reduce((s, b) => s + (counts.get(b) ?? 0), 0);
        const test = poissonRateIncrease(recent, recentExposure, earlier, earlierExposure);
        if (test.p < alpha && test.rateRatio >= minRatio) emerging.push({ techniqueId, name: techniqueInfo(techniqueId).name, recent, earlier, rateRatio: round(test.rateRatio), p: test.p });
      }
    }
  }
  emerging.sort((a, b) => a.p - b.p || b.recent - a.recent);

  // Findings and action items.
  const findingsByBucket = new Map<string, Record<string, number>>(buckets.map((b) => [b, {}]));
  const categoryIncidents = new Map<string, { incidents: Set<string>; findings: number }>();
  for (const f of agg.findings) {
    const b = bucketOf(f.createdAt, agg.bucket);
    const row = findingsByBucket.get(b);
    if (row) inc(row, f.category, 1);
    let c = categoryIncidents.get(f.category);
    if (!c) categoryIncidents.set(f.category, (c = { incidents: new Set(), findings: 0 }));
    c.incidents.add(f.incidentId);
    c.findings++;
  }
  const asOf = options.asOf ?? range.to ?? new Date().toISOString();
  const actionBuckets = buckets.map((bucket) => {
    const span = bucketSpan(bucket);
    let opened = 0;
    let closed = 0;
    let overdue = 0;
    const end = span.end < asOf ? span.end : asOf;
    for (const a of agg.actionItems) {
      if (a.createdAt >= span.start && a.createdAt < span.end) opened++;
      if (a.closedAt && a.closedAt >= span.start && a.closedAt < span.end) closed++;
      if (isOverdue(a, end)) overdue++;
    }
    return { bucket, opened, closed, overdueAtEnd: overdue };
  });
  const inRange = (iso: string) => (!range.from || iso >= range.from) && (!range.to || iso < range.to);

  return {
    bucket: agg.bucket,
    range,
    buckets,
    incidents: { total: sum(agg.incidents.map((r) => r.count)), byBucket: [...incidentRows.values()] },
    alerts: { total: sum(agg.alerts.map((r) => r.count)), byBucket: [...alertRows.values()] },
    responseTimes: {
      byBucket: buckets.map((b) => ({ bucket: b, metrics: summarise(metricHistograms(perBucket, b)) })),
      bySeverity: [...perSeverity.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([severity, h]) => ({ severity, metrics: summarise(h) })),
      byTactic: [...tacticTimes.entries()]
        .sort(([a], [b]) => (tacticOrder.get(a) ?? 99) - (tacticOrder.get(b) ?? 99))
        .map(([tactic, h]) => ({ tactic, name: tacticName(tactic), triage: timeSummary(h.triage), resolve: timeSummary(h.resolve) })),
    },
    techniques: [...techniques.values()].sort((a, b) => b.incidents - a.incidents || a.techniqueId.localeCompare(b.techniqueId)),
    tactics: [...tactics.values()].sort((a, b) => (tacticOrder.get(a.tactic) ?? 99) - (tacticOrder.get(b.tactic) ?? 99)),
    emerging: { test: EMERGING_TEST_NAME, window, alpha, minCount, minRatio, latestBucket: latest, techniques: emerging },
    recurring: {
      minIncidents: recurringMin,
      techniques: agg.techniquesInRange
        .filter((r) => r.incidents >= recurringMin)
        .sort((a, b) => b.incidents - a.incidents || a.techniqueId.localeCompare(b.techniqueId))
        .map((r) => ({ techniqueId: r.techniqueId, name: techniqueInfo(r.techniqueId).name, incidents: r.incidents })),
      findingCategories: [...categoryIncidents.entries()]
        .filter(([, c]) => c.incidents.size >= recurringMin)
        .map(([category, c]) => ({ category, incidents: c.incidents.size, findings: c.findings }))
        .sort((a, b) => b.incidents - a.incidents || a.category.localeCompare(b.category)),
    },
    findings: { total: agg.findings.length, byBucket: [...findingsByBucket.entries()].map(([bucket, byCategory]) => ({ bucket, byCategory })) },
    actionItems: {
      asOf,
      openedTotal: agg.actionItems.filter((a) => inRange(a.createdAt)).length,
      closedTotal: agg.actionItems.filter((a) => a.closedAt !== null && inRange(a.closedAt)).length,
      overdueNow: agg.actionItems.filter((a) => isOverdue(a, asOf)).length,
      byBucket: actionBuckets,
    },
  };
}

/** Open at `at` (created before, not closed by then) with a due date before `at`. */
function isOverdue(a: TrendAggregates['actionItems'][number], at: string): boolean {
  if (!a.dueDate || a.createdAt >= at) return false;
  if (a.closedAt && a.closedAt < at) return false;
  return a.dueDate < at.slice(0, a.dueDate.length);
}

function timeSummary(h: Histogram): TimeSummary {
  const median = histogramQuantile(h, 0.5);
  const p90 = histogramQuantile(h, 0.9);
  return { count: histogramTotal(h), medianSeconds: median === null ? null : Math.round(median), p90Seconds: p90 === null ? null : Math.round(p90) };
}

function metricHistograms(map: Map<string, Record<ResponseMetric, Histogram>>, key: string): Record<ResponseMetric, Histogram> {
  let h = map.get(key);
  if (!h) map.set(key, (h = { detect: {}, acknowledge: {}, contain: {}, resolve: {} }));
  return h;
}

/** Sorted observed keys with the gaps between them filled. */
function fillBuckets(keys: string[], bucket: TrendBucket): string[] {
  const first = keys[0];
  const last = keys[keys.length - 1];
  if (!first || !last) return [];
  return bucketsBetween(bucketSpan(first).start, bucketSpan(last).end, bucket);
}

function emptyBreakdown(bucket: string): CountBreakdown {
  return { bucket, total: 0, bySeverity: {}, byClassification: {}, byDetermination: {} };
}

function addCount<T extends CountBreakdown>(
  rows: Map<string, T>,
  bucket: string,
  r: { severity: string; classification: string | null; determination: string | null },
  n: number,
): T | undefined {
  const row = rows.get(bucket);
  if (!row) return undefined;
  row.total += n;
  inc(row.bySeverity, r.severity, n);
  inc(row.byClassification, r.classification ?? 'unclassified', n);
  inc(row.byDetermination, r.determination ?? 'undetermined', n);
  return row;
}

function inc(record: Record<string, number>, key: string, n: number): void {
  record[key] = (record[key] ?? 0) + n;
}

function sum(values: number[]): number {
  return values.reduce((s, v) => s + v, 0);
}

function round(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 100) / 100 : v;
}
