import { afterAll, describe, expect, it } from 'vitest';
import { bucketOf } from '../../src/analysis/trends/buckets.js';
import { binOf } from '../../src/model/learning.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { refreshLearningFacts, skillAggregates, trendAggregates } from '../../src/store/learning/index.js';
import { pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { smallHistory } from '../fixtures/learning/history.js';

const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL analytics tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_analytics');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}

describe.each(targets)('learning aggregates on $name', ({ open }) => {
  it('builds facts once, buckets like the pure code, and aggregates counts and histograms', async () => {
    const store = await open();
    try {
      const history = smallHistory(20, 5);
      await store.importIncidents(history);
      expect(await refreshLearningFacts(store.db)).toEqual({ incidents: 20, alerts: 100, aggregates: 'rebuilt' });
      expect(await refreshLearningFacts(store.db)).toEqual({ incidents: 0, alerts: 0, aggregates: 'unchanged' });

      for (const bucket of ['week', 'month', 'quarter'] as const) {
        const agg = await trendAggregates(store.db, { bucket });
        const expected = new Map<string, number>();
        for (const i of history) expected.set(bucketOf(i.createdAt, bucket), (expected.get(bucketOf(i.createdAt, bucket)) ?? 0) + 1);
        const got = new Map<string, number>();
        for (const r of agg.incidents) got.set(r.bucket, (got.get(r.bucket) ?? 0) + r.count);
        expect(got).toEqual(expected);
      }

      const agg = await trendAggregates(store.db, { bucket: 'month', from: '2025-01-01', to: '2025-02-01' });
      const january = history.filter((i) => i.createdAt < '2025-02-01');
      expect(agg.incidents.reduce((s, r) => s + r.count, 0)).toBe(january.length);
      expect(agg.alerts.reduce((s, r) => s + r.count, 0)).toBe(january.length * 5);
      // Time to resolve of each incident, binned in SQL, equals the bin of the JS difference.
      const resolveBins = new Map<number, number>();
      for (const i of january) {
        const detected = Math.min(...i.alerts.map((a) => Date.parse(a.createdAt)));
        const b = binOf((Date.parse(i.resolvedAt as string) - detected) / 1000);
        resolveBins.set(b, (resolveBins.get(b) ?? 0) + 1);
      }
      const sqlBins = new Map<number, number>();
      for (const r of agg.responseTimes.filter((x) => x.metric === 'resolve')) sqlBins.set(r.bin, (sqlBins.get(r.bin) ?? 0) + r.count);
      expect(sqlBins).toEqual(resolveBins);
      const t1566 = agg.techniquesInRange.find((t) => t.techniqueId === 'T1566.001');
      const expectT1566 = january.filter((i) => i.alerts.some((a) => a.techniques.includes('T1566.001')));
      expect(t1566?.incidents ?? 0).toBe(expectT1566.length);

      const skills = await skillAggregates(store.db, { byAnalyst: true });
      const misclassified = history.flatMap((i) => i.alerts).filter((a) => a.statusHistory.some((s) => s.field === 'classification' && s.from === 'falsePositive' && s.to === 'truePositive')).length;
      expect(skills.triage.reduce((s, r) => s + r.benignThenTruePositive, 0)).toBe(misclassified);
      expect(skills.triage.reduce((s, r) => s + r.reopened, 0)).toBe(misclassified);
      expect(new Set(skills.triage.map((r) => r.analyst))).toEqual(new Set(['analyst0@contoso.com', 'analyst1@contoso.com', 'analyst2@contoso.com', 'analyst3@contoso.com']));

      // A changed incident is rebuilt, and only it.
      const changed = { ...(history[0] as (typeof history)[number]), title: 'Renamed', updatedAt: '2025-06-01T00:00:00.000Z' };
      await store.importIncidents([changed]);
      expect((await refreshLearningFacts(store.db)).incidents).toBe(1);
    } finally {
      await store.close();
    }
  });
});
