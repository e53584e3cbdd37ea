import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditChain, listAudit } from '../../src/auth/audit.js';
import { ROLES, roleAllows, type Role } from '../../src/auth/roles.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { attackBundle, pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { login, startHarness, type Harness } from './harness.js';

const bundle = attackBundle();
const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL API tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_api');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}

const run = requireOrSkip('API tests (ATT&CK 18.1 bundle)', Boolean(bundle.path), bundle.reason);

describe.runIf(run).each(targets)('team server API on $name', ({ open }) => {
  let h: Harness;
  const bearer = (role: Role) => ({ authorization: `Bearer ${h.tokens[role]}` });

  it('lists, filters and searches incidents, and returns the full review', async () => {
    h = await startHarness(await open(), bundle.path as string);
    const all = await h.app.inject({ url: '/api/incidents', headers: bearer('viewer') });
    expect(all.statusCode).toBe(200);
    const body = all.json() as { total: number; incidents: { id: string; title: string; severity: string; reviewState: string; alertCount: number }[] };
    expect(body.total).toBe(2);
    expect(body.incidents.every((i) => i.alertCount > 0)).toBe(true);
    const ransomware = body.incidents.find((i) => i.id === h.incidentId);
    expect(ransomware).toBeDefined();

    const word = (ransomware?.title ?? '').split(/\s+/).find((w) => w.length > 4) ?? '';
    const searched = (await h.app.inject({ url: `/api/incidents?q=${encodeURIComponent(word.toUpperCase())}`, headers: bearer('viewer') })).json() as typeof body;
    expect(searched.incidents.map((i) => i.id)).toContain(h.incidentId);
    const bySeverity = (await h.app.inject({ url: `/api/incidents?severity=${ransomware?.severity}`, headers: bearer('viewer') })).json() as typeof body;
    expect(bySeverity.incidents.every((i) => i.severity === ransomware?.severity)).toBe(true);
    const byState = (await h.app.inject({ url: `/api/incidents?reviewState=approved`, headers: bearer('viewer') })).json() as typeof body;
    expect(byState.total).toBe(0);
    const required = (await h.app.inject({ url: `/api/incidents?reviewState=required,draft`, headers: bearer('viewer') })).json() as typeof body;
    expect(required.incidents.map((i) => i.reviewState)).toEqual(body.incidents.filter((i) => ['required', 'draft'].includes(i.reviewState)).map((i) => i.reviewState));
    expect(required.total).toBeGreaterThan(0);
    const future = (await h.app.inject({ url: `/api/incidents?from=2099-01-01`, headers: bearer('viewer') })).json() as typeof body;
    expect(future.total).toBe(0);

    const bad = await h.app.inject({ url: '/api/incidents?limit=0', headers: bearer('viewer') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'invalid-input', message: expect.stringMatching(/limit/) } });

    const detail = await h.app.inject({ url: `/api/incidents/${h.incidentId}`, headers: bearer('viewer') });
    expect(detail.statusCode).toBe(200);
    const d = detail.json() as { report: { incident: { id: string }; timeline: unknown[]; techniques: unknown; questions: unknown[]; completeness: { score: number } } };
    expect(d.report.incident.id).toBe(h.incidentId);
    expect(d.report.timeline.length).toBeGreaterThan(0);
    expect(d.report.questions.length).toBe(10);

    const md = await h.app.inject({ url: `/api/incidents/${h.incidentId}/report?format=md`, headers: bearer('viewer') });
    expect(md.statusCode).toBe(200);
    expect(md.headers['content-type']).toMatch(/markdown/);
    expect(md.headers['content-disposition']).toMatch(/attachment; filename="review-inc_/);
    const layer = (await h.app.inject({ url: `/api/incidents/${h.incidentId}/layer`, headers: bearer('viewer') })).json() as { domain: string; techniques: unknown[] };
    expect(layer.domain).toBe('enterprise-attack');
    expect(layer.techniques.length).toBeGreaterThan(0);
    const attribution = await h.app.inject({ url: `/api/incidents/${h.incidentId}/attribution`, headers: bearer('viewer') });
    expect(attribution.statusCode).toBe(200);
    expect(attribution.json()).toHaveProperty('statement');
    const matrix = (await h.app.inject({ url: '/api/attack/matrix', headers: bearer('viewer') })).json() as { tactics: { shortname: string; techniques: unknown[] }[] };
    expect(matrix.tactics.length).toBeGreaterThanOrEqual(14);
    expect(matrix.tactics[0]?.shortname).toBe('reconnaissance');
    const coverage = (await h.app.inject({ url: '/api/layers/coverage', headers: bearer('viewer') })).json() as { available: boolean; reason: string };
    expect(coverage).toMatchObject({ available: false, reason: expect.stringMatching(/--rules/) });
    const missing = await h.app.inject({ url: '/api/incidents/inc_doesnotexist', headers: bearer('viewer') });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'not-found', message: 'no incident "inc_doesnotexist"' } });
  });

  it('writes findings and action items, refuses a stale write with who and when, approves as a reviewer, and audits it all', async () => {
    const id = h.incidentId;
    const f = await h.app.inject({ method: 'POST', url: `/api/incidents/${id}/findings`, headers: bearer('analyst'), payload: { category: 'technical-lapse', title: 'EDR was in audit mode on the file server' } });
    expect(f.statusCode).toBe(200);
    const finding = f.json() as { id: string; version: number };
    const first = await h.app.inject({ method: 'PATCH', url: `/api/findings/${finding.id}`, headers: bearer('analyst'), payload: { title: 'EDR in audit mode', expectedVersion: finding.version } });
    expect(first.statusCode).toBe(200);
    const stale = await h.app.inject({ method: 'PATCH', url: `/api/findings/${finding.id}`, headers: bearer('reviewer'), payload: { title: 'Other title', expectedVersion: finding.version } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ error: { code: 'conflict', message: expect.stringMatching(/changed by analyst at .* since version 1/) } });

    const a = await h.app.inject({ method: 'POST', url: `/api/incidents/${id}/action-items`, headers: bearer('analyst'), payload: { type: 'fix', title: 'Turn on EDR block mode', findingId: finding.id, owner: 'alice', dueDate: '2020-01-31' } });
    expect(a.statusCode).toBe(200);
    const items = (await h.app.inject({ url: '/api/action-items?overdue=true', headers: bearer('viewer') })).json() as { actionItems: { id: string; overdue: boolean }[] };
    expect(items.actionItems.map((i) => i.id)).toContain((a.json() as { id: string }).id);
    expect(items.actionItems.every((i) => i.overdue)).toBe(true);

    const invalid = await h.app.inject({ method: 'POST', url: `/api/incidents/${id}/findings`, headers: bearer('analyst'), payload: { category: 'nope', title: '' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ error: { code: 'invalid-input', details: expect.any(Array) } });

    expect((await h.app.inject({ method: 'POST', url: `/api/incidents/${id}/review/submit`, headers: bearer('analyst'), payload: {} })).statusCode).toBe(200);
    const refused = await h.app.inject({ method: 'POST', url: `/api/incidents/${id}/review/approve`, headers: bearer('analyst'), payload: { sufficiency: 'sufficient', overrideIncomplete: 'x' } });
    expect(refused.statusCode).toBe(403);
    const approved = await h.app.inject({ method: 'POST', url: `/api/incidents/${id}/review/approve`, headers: bearer('reviewer'), payload: { sufficiency: 'sufficient', overrideIncomplete: 'approved with open questions for the test' } });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ state: 'approved', approvedBy: 'reviewer' });

    const entries = await listAudit(h.store.db, { limit: 20 });
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['finding.add', 'finding.edit', 'action-item.add', 'review.submit', 'review.approve']));
    expect(entries.find((e) => e.action === 'review.approve')).toMatchObject({ actor: 'reviewer', before: { state: 'in-review' }, after: { state: 'approved' } });
    expect((await verifyAuditChain(h.store.db)).ok).toBe(true);
    const verify = await h.app.inject({ url: '/api/audit/verify', headers: bearer('admin') });
    expect(verify.json()).toMatchObject({ ok: true });
  });

  it('signs in with a cookie (HttpOnly, SameSite=Strict), requires the CSRF header on writes, and signs out', async () => {
    const bad = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'analyst', password: 'wrong-password-123' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ error: { code: 'bad-credentials' } });
    const res = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'analyst', password: 'a-long-test-password' } });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/);
    const { cookie, csrf } = await login(h.app, 'analyst');
    const me = await h.app.inject({ url: '/api/auth/me', headers: { cookie } });
    expect(me.json()).toMatchObject({ user: { username: 'analyst', role: 'analyst' }, csrfToken: csrf });
    const url = `/api/incidents/${h.otherIncidentId}/findings`;
    const payload = { category: 'process-flaw', title: 'Mailbox rules were not reviewed' };
    const noCsrf = await h.app.inject({ method: 'POST', url, headers: { cookie }, payload });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json()).toMatchObject({ error: { code: 'csrf' } });
    expect((await h.app.inject({ method: 'POST', url, headers: { cookie, 'x-csrf-token': 'forged' }, payload })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'POST', url, headers: { cookie, 'x-csrf-token': csrf }, payload })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, 'x-csrf-token': csrf } })).statusCode).toBe(200);
    expect((await h.app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);

    const secure = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'viewer', password: 'a-long-test-password' }, headers: { 'x-forwarded-proto': 'https' } });
    expect(String(secure.headers['set-cookie'])).not.toMatch(/Secure/); // proxy headers are not trusted by default
  });

  it('hides restricted incidents from everyone not named (404), in lists and details', async () => {
    const id = h.otherIncidentId;
    const put = await h.app.inject({ method: 'PUT', url: `/api/incidents/${id}/access`, headers: bearer('admin'), payload: { users: ['analyst'] } });
    expect(put.json()).toMatchObject({ restrictedTo: ['analyst'] });
    for (const path of [`/api/incidents/${id}`, `/api/incidents/${id}/layer`, `/api/incidents/${id}/report?format=json`]) {
      expect((await h.app.inject({ url: path, headers: bearer('reviewer') })).statusCode).toBe(404);
      expect((await h.app.inject({ url: path, headers: bearer('analyst') })).statusCode).toBe(200);
    }
    expect((await h.app.inject({ method: 'POST', url: `/api/incidents/${id}/findings`, headers: bearer('reviewer'), payload: { category: 'process-flaw', title: 'x' } })).statusCode).toBe(404);
    const list = (await h.app.inject({ url: '/api/incidents', headers: bearer('reviewer') })).json() as { total: number; incidents: { id: string }[] };
    expect(list.incidents.map((i) => i.id)).not.toContain(id);
    expect(list.total).toBe(1);
    const items = (await h.app.inject({ url: '/api/action-items', headers: bearer('reviewer') })).json() as { actionItems: { incidentId: string }[] };
    expect(items.actionItems.some((i) => i.incidentId === id)).toBe(false);
    await h.app.inject({ method: 'PUT', url: `/api/incidents/${id}/access`, headers: bearer('admin'), payload: { users: [] } });
    expect((await h.app.inject({ url: `/api/incidents/${id}`, headers: bearer('reviewer') })).statusCode).toBe(200);
  });

  it('imports uploaded files all or nothing, naming the bad file, and audits the import', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { projectRoot } = await import('../helpers/env.js');
    const multipart = (files: { name: string; content: string | Buffer }[]) => {
      const boundary = '----hindsight-test-boundary';
      const parts = files.map((f) => Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: application/json\r\n\r\n`), Buffer.from(f.content), Buffer.from('\r\n')]));
      return { payload: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
    };
    const identity = readFileSync(join(projectRoot, 'examples', 'identity-attack.json'));
    const bad = multipart([{ name: 'identity-attack.json', content: identity }, { name: 'broken.json', content: '{"value": [' }]);
    const refused = await h.app.inject({ method: 'POST', url: '/api/incidents/import', headers: { ...bearer('analyst'), ...bad.headers }, payload: bad.payload });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: { code: 'invalid-input', message: expect.stringMatching(/^broken\.json/) } });
    expect(refused.body).not.toContain('hindsight-upload-');
    const before = (await h.app.inject({ url: '/api/incidents', headers: bearer('viewer') })).json() as { total: number };
    expect(before.total).toBe(2);

    const viewer = multipart([{ name: 'identity-attack.json', content: identity }]);
    expect((await h.app.inject({ method: 'POST', url: '/api/incidents/import', headers: { ...bearer('viewer'), ...viewer.headers }, payload: viewer.payload })).statusCode).toBe(403);
    const ok = await h.app.inject({ method: 'POST', url: '/api/incidents/import', headers: { ...bearer('analyst'), ...viewer.headers }, payload: viewer.payload });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ summary: { created: 1 }, files: [{ file: 'identity-attack.json' }] });
    expect(((await h.app.inject({ url: '/api/incidents', headers: bearer('viewer') })).json() as { total: number }).total).toBe(3);
    const entry = (await listAudit(h.store.db, { entityType: 'import' }))[0];
    expect(entry).toMatchObject({ actor: 'analyst', action: 'incident.import', after: { files: ['identity-attack.json'] } });
  });

  it('issues API tokens shown once, refuses revoked ones, and serves the OpenAPI document', async () => {
    const created = await h.app.inject({ method: 'POST', url: '/api/tokens', headers: bearer('admin'), payload: { username: 'viewer', name: 'dashboard' } });
    expect(created.statusCode, created.body).toBe(201);
    const { token, id } = created.json() as { token: string; id: string };
    expect(token).toMatch(/^hs_[A-Za-z0-9_-]{43}$/);
    expect((await h.app.inject({ url: '/api/incidents', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    const list = (await h.app.inject({ url: '/api/tokens', headers: bearer('admin') })).body;
    expect(list).not.toContain(token);
    await h.app.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers: bearer('admin') });
    expect((await h.app.inject({ url: '/api/incidents', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);

    const doc = (await h.app.inject({ url: '/api/openapi.json' })).json() as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/api/incidents/{id}/findings']?.post?.requestBody?.content['application/json']?.schema.properties).toHaveProperty('category');
    expect(Object.keys(doc.paths).length).toBeGreaterThan(25);
    const docs = await h.app.inject({ url: '/api/docs' });
    expect([200, 302]).toContain(docs.statusCode);
    await h.store.close();
  });
});

describe.runIf(run)('every route, every role', () => {
  it('answers 401 without sign-in, 403 below the declared role, and neither at or above it', async () => {
    const h = await startHarness(await openStore({ db: ':memory:' }), bundle.path as string);
    try {
      const routes = h.app.routeTable.filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs') && r.url !== '/api/openapi.json');
      expect(routes.length).toBeGreaterThan(30);
      const params: Record<string, string> = { id: h.incidentId, key: 'summary', questionId: 'q1', eventId: 'evt_none', username: 'nobody', ref: 'T1059' };
      const matrix: string[] = [];
      for (const route of routes) {
        const url = route.url.replace(/:(\w+)/g, (_m, name: string) => params[name] ?? 'x');
        const callers: (Role | 'anonymous')[] = ['anonymous', ...ROLES];
        const cells: string[] = [];
        for (const who of callers) {
          const headers = who === 'anonymous' ? {} : { authorization: `Bearer ${h.tokens[who]}` };
          const res = await h.app.inject({ method: route.method as 'GET', url, headers, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }) });
          const label = `${route.method} ${route.url} as ${who}: ${res.statusCode}`;
          if (route.access === 'public') expect(res.statusCode, label).not.toBe(401);
          else if (who === 'anonymous') expect(res.statusCode, label).toBe(401);
          else if (!roleAllows(who, route.access)) expect(res.statusCode, label).toBe(403);
          else expect([401, 403], label).not.toContain(res.statusCode);
          cells.push(`${who}=${res.statusCode}`);
        }
        matrix.push(`${route.method.padEnd(6)} ${route.url.padEnd(48)} ${route.access.padEnd(8)} ${cells.join(' ')}`);
      }
      console.log(`route-by-role matrix (${routes.length} routes):\n${matrix.join('\n')}`);
    } finally {
      await h.app.close();
      await h.store.close();
    }
  });

  it('rate-limits sign-in attempts per address and user name (429)', async () => {
    const h = await startHarness(await openStore({ db: ':memory:' }), bundle.path as string, { loginAttemptsPerMinute: 3 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: `guess-number-${i}` } })).statusCode);
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      const limited = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'a-long-test-password' } });
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toMatchObject({ error: { code: 'rate-limited' } });
      // Another user name from the same address is not locked out by the attack on admin.
      expect((await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'viewer', password: 'a-long-test-password' } })).statusCode).toBe(200);
    } finally {
      await h.app.close();
      await h.store.close();
    }
  });
});
