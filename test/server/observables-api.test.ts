import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/model/roles.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { attackBundle, pgAvailable, projectRoot, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { startHarness, type Harness } from './harness.js';

const bundle = attackBundle();
const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL API tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_obs_api');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}

function multipart(files: { name: string; content: string }[]) {
  const boundary = '----hindsight-intel-boundary';
  const parts = files.map((f) => Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: application/json\r\n\r\n`), Buffer.from(f.content), Buffer.from('\r\n')]));
  return { payload: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

interface ObservableBody {
  id: string;
  type: string;
  value: string;
  ioc: boolean;
  tlp: string;
  tags: string[];
  incidentCount: number;
  sightings: { incidentId: string }[];
}

describe.runIf(requireOrSkip('API tests (ATT&CK 18.1 bundle)', Boolean(bundle.path), bundle.reason)).each(targets)('observables and intel API on $name', ({ open }) => {
  let h: Harness;
  const as = (role: Role) => ({ authorization: `Bearer ${h.tokens[role]}` });
  afterAll(() => h?.app.close());

  it("lists an incident's observables and finds incidents by an observable value", async () => {
    h = await startHarness(await open(), bundle.path as string);
    const res = await h.app.inject({ url: `/api/incidents/${h.incidentId}/observables`, headers: as('viewer') });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { incidentId: string; tlp: string; observables: ObservableBody[] };
    expect(body.tlp).toBe('AMBER');
    expect(body.observables.map((o) => `${o.type} ${o.value}`)).toContain('ipv4 203.0.113.66');
    const found = (await h.app.inject({ url: '/api/incidents?observable=203.0.113.66', headers: as('viewer') })).json() as { total: number; incidents: { id: string }[] };
    expect(found.incidents.map((i) => i.id)).toEqual([h.incidentId]);
    const byQ = (await h.app.inject({ url: '/api/incidents?q=203.0.113.66', headers: as('viewer') })).json() as { incidents: { id: string }[] };
    expect(byQ.incidents.map((i) => i.id)).toContain(h.incidentId);
    const list = (await h.app.inject({ url: '/api/observables?value=203.0.113.66', headers: as('viewer') })).json() as { total: number; observables: ObservableBody[] };
    expect(list.total).toBe(1);
    expect(list.observables[0]?.sightings.every((s) => s.incidentId === h.incidentId)).toBe(true);
    const none = (await h.app.inject({ url: `/api/observables?value=${encodeURIComponent('no such thing')}`, headers: as('viewer') })).json() as { total: number };
    expect(none.total).toBe(0);
    const part = (await h.app.inject({ url: '/api/observables?contains=113.6', headers: as('viewer') })).json() as { observables: ObservableBody[] };
    expect(part.observables.map((o) => o.value)).toContain('203.0.113.66');
    // % and _ are themselves in a part of a value, not wildcards.
    const literal = (await h.app.inject({ url: `/api/observables?contains=${encodeURIComponent('%_')}`, headers: as('viewer') })).json() as { total: number };
    expect(literal.total).toBe(0);
  });

  it('adds and marks observables (analysts), refusing viewers and bad input', async () => {
    const add = (role: Role, payload: unknown) => h.app.inject({ method: 'POST', url: `/api/incidents/${h.otherIncidentId}/observables`, headers: as(role), payload: payload as Record<string, unknown> });
    expect((await add('viewer', { type: 'ipv4', value: '203.0.113.66' })).statusCode).toBe(403);
    const bad = await add('analyst', { type: 'ipv4', value: '203.0.113.666' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'invalid-input', message: expect.stringMatching(/not an IPv4 address/) } });
    expect((await add('analyst', { type: 'nonsense', value: 'x' })).statusCode).toBe(400);
    const added = await add('analyst', { type: 'ipv4', value: '203.0.113.66', ioc: true, tags: ['c2'] });
    expect(added.statusCode).toBe(200);
    const observable = added.json() as ObservableBody;
    expect(observable).toMatchObject({ value: '203.0.113.66', ioc: true, tags: ['c2'], incidentCount: 2 });
    const patched = await h.app.inject({ method: 'PATCH', url: `/api/observables/${observable.id}`, headers: as('analyst'), payload: { addTags: ['cobalt-strike'], tlp: 'RED' } });
    expect(patched.json()).toMatchObject({ tags: ['c2', 'cobalt-strike'], tlp: 'RED', tlpSet: true });
    const iocs = (await h.app.inject({ url: '/api/observables?ioc=true', headers: as('viewer') })).json() as { observables: ObservableBody[] };
    expect(iocs.observables.map((o) => o.value)).toEqual(['203.0.113.66']);
    const tlp = await h.app.inject({ method: 'PUT', url: `/api/incidents/${h.incidentId}/tlp`, headers: as('analyst'), payload: { tlp: 'AMBER+STRICT' } });
    expect(tlp.json()).toEqual({ incidentId: h.incidentId, tlp: 'AMBER+STRICT' });
    expect((await h.app.inject({ method: 'PUT', url: `/api/incidents/${h.incidentId}/tlp`, headers: as('analyst'), payload: { tlp: 'PURPLE' } })).statusCode).toBe(400);
  });

  it('answers a restricted incident like an unknown one, and hides its sightings', async () => {
    await h.app.inject({ method: 'PUT', url: `/api/incidents/${h.otherIncidentId}/access`, headers: as('admin'), payload: { users: ['admin'] } });
    const hidden = await h.app.inject({ url: `/api/incidents/${h.otherIncidentId}/observables`, headers: as('viewer') });
    const unknown = await h.app.inject({ url: '/api/incidents/inc_000000000000/observables', headers: as('viewer') });
    expect(hidden.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    expect(hidden.json()).toEqual({ error: { ...(unknown.json() as { error: object }).error, message: expect.any(String) } });
    const ip = (await h.app.inject({ url: '/api/observables?value=203.0.113.66', headers: as('viewer') })).json() as { observables: ObservableBody[] };
    expect(ip.observables[0]?.incidentCount).toBe(1);
    expect((await h.app.inject({ url: `/api/observables?incident=${h.otherIncidentId}`, headers: as('viewer') })).statusCode).toBe(404);
    await h.app.inject({ method: 'PUT', url: `/api/incidents/${h.otherIncidentId}/access`, headers: as('admin'), payload: { users: [] } });
  });

  it('imports intelligence by upload and reports sightings', async () => {
    const files = ['partner-bundle.json', 'partner-misp.json'].map((name) => ({ name, content: readFileSync(join(projectRoot, 'test', 'fixtures', 'intel', name), 'utf8') }));
    const upload = multipart(files);
    expect((await h.app.inject({ method: 'POST', url: '/api/intel/import', headers: { ...as('viewer'), ...upload.headers }, payload: upload.payload })).statusCode).toBe(403);
    const res = await h.app.inject({ method: 'POST', url: '/api/intel/import', headers: { ...as('analyst'), ...upload.headers }, payload: upload.payload });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { indicators: number; sightings: { indicator: { name: string }; incidents: string[] }[]; unevaluable: unknown[] };
    expect(body.indicators).toBe(11);
    expect(body.sightings.find((s) => s.indicator.name === 'Cobalt Strike team server')?.incidents).toContain(h.incidentId);
    expect(body.unevaluable).toHaveLength(4);
    const bad = multipart([{ name: 'broken.json', content: '{"type": "bundle", "objects": [{"type": "indicator", "id": "indicator--a932fcc6-e032-476c-826f-cb970a5a1ade"}]}' }]);
    const refused = await h.app.inject({ method: 'POST', url: '/api/intel/import', headers: { ...as('analyst'), ...bad.headers }, payload: bad.payload });
    expect(refused.statusCode).toBe(400);
    expect((refused.json() as { error: { message: string } }).error.message).toMatch(/broken\.json: \$\.objects\[0\]\.pattern/);
    const sightings = (await h.app.inject({ url: '/api/intel/sightings', headers: as('viewer') })).json() as { sightings: unknown[] };
    expect(sightings.sightings.length).toBe(body.sightings.length);
    const indicators = (await h.app.inject({ url: '/api/intel/indicators?evaluation=unevaluable', headers: as('viewer') })).json() as { total: number };
    expect(indicators.total).toBe(4);
  });
});
