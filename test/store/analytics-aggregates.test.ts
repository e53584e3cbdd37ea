import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { analyseSkills } from '../../src/analysis/skills/index.js';
import { analyseTrends } from '../../src/analysis/trends/index.js';
import type { Incident } from '../../src/model/index.js';
import type { SkillAggregates, TrendAggregates } from '../../src/model/learning.js';
import {
  refreshLearningFacts,
  skillAggregates,
  skillAggregatesFromFacts,
  splitRange,
  trendAggregates,
  trendAggregatesFromFacts,
} from '../../src/store/learning/index.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { LEARNING_AGGREGATE_TABLES } from '../../src/store/migrations/0007-learning-aggregates.js';
import { smallHistory } from '../fixtures/learning/history.js';
import { pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';

const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL pre-aggregated learning tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_aggregates');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}

const HOUR = 3_600_000;
const shiftIso = (v: string | null | undefined, ms: number) => (v ? new Date(Date.parse(v) + ms).toISOString() : v);

/**
 * The small seeded history with alerts spread out: in every third incident each alert is raised 17
 * hours after the previous one (so an incident's alerts of one technique fall on several days, weeks
 * and sometimes months), which exercises the distinct-incident corrections.
 */
function spreadHistory(incidents: number, alertsPerIncident: number, seed = 11): Incident[] {
  return smallHistory(incidents, alertsPerIncident, seed).map((incident, n) => {
    if (n % 3 !== 0) return incident;
    const alerts = incident.alerts.map((a, i) => {
      const ms = i * 17 * HOUR;
      return {
        ...a,
        createdAt: shiftIso(a.createdAt, ms) as string,
        updatedAt: shiftIso(a.updatedAt, ms) as string,
        firstActivityAt: shiftIso(a.firstActivityAt, ms) ?? null,
        resolvedAt: shiftIso(a.resolvedAt, ms) ?? null,
        statusHistory: a.statusHistory.map((s) => ({ ...s, at: shiftIso(s.at, ms) as string })),
      };
    });
    const last = alerts.reduce((m, a) => (a.resolvedAt && a.resolvedAt > m ? a.resolvedAt : m), incident.resolvedAt ?? incident.createdAt);
    return { ...incident, alerts, resolvedAt: last, updatedAt: last };
  });
}

const key = (v: unknown) => JSON.stringify(v);
/** Rows in a canonical order, so two aggregations of the same data compare equal whatever SQL returned first. */
function canonicalTrends(a: TrendAggregates): TrendAggregates {
  const sort = <T>(rows: T[]) => [...rows].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  return {
    ...a,
    incidents: sort(a.incidents),
    alerts: sort(a.alerts),
    responseTimes: sort(a.responseTimes),
    techniqueTimes: sort(a.techniqueTimes),
    techniquesByBucket: sort(a.techniquesByBucket),
    techniquesInRange: sort(a.techniquesInRange),
  };
}
function canonicalSkills(a: SkillAggregates): SkillAggregates {
  const sort = <T>(rows: T[]) => [...rows].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  return { ...a, triage: sort(a.triage), resolve: sort(a.resolve) };
}

const RANGES: { from?: string; to?: string }[] = [
  {},
  { from: '2025-01-15', to: '2025-03-10' }, // edge days on both sides, whole months between
  { from: '2025-02-01', to: '2025-03-01' }, // exactly one month
  { from: '2025-02-03', to: '2025-02-20' }, // inside one month
  { from: '2025-01-20' }, // open end
  { to: '2025-02-11' }, // open start
  { from: '2025-01-08', to: '2025-01-13' }, // inside one week
  { from: '2025-01-10T12:00:00Z', to: '2025-03-01T06:00:00Z' }, // not whole days: the facts answer
];

async function expectSameAsFacts(store: OpenedStore): Promise<void> {
  for (const range of RANGES) {
    for (const bucket of ['week', 'month', 'quarter'] as const) {
      const fast = canonicalTrends(await trendAggregates(store.db, { ...range, bucket }));
      const slow = canonicalTrends(await trendAggregatesFromFacts(store.db, { ...range, bucket }));
      expect(fast, `trends ${bucket} ${key(range)}`).toEqual(slow);
      const asOf = '2025-06-01T00:00:00.000Z';
      expect(analyseTrends(fast, undefined, { asOf })).toEqual(analyseTrends(slow, undefined, { asOf }));
    }
    for (const byAnalyst of [false, true]) {
      const fast = canonicalSkills(await skillAggregates(store.db, { ...range, byAnalyst }));
      const slow = canonicalSkills(await skillAggregatesFromFacts(store.db, { ...range, byAnalyst }));
      expect(fast, `skills byAnalyst=${byAnalyst} ${key(range)}`).toEqual(slow);
      expect(analyseSkills(fast, undefined, { minAlerts: 5 })).toEqual(analyseSkills(slow, undefined, { minAlerts: 5 }));
    }
  }
}

const AGGREGATE_TABLES = [...LEARNING_AGGREGATE_TABLES.map((t) => t.name), 'learning_technique_spans'];

/** Every aggregate table's rows with a non-zero count (rows subtracted to zero stay and are skipped by readers), sorted. */
async function snapshot(store: OpenedStore): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of AGGREGATE_TABLES) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db);
    out[table] = rows.rows
      .filter((r) => !('alerts' in r ? Number(r.alerts) === 0 : 'incidents' in r && Number(r.incidents) === 0))
      .map((r) => key(Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, typeof v === 'bigint' || (typeof v === 'string' && /^\d+$/.test(v) && k !== 'day') ? Number(v) : v]))))
      .sort();
  }
  return out;
}

describe('splitRange', () => {
  it('reads whole months from the monthly tables and the edge days from the daily ones', () => {
    expect(splitRange({ from: '2025-01-15', to: '2025-03-10' })).toEqual({
      periods: { from: '2025-02', to: '2025-03' },
      days: [
        { from: '2025-01-15', to: '2025-02-01' },
        { from: '2025-03-01', to: '2025-03-10' },
      ],
    });
    expect(splitRange({ from: '2025-02-01', to: '2025-03-01' })).toEqual({ periods: { from: '2025-02', to: '2025-03' }, days: [] });
    expect(splitRange({ from: '2025-02-03', to: '2025-02-20' })).toEqual({ periods: null, days: [{ from: '2025-02-03', to: '2025-02-20' }] });
    expect(splitRange({ from: '2024-12-05', to: null })).toEqual({ periods: { from: '2025-01', to: null }, days: [{ from: '2024-12-05', to: '2025-01-01' }] });
    expect(splitRange({ from: null, to: null })).toEqual({ periods: { from: null, to: null }, days: [] });
    expect(splitRange({ from: '2025-01-31', to: '2025-02-02' })).toEqual({ periods: null, days: [{ from: '2025-01-31', to: '2025-02-02' }] });
  });

  it('splits on ISO weeks (Monday to Sunday) for week buckets', () => {
    // 2025-01-15 is a Wednesday; 2025-01-20 and 2025-03-03 are Mondays; 2025-03-10 is a Monday.
    expect(splitRange({ from: '2025-01-15', to: '2025-03-05' }, 'week')).toEqual({
      periods: { from: '2025-01-20', to: '2025-03-03' },
      days: [
        { from: '2025-01-15', to: '2025-01-20' },
        { from: '2025-03-03', to: '2025-03-05' },
      ],
    });
    expect(splitRange({ from: '2025-01-20', to: '2025-03-10' }, 'week')).toEqual({ periods: { from: '2025-01-20', to: '2025-03-10' }, days: [] });
    expect(splitRange({ from: '2025-01-15', to: '2025-01-19' }, 'week')).toEqual({ periods: null, days: [{ from: '2025-01-15', to: '2025-01-19' }] });
    // Across a year end: 2024-12-30 is the Monday of 2025-W01.
    expect(splitRange({ from: '2024-12-28', to: null }, 'week')).toEqual({ periods: { from: '2024-12-30', to: null }, days: [{ from: '2024-12-28', to: '2024-12-30' }] });
  });
});

describe.each(targets)('pre-aggregated learning tables on $name', ({ open }) => {
  it('give exactly what the fact tables give, for any range, bucket and breakdown', async () => {
    const store = await open();
    try {
      const history = spreadHistory(60, 6);
      await store.importIncidents(history);
      await refreshLearningFacts(store.db);
      // The spread incidents do produce multi-day spans, so the correction is exercised.
      const spans = await sql<{ n: unknown }>`select count(*) as n from learning_technique_spans`.execute(store.db);
      expect(Number(spans.rows[0]?.n)).toBeGreaterThan(0);
      await expectSameAsFacts(store);
      // The planted weak spot is still found on the pre-aggregated path.
      const report = analyseSkills(await skillAggregates(store.db, {}), undefined, { minAlerts: 10 });
      expect(report.weakSpots.some((w) => w.id.startsWith('T1566') && w.flags.includes('slow-triage'))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('after new, changed and removed incidents, an incremental refresh equals a full rebuild', async () => {
    const store = await open();
    try {
      const history = spreadHistory(45, 5, 23);
      await store.importIncidents(history.slice(0, 30));
      expect((await refreshLearningFacts(store.db)).incidents).toBe(30);

      // New incidents, and one changed: its alerts moved five weeks later and relabelled.
      const first = history[0] as Incident;
      const moved: Incident = {
        ...first,
        title: 'Moved and relabelled',
        severity: 'low',
        alerts: first.alerts.map((a) => ({
          ...a,
          createdAt: shiftIso(a.createdAt, 35 * 24 * HOUR) as string,
          resolvedAt: shiftIso(a.resolvedAt, 35 * 24 * HOUR) ?? null,
          techniques: ['T1486'],
          statusHistory: a.statusHistory.map((s) => ({ ...s, at: shiftIso(s.at, 35 * 24 * HOUR) as string })),
        })),
      };
      await store.importIncidents([...history.slice(30), moved]);
      expect(await refreshLearningFacts(store.db)).toMatchObject({ incidents: 16, aggregates: 'incremental' });
      const incremental = await snapshot(store);
      await expectSameAsFacts(store);
      // A full rebuild from scratch gives the same tables as the incremental one.
      await sql`delete from learning_incident_facts`.execute(store.db);
      expect((await refreshLearningFacts(store.db)).incidents).toBe(45);
      expect(await snapshot(store)).toEqual(incremental);

      // One incident removed: its facts go by cascade, the aggregates no longer add up and are rebuilt.
      const victim = await sql<{ id: string }>`select id from incidents where source_id = ${(history[4] as Incident).sourceId}`.execute(store.db);
      const victimId = victim.rows[0]?.id as string;
      await sql`delete from status_changes where incident_id = ${victimId}`.execute(store.db);
      await sql`delete from alert_techniques where incident_id = ${victimId}`.execute(store.db);
      await sql`delete from alerts where incident_id = ${victimId}`.execute(store.db);
      await sql`delete from incidents where id = ${victimId}`.execute(store.db);
      expect(await refreshLearningFacts(store.db)).toEqual({ incidents: 0, alerts: 0, aggregates: 'rebuilt' });

      await expectSameAsFacts(store);
      const totals = await trendAggregates(store.db, { bucket: 'month' });
      expect(totals.incidents.reduce((s, r) => s + r.count, 0)).toBe(44);
      expect(totals.techniquesInRange.find((t) => t.techniqueId === 'T1486')).toEqual({ techniqueId: 'T1486', alerts: 5, incidents: 1 });
      const afterRemoval = await snapshot(store);
      await sql`delete from learning_incident_facts`.execute(store.db);
      expect((await refreshLearningFacts(store.db)).incidents).toBe(44);
      expect(await snapshot(store)).toEqual(afterRemoval);
    } finally {
      await store.close();
    }
  });
});
