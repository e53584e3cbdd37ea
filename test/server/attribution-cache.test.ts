/**
 * The stored attribution of incidents (migration 0008): the same answer as computing it, read back
 * instead of computed while the incident, the ATT&CK data and the attribution code are unchanged,
 * computed again when any of them changes; the background warmer fills it only while the server is
 * idle. And the detail route answers with it.
 */
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { attributeIncident } from '../../src/analysis/attribution/from-incident.js';
import { parseFile } from '../../src/ingest/index.js';
import { AttributionCache, AttributionWarmer } from '../../src/app/attribution.js';
import { importFiles } from '../../src/app/import.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { getIncident } from '../../src/store/incidents/index.js';
import { attackBundle, pgAvailable, projectRoot, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { knowledgeBase, startHarness } from './harness.js';

const bundle = attackBundle();
const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL attribution cache tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_attrc');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}
const run = requireOrSkip('attribution cache tests (ATT&CK 18.1 bundle)', Boolean(bundle.path), bundle.reason);
const examples = ['ransomware.json', 'phishing-credential-theft.json', 'identity-attack.json'].map((f) => join(projectRoot, 'examples', f));

describe.runIf(run).each(targets)('stored attribution on $name', ({ open }) => {
  it('answers exactly what attributing gives, from the table until the incident, the data or the code change', async () => {
    const store = await open();
    try {
      const kb = await knowledgeBase(bundle.path as string);
      const imported = await importFiles(store, examples, { env: {} });
      const ids = imported.results.map((r) => r.id);
      const cache = new AttributionCache(store, kb);
      const stale = async () => (await cache.staleIncidents(100)).map((s) => s.id).sort();
      expect(await stale()).toEqual([...ids].sort());

      for (const id of ids) {
        const incident = await getIncident(store.db, id, { raw: false });
        if (!incident) throw new Error(id);
        const fresh = attributeIncident(incident, kb, 3);
        expect(await cache.actorsFor(incident)).toEqual(fresh);
        expect(await cache.actorsFor(incident)).toEqual(fresh);
        // The incident read with its raw JSON attributes the same (attribution never reads raw).
        expect(attributeIncident((await getIncident(store.db, id)) as typeof incident, kb, 3)).toEqual(fresh);
      }
      expect(await stale()).toEqual([]);

      // Read back, not computed: a doctored row is what comes back while the incident is unchanged.
      const [first] = ids as [string];
      await sql`update incident_attribution set actors = ${JSON.stringify({ statement: 'doctored' })} where incident_id = ${first}`.execute(store.db);
      const incident = (await getIncident(store.db, first, { raw: false })) as NonNullable<Awaited<ReturnType<typeof getIncident>>>;
      expect(await cache.actorsFor(incident)).toEqual({ statement: 'doctored' });

      // Another model (new ATT&CK data or attribution code): computed again, and stored.
      await sql`update incident_attribution set model = ${'enterprise-attack@17.1/2.1#older'} where incident_id = ${first}`.execute(store.db);
      expect(await stale()).toEqual([first]);
      expect((await cache.actorsFor(incident)).statement).not.toBe('doctored');
      expect(await stale()).toEqual([]);

      // The incident changes (a re-import with other techniques): computed again for the new content.
      await sql`update incident_attribution set actors = ${JSON.stringify({ statement: 'doctored' })} where incident_id = ${first}`.execute(store.db);
      const parsed = await parseFile(examples[0] as string, 'auto');
      const original = parsed.incidents[0];
      if (!original) throw new Error('no incident');
      const changed = { ...original, updatedAt: '2030-01-01T00:00:00.000Z', alerts: original.alerts.map((a) => ({ ...a, techniques: ['T1566.001'] })) };
      await store.importIncidents([changed]);
      expect(await stale()).toEqual([first]);
      const reread = (await getIncident(store.db, first, { raw: false })) as typeof incident;
      const after = await cache.actorsFor(reread);
      expect(after).toEqual(attributeIncident(reread, kb, 3));
      expect(after.statement).not.toBe('doctored');
      expect(after.observedTechniques).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('the warmer stores every incident, only while the server is idle', async () => {
    const store = await open();
    try {
      const kb = await knowledgeBase(bundle.path as string);
      await importFiles(store, examples, { env: {} });
      const cache = new AttributionCache(store, kb);
      let busy = true;
      const warmer = new AttributionWarmer(cache, (id) => getIncident(store.db, id, { raw: false }), () => busy);
      warmer.run();
      await new Promise((r) => setTimeout(r, 150));
      expect((await cache.staleIncidents(100)).length).toBe(3);
      busy = false;
      for (let i = 0; i < 100 && (await cache.staleIncidents(100)).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await cache.staleIncidents(100)).toEqual([]);
      await warmer.stop();
    } finally {
      await store.close();
    }
  });
});

describe.runIf(run)('the detail route with stored attribution', () => {
  it('answers the same review as one built from scratch, before and after the attribution is stored', async () => {
    const h = await startHarness(await openStore({ db: ':memory:' }), bundle.path as string);
    try {
      const auth = { authorization: `Bearer ${h.tokens.viewer}` };
      const first = (await h.app.inject({ url: `/api/incidents/${h.incidentId}`, headers: auth })).json() as { report: { actors: unknown } };
      const incident = await getIncident(h.store.db, h.incidentId, { raw: false });
      if (!incident) throw new Error('no incident');
      expect(first.report.actors).toEqual(attributeIncident(incident, await knowledgeBase(bundle.path as string), 3));
      const rows = await sql<{ n: number }>`select count(*) as n from incident_attribution where incident_id = ${h.incidentId}`.execute(h.store.db);
      expect(Number(rows.rows[0]?.n)).toBe(1);
      // A finding makes the cached review stale; the new one reads the stored attribution.
      await h.app.inject({ method: 'POST', url: `/api/incidents/${h.incidentId}/findings`, headers: { authorization: `Bearer ${h.tokens.analyst}` }, payload: { category: 'process-flaw', title: 'x' } });
      const second = (await h.app.inject({ url: `/api/incidents/${h.incidentId}`, headers: auth })).json() as { report: { actors: unknown; findings: unknown[] } };
      expect(second.report.findings).toHaveLength(1);
      expect(second.report.actors).toEqual(first.report.actors);
    } finally {
      await h.app.close();
      await h.store.close();
    }
  });
});
