import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../src/model/index.js';
import { defaultDatabasePath, incidentId, openStore, type OpenedStore } from '../../src/store/index.js';
import { derivePartialIncident } from '../../src/ingest/graph.js';
import { alert, fullIncident, partialIncident } from '../fixtures/store/incidents.js';
import { pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';

/** The import's tables, by their database names. */
const TABLES = { incidents: 'incidents', alerts: 'alerts', alert_techniques: 'alertTechniques', entities: 'entities', comments: 'comments', status_changes: 'statusChanges' } as const;

async function rowCounts(store: OpenedStore): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [name, table] of Object.entries(TABLES)) {
    const row = await store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .executeTakeFirstOrThrow();
    counts[name] = Number(row.n);
  }
  return counts;
}

async function contentHashOf(store: OpenedStore, sourceId: string): Promise<string> {
  return (await store.db.selectFrom('incidents').select('contentHash').where('sourceId', '=', sourceId).executeTakeFirstOrThrow()).contentHash;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

type Opener = () => Promise<OpenedStore>;

/** The same behaviour, asserted against each database the store supports. */
function storeSuite(open: Opener): void {
  it('creates incidents and round-trips every field, by Hindsight id and by source id', async () => {
    const store = await open();
    try {
      const incident = fullIncident();
      const { summary, results } = await store.importIncidents([incident]);
      expect(summary).toEqual({ incidents: 1, alerts: 2, created: 1, updated: 0, unchanged: 0 });
      const id = incidentId('microsoft-defender', '2972395');
      expect(id).toMatch(/^inc_[0-9a-f]{12}$/);
      expect(results).toEqual([{ id, source: 'microsoft-defender', sourceId: '2972395', outcome: 'created' }]);

      const expected = { ...incident, id, importedAt: expect.any(String) };
      const byId = await store.getIncident(id);
      expect(byId).toEqual(expected);
      expect(byId?.alerts[0]?.evidence[1]?.raw).toBeUndefined();
      expect(byId?.raw).toEqual(incident.raw);
      expect(await store.getIncident('2972395')).toEqual(expected);
      expect(await store.getIncident('no-such-incident')).toBeUndefined();

      const counts = await rowCounts(store);
      expect(counts).toEqual({ incidents: 1, alerts: 2, alert_techniques: 4, entities: 4, comments: 4, status_changes: 3 });
    } finally {
      await store.close();
    }
  });

  it('re-importing the same records changes nothing', async () => {
    const store = await open();
    try {
      await store.importIncidents([fullIncident(), partialIncident('77', [alert('a-1', '2026-03-02T09:00:00.000Z')])]);
      const before = await rowCounts(store);
      const stored = await store.getIncident('2972395');
      const again = await store.importIncidents([fullIncident(), partialIncident('77', [alert('a-1', '2026-03-02T09:00:00.000Z')])]);
      expect(again.summary).toEqual({ incidents: 2, alerts: 3, created: 0, updated: 0, unchanged: 2 });
      expect(await rowCounts(store)).toEqual(before);
      expect(await store.getIncident('2972395')).toEqual(stored);
    } finally {
      await store.close();
    }
  });

  it('a newer record replaces the stored one and records what changed', async () => {
    const store = await open();
    try {
      await store.importIncidents([fullIncident()]);
      const first = fullIncident();
      const newer = fullIncident({
        status: 'resolved',
        classification: 'truePositive',
        determination: 'malware',
        updatedAt: '2026-03-02T08:00:00.000Z',
        resolvedAt: '2026-03-02T08:00:00.000Z',
        comments: [{ author: 'lead@contoso.com', createdAt: '2026-03-02T07:59:00.000Z', text: 'Closing.' }],
        alerts: [
          { ...(first.alerts[0] as Incident['alerts'][number]), status: 'resolved', severity: 'high', updatedAt: '2026-03-02T08:00:00.000Z', techniques: ['T1566.001'] },
          first.alerts[1] as Incident['alerts'][number],
        ],
      });
      const { summary } = await store.importIncidents([newer]);
      expect(summary).toMatchObject({ created: 0, updated: 1, unchanged: 0 });

      const stored = await store.getIncident('2972395');
      expect(stored?.status).toBe('resolved');
      expect(stored?.comments).toEqual([{ author: 'lead@contoso.com', createdAt: '2026-03-02T07:59:00.000Z', text: 'Closing.' }]);
      expect(stored?.statusHistory).toEqual([
        { field: 'status', from: null, to: 'active', at: '2026-03-01T10:15:00.000Z', by: null, origin: 'source' },
        { field: 'status', from: 'active', to: 'resolved', at: '2026-03-02T08:00:00.000Z', by: null, origin: 'import' },
        { field: 'classification', from: null, to: 'truePositive', at: '2026-03-02T08:00:00.000Z', by: null, origin: 'import' },
        { field: 'determination', from: null, to: 'malware', at: '2026-03-02T08:00:00.000Z', by: null, origin: 'import' },
      ]);
      const changedAlert = stored?.alerts.find((a) => a.sourceId === first.alerts[0]?.sourceId);
      expect(changedAlert?.techniques).toEqual(['T1566.001']);
      expect(changedAlert?.statusHistory.filter((s) => s.origin === 'import')).toEqual([
        { field: 'status', from: 'new', to: 'resolved', at: '2026-03-02T08:00:00.000Z', by: null, origin: 'import' },
        { field: 'severity', from: 'medium', to: 'high', at: '2026-03-02T08:00:00.000Z', by: null, origin: 'import' },
      ]);
      const counts = await rowCounts(store);
      expect(counts.alert_techniques).toBe(3);
      expect(counts.entities).toBe(4);

      // Importing the newer record again records nothing new; a later change keeps the earlier import history.
      const countsBefore = await rowCounts(store);
      expect((await store.importIncidents([newer])).summary.unchanged).toBe(1);
      expect(await rowCounts(store)).toEqual(countsBefore);
      await store.importIncidents([{ ...newer, status: 'active', updatedAt: '2026-03-03T08:00:00.000Z' }]);
      const reopened = await store.getIncident('2972395');
      expect(reopened?.statusHistory.filter((s) => s.origin === 'import').map((s) => `${s.field}:${s.from}->${s.to}`)).toEqual([
        'status:active->resolved',
        'classification:null->truePositive',
        'determination:null->malware',
        'status:resolved->active',
      ]);
    } finally {
      await store.close();
    }
  });

  it('the same updatedAt with different content updates; an older record is ignored', async () => {
    const store = await open();
    try {
      await store.importIncidents([fullIncident({ updatedAt: '2026-03-05T00:00:00.000Z' })]);
      const sameTime = await store.importIncidents([fullIncident({ updatedAt: '2026-03-05T00:00:00.000Z', title: 'Renamed' })]);
      expect(sameTime.summary.updated).toBe(1);
      expect((await store.getIncident('2972395'))?.title).toBe('Renamed');

      const before = await rowCounts(store);
      const stale = await store.importIncidents([fullIncident({ updatedAt: '2026-03-04T00:00:00.000Z', title: 'Old title', status: 'resolved' })]);
      expect(stale.summary).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
      const stored = await store.getIncident('2972395');
      expect(stored?.title).toBe('Renamed');
      expect(stored?.status).toBe('active');
      expect(await rowCounts(store)).toEqual(before);
    } finally {
      await store.close();
    }
  });

  it('merges partial incidents alert by alert, newer alert wins', async () => {
    const store = await open();
    try {
      const a1 = alert('alert-1', '2026-03-02T09:00:00.000Z');
      const a2 = alert('alert-2', '2026-03-02T09:05:00.000Z');
      const first = await store.importIncidents([partialIncident('500', [a1, a2])]);
      expect(first.summary.created).toBe(1);
      let stored = await store.getIncident('500');
      expect(stored?.partial).toBe(true);
      expect(stored?.alerts.map((a) => a.sourceId)).toEqual(['alert-1', 'alert-2']);

      const a2newer = { ...a2, status: 'resolved', updatedAt: '2026-03-02T11:00:00.000Z' };
      const a1older = { ...a1, title: 'stale copy', updatedAt: '2026-03-01T00:00:00.000Z' };
      const a3 = alert('alert-3', '2026-03-02T10:00:00.000Z');
      const second = await store.importIncidents([partialIncident('500', [a2newer, a3, a1older], { title: 'Another partial title' })]);
      expect(second.summary).toMatchObject({ incidents: 1, alerts: 3, created: 0, updated: 1, unchanged: 0 });
      stored = await store.getIncident('500');
      expect(stored?.title).toBe(a1.title);
      expect(stored?.alerts.map((a) => a.sourceId)).toEqual(['alert-1', 'alert-2', 'alert-3']);
      expect(stored?.alerts[0]?.title).toBe(a1.title);
      expect(stored?.alerts[1]?.status).toBe('resolved');
      expect(stored?.alerts[1]?.statusHistory.at(-1)).toEqual({ field: 'status', from: 'new', to: 'resolved', at: '2026-03-02T11:00:00.000Z', by: null, origin: 'import' });

      const again = await store.importIncidents([partialIncident('500', [a2newer, a3])]);
      expect(again.summary.unchanged).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('a full incident replaces a partial row; a later partial never overwrites the full incident', async () => {
    const store = await open();
    try {
      const standalone = alert('da637551227677560813_-961444813', '2026-03-01T10:16:00.000Z');
      const extra = alert('standalone-only', '2026-03-01T10:40:00.000Z');
      await store.importIncidents([partialIncident('2972395', [standalone, extra], { updatedAt: '2026-03-09T00:00:00.000Z' })]);
      const full = fullIncident();
      const { summary } = await store.importIncidents([full]);
      expect(summary.updated).toBe(1);
      let stored = await store.getIncident('2972395');
      expect(stored?.partial).toBe(false);
      expect(stored?.title).toBe(full.title);
      expect(stored?.tags).toEqual(['Ransomware', 'Finance']);
      expect(stored?.alerts.map((a) => a.sourceId).sort()).toEqual(
        ['da637551227677560813_-961444813', 'da637551227677560813_-961444814', 'standalone-only'].sort(),
      );

      await store.importIncidents([partialIncident('2972395', [alert('late-alert', '2026-03-01T12:30:00.000Z')], { title: 'Partial title', severity: 'low', updatedAt: '2026-04-01T00:00:00.000Z' })]);
      stored = await store.getIncident('2972395');
      expect(stored?.title).toBe(full.title);
      expect(stored?.severity).toBe('high');
      expect(stored?.partial).toBe(false);
      expect(stored?.alerts).toHaveLength(4);
    } finally {
      await store.close();
    }
  });

  it('imports batches in one transaction like one batch; an incident spread over batches counts once', async () => {
    const whole = await open();
    const batched = await open();
    try {
      const a = [alert('b-1', '2026-03-02T09:00:00.000Z'), alert('b-2', '2026-03-02T09:05:00.000Z'), alert('b-3', '2026-03-02T09:10:00.000Z')];
      const others = [fullIncident({ sourceId: 'b-full', alerts: [alert('b-full-alert', '2026-03-03T00:00:00.000Z')] })];
      const one = await whole.importIncidents([partialIncident('b-500', a), ...others]);
      const many = await batched.importIncidentBatches([[partialIncident('b-500', a.slice(0, 2))], [partialIncident('b-500', a.slice(2)), ...others]]);
      expect(many.summary).toEqual({ incidents: 2, alerts: 4, created: 2, updated: 0, unchanged: 0 });
      expect(many.summary).toEqual(one.summary);
      expect(many.results.map((r) => r.outcome)).toEqual(['created', 'created']);
      expect((await batched.getIncident('b-500'))?.alerts.map((x) => x.sourceId)).toEqual(['b-1', 'b-2', 'b-3']);
      expect(await rowCounts(batched)).toEqual(await rowCounts(whole));

      async function* failing(): AsyncGenerator<Incident[]> {
        yield [fullIncident({ sourceId: 'b-lost', alerts: [alert('b-lost-alert', '2026-03-04T00:00:00.000Z')] })];
        throw new Error('the second batch could not be read');
      }
      const before = await rowCounts(batched);
      await expect(batched.importIncidentBatches(failing())).rejects.toThrow(/second batch/);
      expect(await rowCounts(batched)).toEqual(before);
      expect(await batched.getIncident('b-lost')).toBeUndefined();
    } finally {
      await whole.close();
      await batched.close();
    }
  });

  it("derives a partial incident's own fields again when more of its alerts arrive", async () => {
    const store = await open();
    try {
      const first = alert('d-1', '2026-03-02T09:00:00.000Z', { severity: 'low', status: 'resolved', resolvedAt: '2026-03-02T09:30:00.000Z', updatedAt: '2026-03-02T09:30:00.000Z' });
      const parts = (alerts: ReturnType<typeof alert>[]) => {
        const fields = derivePartialIncident(alerts);
        return partialIncident('d-600', alerts, fields);
      };
      await store.importIncidents([parts([first])], { derivePartial: derivePartialIncident });
      let stored = await store.getIncident('d-600');
      expect(stored).toMatchObject({ status: 'resolved', severity: 'low', resolvedAt: '2026-03-02T09:30:00.000Z' });
      const hashBefore = await contentHashOf(store, 'd-600');

      // A later, more severe alert of the same incident, still open, arrives in another import.
      const later = alert('d-2', '2026-03-02T12:00:00.000Z', { severity: 'high', status: 'inProgress', updatedAt: '2026-03-02T13:00:00.000Z', title: 'Credential theft' });
      const { summary } = await store.importIncidents([parts([later])], { derivePartial: derivePartialIncident });
      expect(summary).toMatchObject({ incidents: 1, updated: 1 });
      stored = await store.getIncident('d-600');
      expect(stored).toMatchObject({
        title: first.title,
        severity: 'high',
        status: 'inProgress',
        createdAt: '2026-03-02T09:00:00.000Z',
        updatedAt: '2026-03-02T13:00:00.000Z',
        resolvedAt: null,
      });
      expect(stored?.statusHistory.map((c) => `${c.field}:${c.to}@${c.at}`)).toEqual(['status:active@2026-03-02T09:00:00.000Z', 'status:inProgress@2026-03-02T13:00:00.000Z']);
      const hashAfter = await contentHashOf(store, 'd-600');
      expect(hashAfter).not.toBe(hashBefore);

      // Without the deriver (the default), the stored partial incident keeps its fields.
      await store.importIncidents([parts([alert('d-3', '2026-03-02T14:00:00.000Z', { severity: 'low', status: 'resolved', resolvedAt: '2026-03-02T14:10:00.000Z' })])]);
      expect((await store.getIncident('d-600'))?.status).toBe('inProgress');
    } finally {
      await store.close();
    }
  });

  it('a failure in the middle of an import rolls back everything', async () => {
    const store = await open();
    try {
      await store.importIncidents([fullIncident()]);
      const before = await rowCounts(store);
      const storedBefore = await store.getIncident('2972395');

      const many: Incident[] = [];
      for (let i = 0; i < 30; i++) many.push(fullIncident({ sourceId: `batch-${i}`, alerts: [alert(`batch-alert-${i}`, '2026-03-03T00:00:00.000Z')] }));
      const updated = fullIncident({ status: 'resolved', updatedAt: '2026-03-09T00:00:00.000Z' });
      const broken = fullIncident({ sourceId: 'broken', alerts: [alert('broken-alert', '2026-03-03T00:00:00.000Z')] });
      // An entity without a key breaks a NOT NULL constraint when the rows are written.
      (broken.alerts[0]?.evidence[0] as { key: unknown }).key = null;
      await expect(store.importIncidents([...many, updated, broken])).rejects.toThrow();

      expect(await rowCounts(store)).toEqual(before);
      expect(await store.getIncident('2972395')).toEqual(storedBefore);
      expect(await store.getIncident('batch-0')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('rejects a malformed record with its path before writing anything', async () => {
    const store = await open();
    try {
      const bad = clone(fullIncident({ sourceId: 'bad' }));
      (bad.alerts[1] as { title: unknown }).title = 42;
      await expect(store.importIncidents([fullIncident({ sourceId: 'good' }), bad])).rejects.toThrow(/\[1\]\.alerts\[1\]\.title/);
      expect((await rowCounts(store)).incidents).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('lists incidents newest first with alert counts and a since filter', async () => {
    const store = await open();
    try {
      await store.importIncidents([
        fullIncident({ sourceId: 'jan', createdAt: '2026-01-10T00:00:00.000Z', alerts: [] }),
        fullIncident({ sourceId: 'mar', createdAt: '2026-03-10T00:00:00.000Z' }),
        fullIncident({ sourceId: 'feb', createdAt: '2026-02-10T00:00:00.000Z', alerts: [alert('feb-1', '2026-02-10T00:01:00.000Z')] }),
      ]);
      const all = await store.listIncidents();
      expect(all.map((i) => [i.sourceId, i.alertCount])).toEqual([
        ['mar', 2],
        ['feb', 1],
        ['jan', 0],
      ]);
      expect(all[0]).toMatchObject({ id: incidentId('microsoft-defender', 'mar'), source: 'microsoft-defender', severity: 'high', status: 'active', classification: null, createdAt: '2026-03-10T00:00:00.000Z' });
      expect((await store.listIncidents({ since: '2026-02-10' })).map((i) => i.sourceId)).toEqual(['mar', 'feb']);
      expect((await store.listIncidents({ since: '2026-02-10T00:00:01Z' })).map((i) => i.sourceId)).toEqual(['mar']);
      expect((await store.listIncidents({ limit: 1 })).map((i) => i.sourceId)).toEqual(['mar']);
      await expect(store.listIncidents({ since: 'yesterday-ish' })).rejects.toThrow(/since/);
    } finally {
      await store.close();
    }
  });

  it("stores an evidence's raw JSON once when it is the alert's own raw evidence, and reads it back", async () => {
    const store = await open();
    try {
      const base = alert('shared-raw', '2026-03-01T10:16:00.000Z');
      const ipRaw = { '@odata.type': '#microsoft.graph.security.ipEvidence', ipAddress: '203.0.113.7' };
      const userRaw = { '@odata.type': '#microsoft.graph.security.userEvidence', userAccount: { accountName: 'jdoe' } };
      const shared = {
        ...base,
        raw: { id: 'shared-raw', evidence: [ipRaw, userRaw] },
        evidence: [
          { ...(base.evidence[0] as Incident['alerts'][number]['evidence'][number]), raw: userRaw },
          { ...(base.evidence[1] as Incident['alerts'][number]['evidence'][number]), raw: ipRaw },
        ],
      };
      const incident = fullIncident({ sourceId: 'shared', alerts: [shared] });
      await store.importIncidents([incident]);
      const rows = await store.db.selectFrom('entities').select(['ord', 'raw']).orderBy('ord').execute();
      expect(rows).toEqual([
        { ord: 0, raw: '@evidence:1' },
        { ord: 1, raw: '@evidence:0' },
      ]);
      const stored = await store.getIncident('shared');
      expect(stored).toEqual({ ...incident, id: incidentId('microsoft-defender', 'shared'), importedAt: expect.any(String) });
      expect(stored?.alerts[0]?.evidence[0]?.raw).toEqual(userRaw);
    } finally {
      await store.close();
    }
  });

  it("keeps a record's own JSON text as its raw JSON, byte for byte, and serialises raw otherwise", async () => {
    const store = await open();
    try {
      const line = '{"id": "text-raw",  "title": "kept as sent"}';
      const withText = { ...alert('text-raw', '2026-03-01T10:16:00.000Z'), raw: JSON.parse(line) as unknown, rawText: line };
      const withoutText = { ...alert('object-raw', '2026-03-01T10:17:00.000Z'), raw: { id: 'object-raw' } };
      await store.importIncidents([fullIncident({ sourceId: 'raw-text', alerts: [withText, withoutText] })]);
      const rows = await store.db.selectFrom('alerts').select(['sourceId', 'raw']).orderBy('sourceId').execute();
      expect(rows).toEqual([
        { sourceId: 'object-raw', raw: '{"id":"object-raw"}' },
        { sourceId: 'text-raw', raw: line },
      ]);
      expect((await store.getIncident('raw-text'))?.alerts.find((a) => a.sourceId === 'text-raw')?.raw).toEqual({ id: 'text-raw', title: 'kept as sent' });
    } finally {
      await store.close();
    }
  });

  it("reports each incident's triage as the import left it in the store", async () => {
    const store = await open();
    try {
      await store.importIncidents([fullIncident({ classification: 'truePositive', determination: 'malware', tags: ['Finance'] })]);
      // An older record and a partial one of the same incident change none of its own fields.
      const stale = fullIncident({ updatedAt: '2026-02-01T00:00:00.000Z', severity: 'low', classification: null, tags: [] });
      const partial = partialIncident('2972395', [alert('triage-late', '2026-03-01T12:30:00.000Z', { severity: 'informational' })], { severity: 'informational' });
      const first = alert('triage-1', '2026-03-02T09:00:00.000Z', { severity: 'low' });
      const derived = derivePartialIncident([first]);
      await store.importIncidents([partialIncident('triage-p', [first], derived)], { derivePartial: derivePartialIncident });
      const later = alert('triage-2', '2026-03-02T10:00:00.000Z', { severity: 'high' });
      const { triage, results } = await store.importIncidents([stale, partial, partialIncident('triage-p', [later], derivePartialIncident([later]))], { derivePartial: derivePartialIncident });
      expect(results.map((r) => r.outcome)).toEqual(['updated', 'updated']);
      expect(triage.get(incidentId('microsoft-defender', '2972395'))).toEqual({ severity: 'high', tags: ['Finance'], classification: 'truePositive', determination: 'malware' });
      // The partial incident's severity derived again from both its alerts.
      expect(triage.get(incidentId('microsoft-defender', 'triage-p'))).toEqual({ severity: 'high', tags: [], classification: null, determination: null });
      expect((await store.getIncident('triage-p'))?.severity).toBe('high');
    } finally {
      await store.close();
    }
  });

  it('counts techniques across incidents in SQL', async () => {
    const store = await open();
    try {
      await store.importIncidents([
        fullIncident({ sourceId: 'one', createdAt: '2026-01-05T00:00:00.000Z' }),
        fullIncident({ sourceId: 'two', createdAt: '2026-02-05T00:00:00.000Z', alerts: [alert('two-1', '2026-02-05T00:01:00.000Z', { techniques: ['T1105', 'T1566.001'] })] }),
      ]);
      expect(await store.techniqueCounts()).toEqual([
        { techniqueId: 'T1105', alerts: 3, incidents: 2 },
        { techniqueId: 'T1059.001', alerts: 2, incidents: 1 },
        { techniqueId: 'T1566.001', alerts: 1, incidents: 1 },
      ]);
      expect(await store.techniqueCounts({ since: '2026-02-01' })).toEqual([
        { techniqueId: 'T1105', alerts: 1, incidents: 1 },
        { techniqueId: 'T1566.001', alerts: 1, incidents: 1 },
      ]);
    } finally {
      await store.close();
    }
  });

  it('moves an alert that a newer record files under another incident', async () => {
    const store = await open();
    try {
      const moving = alert('moving-alert', '2026-03-01T10:16:00.000Z');
      await store.importIncidents([fullIncident({ sourceId: 'first', alerts: [moving] })]);
      await store.importIncidents([fullIncident({ sourceId: 'second', alerts: [{ ...moving, updatedAt: '2026-03-02T00:00:00.000Z' }] })]);
      expect((await store.getIncident('first'))?.alerts).toHaveLength(0);
      const second = await store.getIncident('second');
      expect(second?.alerts.map((a) => a.sourceId)).toEqual(['moving-alert']);
      expect(second?.alerts[0]?.evidence).toHaveLength(2);
    } finally {
      await store.close();
    }
  });
}

describe('store on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-store-'));
  let n = 0;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  storeSuite(() => openStore({ db: join(dir, `store-${++n}.db`) }));

  it('opens ./hindsight.db by default and DATABASE_URL when set', async () => {
    expect(defaultDatabasePath('/srv/hindsight')).toBe('/srv/hindsight/hindsight.db');
    const fromEnv = await openStore({ env: { DATABASE_URL: join(dir, 'from-env.db') } });
    try {
      expect(fromEnv.kind).toBe('sqlite');
      expect(fromEnv.location).toBe(join(dir, 'from-env.db'));
      const mode = await sql<{ journalMode: string }>`pragma journal_mode`.execute(fromEnv.db);
      expect(mode.rows[0]?.journalMode).toBe('wal');
      const fk = await sql<{ foreignKeys: number }>`pragma foreign_keys`.execute(fromEnv.db);
      expect(fk.rows[0]?.foreignKeys).toBe(1);
    } finally {
      await fromEnv.close();
    }
  });

  it('a bulk transaction writes without foreign-key checks and switches them on again, after a commit and after a rollback', async () => {
    const store = await openStore({ db: join(dir, 'bulk.db') });
    const fk = async (db: OpenedStore['db']) => (await sql<{ foreignKeys: number }>`pragma foreign_keys`.execute(db)).rows[0]?.foreignKeys;
    try {
      const inside = await store.transaction(async (tx) => {
        await tx.importIncidents([fullIncident()]);
        return fk(tx.db);
      }, { bulk: true });
      expect(inside).toBe(0);
      expect(await fk(store.db)).toBe(1);
      expect((await rowCounts(store)).alerts).toBe(2);

      await expect(
        store.transaction(async (tx) => {
          await tx.importIncidents([{ ...fullIncident(), sourceId: 'bulk-rolled-back' }]);
          throw new Error('refused');
        }, { bulk: true }),
      ).rejects.toThrow('refused');
      expect(await fk(store.db)).toBe(1);
      expect((await rowCounts(store)).incidents).toBe(1);
      // Outside a bulk transaction a child row without its parent is still refused.
      await expect(sql`insert into alert_techniques (alert_id, incident_id, technique_id) values ('al_none', 'inc_none', 'T1059')`.execute(store.db)).rejects.toThrow(/FOREIGN KEY/);
    } finally {
      await store.close();
    }
  });
});

const postgres = await pgAvailable();
const runPostgres = requireOrSkip('PostgreSQL for the store tests', Boolean(postgres.url), postgres.reason);

describe.runIf(runPostgres)('store on PostgreSQL', () => {
  const schemas = postgresSchemas(postgres.url as string, 'hs_store');
  afterAll(() => schemas.dropAll());
  storeSuite(async () => {
    const store = await openStore({ db: schemas.next() });
    expect(store.kind).toBe('postgres');
    return store;
  });
});
