import { afterAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/store/audit/list.js';
import { verifyAuditChain } from '../../src/store/audit/verify.js';
import { readKeyring } from '../../src/store/audit/keyring.js';
import { ROLES, roleAllows, type Role } from '../../src/model/roles.js';
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

  it('searches titles and descriptions through the full-text index: word beginnings, all words, any case, ids', async () => {
    const search = async (q: string) => {
      const res = await h.app.inject({ url: `/api/incidents?q=${encodeURIComponent(q)}`, headers: bearer('viewer') });
      expect(res.statusCode, `${q}: ${res.body}`).toBe(200);
      return (res.json() as { incidents: { id: string }[] }).incidents.map((i) => i.id);
    };
    const ransomware = h.incidentId;
    expect(await search('ransom')).toEqual([ransomware]); // the beginning of a word of the title
    expect(await search('BLACKFAB')).toEqual([ransomware]);
    expect(await search('psexec lateral')).toEqual([ransomware]); // words of the description, any order
    expect(await search('PsExec, lateral!')).toEqual([ransomware]);
    expect(await search('somware')).toEqual([]); // inside a word: no
    expect(await search('ransomware zebra')).toEqual([]); // every word must be there
    expect(await search(`'"); drop table incidents; --`)).toEqual([]);
    expect(await search('*')).toEqual([]);
    expect(await search(ransomware)).toEqual([ransomware]);
    const detail = (await h.app.inject({ url: `/api/incidents/${ransomware}`, headers: bearer('viewer') })).json() as { report: { incident: { sourceId: string } } };
    expect(await search(detail.report.incident.sourceId)).toEqual([ransomware]);

    // The index follows the incidents: a re-import with a new title finds the new words, not the old.
    const { parseFile } = await import('../../src/ingest/index.js');
    const { join } = await import('node:path');
    const { projectRoot } = await import('../helpers/env.js');
    const parsed = await parseFile(join(projectRoot, 'examples', 'ransomware.json'), 'auto');
    const original = parsed.incidents[0];
    if (!original) throw new Error('no incident in the example');
    await h.store.importIncidents([{ ...original, title: 'Encryption of the finance share by Quokkalocker', updatedAt: '2030-01-01T00:00:00.000Z' }]);
    expect(await search('quokka finance')).toEqual([ransomware]);
    expect(await search('blackfabric')).toEqual([]);
    expect(await search('psexec')).toEqual([ransomware]); // the description did not change
    await h.store.importIncidents([{ ...original, updatedAt: '2030-01-02T00:00:00.000Z' }]);
    expect(await search('blackfabric')).toEqual([ransomware]);
    expect(await search('quokka')).toEqual([]);
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

    const a = await h.app.inject({ method: 'POST', url: `/api/incidents/${id}/action-items`, headers: bearer('analyst'), payload: { type: 'fix', title: 'Turn on EDR block mode', findingId: finding.id, owner: 'alice@example.org', dueDate: '2020-01-31' } });
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

    const entries = await listAuditEntries(h.store.db, { limit: 20 });
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['finding.add', 'finding.edit', 'action-item.add', 'review.submit', 'review.approve']));
    expect(entries.find((e) => e.action === 'review.approve')).toMatchObject({ actor: 'reviewer', before: { state: 'in-review' }, after: { state: 'approved' } });
    expect((await verifyAuditChain(h.store.db, readKeyring(h.store.auditKeyFile))).ok).toBe(true);
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
    const entry = (await listAuditEntries(h.store.db, { entityType: 'import' }))[0];
    expect(entry).toMatchObject({ actor: 'analyst', action: 'incident.import', after: { files: ['identity-attack.json'] } });

    // The SOC sources upload too: the format told per record or named, alerts grouped as asked,
    // techniques newer than the loaded ATT&CK reported, warnings naming the uploaded file.
    const wazuh = readFileSync(join(projectRoot, 'examples', 'wazuh-ssh-intrusion.json'));
    const twice = multipart([{ name: 'wazuh.json', content: wazuh }, { name: 'again.json', content: wazuh }]);
    const titled = await h.app.inject({ method: 'POST', url: '/api/incidents/import?format=wazuh&incidentTitle=SSH%20intrusion', headers: { ...bearer('analyst'), ...twice.headers }, payload: twice.payload });
    expect(titled.statusCode, titled.body).toBe(200);
    const answer = titled.json() as { summary: { incidents: number; created: number }; files: { file: string; format: string; formats: string[] }[]; techniques: { seen: number }; warnings: string[] };
    expect(answer.summary).toMatchObject({ incidents: 1, created: 1 });
    expect(answer.files.map((f) => [f.file, f.format, f.formats])).toEqual([['wazuh.json', 'wazuh', ['wazuh']], ['again.json', 'wazuh', ['wazuh']]]);
    expect(answer.techniques.seen).toBeGreaterThan(0);
    expect(titled.body).not.toContain('hindsight-upload-');
    const badWindow = await h.app.inject({ method: 'POST', url: '/api/incidents/import?window=forever', headers: { ...bearer('analyst'), ...twice.headers }, payload: twice.payload });
    expect(badWindow.statusCode).toBe(400);
    expect(badWindow.json()).toMatchObject({ error: { message: expect.stringMatching(/--window must be a duration/) } });
  });

  it('issues API tokens shown once, refuses revoked ones, and serves the OpenAPI document', async () => {
    const created = await h.app.inject({ method: 'POST', url: '/api/tokens', headers: bearer('viewer'), payload: { name: 'dashboard' } });
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

  it('a restricted incident does not exist for anyone not named on it, admins included, on every route', async () => {
    const { join } = await import('node:path');
    const { projectRoot } = await import('../helpers/env.js');
    const h = await startHarness(await openStore({ db: ':memory:' }), bundle.path as string, { rules: [join(projectRoot, 'test', 'fixtures', 'rules', 'sigma')] });
    try {
      const as = (who: Role) => ({ authorization: `Bearer ${h.tokens[who]}` });
      const id = h.incidentId;
      const incident = (await h.app.inject({ url: `/api/incidents/${id}`, headers: as('viewer') })).json() as { report: { incident: { title: string; sourceId: string } } };
      const { title, sourceId } = incident.report.incident;
      const finding = (await h.app.inject({ method: 'POST', url: `/api/incidents/${id}/findings`, headers: as('analyst'), payload: { category: 'technical-lapse', title: 'Backups reachable from the domain' } })).json() as { id: string };
      const action = (await h.app.inject({ method: 'POST', url: `/api/incidents/${id}/action-items`, headers: as('analyst'), payload: { type: 'fix', title: 'Isolate the backups', findingId: finding.id } })).json() as { id: string };
      const observedBefore = (await h.app.inject({ url: '/api/layers/observed', headers: as('admin') })).json() as { techniques: { score?: number }[] };

      const { confirmTechniques } = await import('../../src/store/coverage/confirmed-techniques.js');
      await confirmTechniques(h.store.db, id, ['T1486'], { confirmedBy: 'analyst' });
      const coverageBefore = (await h.app.inject({ url: '/api/layers/coverage', headers: as('admin') })).body;
      expect(coverageBefore).toContain('"available":true');

      const put = await h.app.inject({ method: 'PUT', url: `/api/incidents/${sourceId}/access`, headers: as('admin'), payload: { users: ['analyst'] } });
      expect(put.json()).toEqual({ incident: id, restrictedTo: ['analyst'] });

      // Every route that names the incident, its finding or its action item answers everyone not
      // named exactly as it answers for an incident, finding or action item that does not exist (a
      // GET: 404), with any valid or invalid body; the one named gets past that.
      const params: Record<string, string> = { key: 'summary', questionId: 'what-happened', eventId: 'evt_none' };
      // Deletes last: the routes after them still need the finding and the action item.
      const named = h.app.routeTable.filter((r) => /^\/api\/(incidents|findings|action-items)\/:/.test(r.url)).sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
      expect(named.length).toBeGreaterThan(25);
      const validBody: Record<string, unknown> = {
        sections: { body: 'x' },
        answers: { answer: 'x' },
        findings: { category: 'technical-lapse', title: 'x' },
        'action-items': { type: 'fix', title: 'x' },
        timeline: { at: '2026-01-01T00:00:00Z', title: 'x' },
        status: { status: 'in-progress' },
        approve: { sufficiency: 'sufficient' },
        annotation: { note: 'x' },
      };
      const matrix: string[] = [];
      for (const route of named) {
        const kind = route.url.startsWith('/api/findings') ? 'finding' : route.url.startsWith('/api/action-items') ? 'action' : 'incident';
        const ref = kind === 'finding' ? finding.id : kind === 'action' ? action.id : id;
        const missing = kind === 'finding' ? 'fnd_000000000000' : kind === 'action' ? 'act_000000000000' : 'inc_000000000000';
        const urlFor = (r: string) => route.url.replace(/:(\w+)/g, (_m, name: string) => (name === 'id' ? r : (params[name] ?? 'x')));
        const last = route.url.split('/').filter((p) => !p.startsWith(':')).pop() ?? '';
        const empty: Record<string, unknown> = {};
        const bodies: (Record<string, unknown> | undefined)[] = route.method === 'GET' || route.method === 'DELETE' ? [undefined] : [empty, (validBody[last] as Record<string, unknown> | undefined) ?? empty];
        const cells: string[] = [];
        for (const who of ROLES) {
          for (const payload of bodies) {
            const send = (r: string) => h.app.inject({ method: route.method as 'GET', url: urlFor(r), headers: as(who), ...(payload ? { payload } : {}) });
            const res = await send(ref);
            const label = `${route.method} ${urlFor(ref)} ${JSON.stringify(payload ?? '')} as ${who}: ${res.statusCode} ${res.body.slice(0, 200)}`;
            if (payload === bodies[bodies.length - 1]) cells.push(`${who}=${res.statusCode}`);
            if (route.access !== 'public' && !roleAllows(who, route.access)) expect(res.statusCode, label).toBe(403);
            else if (route.url === '/api/incidents/:id/access') expect(res.statusCode, label).toBe(route.method === 'GET' || payload === undefined ? 200 : 400);
            else if (who === 'analyst') expect(res.body, label).not.toMatch(/"no (incident|finding|action item) \\"/);
            else {
              const absent = await send(missing);
              expect([res.statusCode, res.body.split(ref).join('REF')], label).toEqual([absent.statusCode, absent.body.split(missing).join('REF')]);
              if (route.method === 'GET' || payload === validBody[last]) expect(res.statusCode, label).toBe(404);
            }
          }
        }
        matrix.push(`${route.method.padEnd(6)} ${route.url.padEnd(48)} ${cells.join(' ')}`);
      }
      console.log(`restricted incident, named routes (${named.length}), restricted to analyst:\n${matrix.join('\n')}`);

      // Routes over many incidents: the incident, its finding and its action item appear nowhere.
      const secrets = [id, title, finding.id, action.id];
      const lists = ['/api/incidents', `/api/incidents?q=${encodeURIComponent(title)}`, `/api/incidents?q=${id}`, `/api/incidents?q=${sourceId}`, '/api/action-items', '/api/layers/observed', '/api/layers/coverage'];
      for (const who of ['viewer', 'reviewer', 'admin'] as const) {
        for (const url of lists) {
          const res = await h.app.inject({ url, headers: as(who) });
          for (const secret of secrets) expect(res.body.includes(secret), `${url} as ${who} shows ${secret}`).toBe(false);
        }
        const byIncident = await h.app.inject({ url: `/api/action-items?incident=${id}`, headers: as(who) });
        expect([byIncident.statusCode, byIncident.json()]).toEqual([404, { error: { code: 'not-found', message: `no incident "${id}"` } }]);
        const search = (await h.app.inject({ url: `/api/incidents?q=${sourceId}`, headers: as(who) })).json() as { total: number };
        expect(search.total, who).toBe(0);
      }
      const analystSearch = (await h.app.inject({ url: `/api/incidents?q=${sourceId}`, headers: as('analyst') })).json() as { total: number };
      expect(analystSearch.total).toBe(1);
      const observedAfter = (await h.app.inject({ url: '/api/layers/observed', headers: as('admin') })).json() as { techniques: { score?: number }[] };
      const sum = (l: { techniques: { score?: number }[] }) => l.techniques.reduce((a, t) => a + (t.score ?? 0), 0);
      expect(sum(observedAfter)).toBeLessThan(sum(observedBefore));
      expect(sum((await h.app.inject({ url: '/api/layers/observed', headers: as('analyst') })).json() as typeof observedAfter)).toBe(sum(observedBefore));

      // Coverage counts the incident's alerts and confirmations only for the one named on it.
      const coverageAdmin = (await h.app.inject({ url: '/api/layers/coverage', headers: as('admin') })).body;
      expect(coverageAdmin).not.toBe(coverageBefore);
      expect((await h.app.inject({ url: '/api/layers/coverage', headers: as('viewer') })).body).toBe(coverageAdmin);
      expect((await h.app.inject({ url: '/api/layers/coverage', headers: as('analyst') })).body).toBe(coverageBefore);

      // The audit trail an admin not named reads keeps the restriction itself, and nothing else of the incident.
      const audit = (await h.app.inject({ url: '/api/audit?limit=1000', headers: as('admin') })).json() as { entries: { action: string; before: unknown; after: unknown; entityId: string }[] };
      const mentioning = audit.entries.filter((e) => secrets.some((x) => JSON.stringify(e).includes(x)));
      expect(mentioning.map((e) => e.action)).toEqual(['incident.restrict']);
      expect(audit.entries.some((e) => e.action === 'user.add')).toBe(true);

      // An upload may not change it (nor tell more about it).
      const { readFileSync } = await import('node:fs');
      const boundary = '----hindsight-restricted';
      const payload = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="ransomware.json"\r\nContent-Type: application/json\r\n\r\n`), readFileSync(join(projectRoot, 'examples', 'ransomware.json')), Buffer.from(`\r\n--${boundary}--\r\n`)]);
      const upload = await h.app.inject({ method: 'POST', url: '/api/incidents/import', headers: { ...as('reviewer'), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
      expect(upload.statusCode).toBe(403);
      expect(upload.json()).toMatchObject({ error: { code: 'forbidden' } });

      // Once an admin is named, the admin sees it; lifting the restriction shows it to everyone.
      await h.app.inject({ method: 'PUT', url: `/api/incidents/${id}/access`, headers: as('admin'), payload: { users: ['analyst', 'admin'] } });
      expect((await h.app.inject({ url: `/api/incidents/${id}`, headers: as('admin') })).statusCode).toBe(200);
      expect((await h.app.inject({ url: `/api/incidents/${id}`, headers: as('reviewer') })).statusCode).toBe(404);
      await h.app.inject({ method: 'PUT', url: `/api/incidents/${id}/access`, headers: as('admin'), payload: { users: [] } });
      expect((await h.app.inject({ url: `/api/incidents/${id}`, headers: as('reviewer') })).statusCode).toBe(200);
    } finally {
      await h.app.close();
      await h.store.close();
    }
  });

  it('documents the response of every route: a schema for its success status, and the shared error body for each error it can answer', async () => {
    const h = await startHarness(await openStore({ db: ':memory:' }), bundle.path as string);
    try {
      type Content = Record<string, { schema?: unknown }>;
      type Operation = { responses?: Record<string, { content?: Content }>; parameters?: unknown[]; requestBody?: unknown };
      const doc = (await h.app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
      const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })));
      const apiRoutes = h.app.routeTable.filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs') && r.url !== '/api/openapi.json');
      expect(documented.map((d) => d.route).sort()).toEqual(apiRoutes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`).sort());
      const problems: string[] = [];
      for (const { route, operation } of documented) {
        const responses = operation.responses ?? {};
        // A redirect (single sign-on) is the success of its route.
        const success = Object.keys(responses).filter((status) => /^[23]\d\d$/.test(status));
        if (success.length === 0) problems.push(`${route}: no success status`);
        for (const status of success) {
          const schemas = Object.values(responses[status]?.content ?? {}).map((c) => c.schema);
          if (schemas.length === 0 || schemas.some((schema) => schema === undefined)) problems.push(`${route}: no response schema for ${status}`);
        }
        const errors = Object.keys(responses).filter((status) => /^[45]\d\d$/.test(status));
        for (const status of errors) {
          if (responses[status]?.content?.['application/json']?.schema === undefined) problems.push(`${route}: ${status} without the error body`);
          else expect(responses[status]?.content?.['application/json']?.schema, `${route} ${status}`).toEqual({ $ref: '#/components/schemas/ErrorBody' });
        }
        const access = apiRoutes.find((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}` === route)?.access;
        if (access !== 'public' && !errors.includes('401')) problems.push(`${route}: 401 not documented`);
        if (access !== 'public' && access !== 'viewer' && !errors.includes('403')) problems.push(`${route}: 403 not documented`);
        if ((operation.parameters?.length || operation.requestBody) && !errors.includes('400')) problems.push(`${route}: 400 not documented`);
      }
      expect(problems).toEqual([]);
      // The shapes the web client is generated from are named once.
      expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['ReviewReport', 'Finding', 'ActionItem', 'ReviewRecord', 'IncidentListRow', 'NavigatorLayer', 'IncidentActors', 'ReviewLifecycle', 'ErrorBody', 'User']));
    } finally {
      await h.app.close();
      await h.store.close();
    }
  });

  it('serves the review state machine the server enforces: transitions with their from-states, target and least role', async () => {
    const h = await startHarness(await openStore({ db: ':memory:' }), bundle.path as string);
    try {
      const res = await h.app.inject({ url: '/api/review/lifecycle', headers: { authorization: `Bearer ${h.tokens.viewer}` } });
      expect(res.statusCode).toBe(200);
      const lifecycle = res.json() as {
        states: string[];
        roles: string[];
        transitions: { name: string; from: string[]; to: string | null; role: Role }[];
        actionItems: { statuses: string[]; moves: { from: string; to: string[] }[] };
        findings: { categories: { id: string; title: string }[]; severities: string[] };
      };
      expect(lifecycle.states).toEqual(['not-required', 'required', 'draft', 'in-review', 'approved', 'waived']);
      expect(lifecycle.roles).toEqual([...ROLES]);
      expect(lifecycle.transitions.find((t) => t.name === 'approve')).toEqual({ name: 'approve', from: ['in-review'], to: 'approved', role: 'reviewer' });
      expect(lifecycle.actionItems.moves.find((m) => m.from === 'verified')).toEqual({ from: 'verified', to: [] });
      expect(lifecycle.findings.categories.map((c) => c.id)).toContain('technical-lapse');
      // Each transition's route requires exactly the role the lifecycle names.
      for (const t of lifecycle.transitions) expect(h.app.routeTable.find((r) => r.url === `/api/incidents/:id/review/${t.name}`)?.access, t.name).toBe(t.role);
      // And the state machine is the one the routes enforce: from a required review, start is allowed and submit is not.
      const id = h.incidentId;
      const review = (await h.app.inject({ url: `/api/incidents/${id}`, headers: { authorization: `Bearer ${h.tokens.viewer}` } })).json() as { review: { state: string } };
      const allowed = (name: string) => lifecycle.transitions.find((t) => t.name === name)?.from.includes(review.review.state);
      for (const name of ['submit', 'start']) {
        const moved = await h.app.inject({ method: 'POST', url: `/api/incidents/${id}/review/${name}`, headers: { authorization: `Bearer ${h.tokens.analyst}` }, payload: {} });
        expect(moved.statusCode, `${name} from ${review.review.state}`).toBe(allowed(name) ? 200 : 409);
      }
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
