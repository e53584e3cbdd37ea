/**
 * The team server's resource limits and input checks: compressed answers, the built web app's
 * caching and its 404s, uploads streamed to disk within their limits, real calendar dates and
 * known filter values, and an access log that never holds a secret.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { attackBundle, projectRoot, requireOrSkip } from '../helpers/env.js';
import { login, startHarness, type Harness } from './harness.js';

const bundle = attackBundle();
const run = requireOrSkip('the ATT&CK bundle in ../shared/attack', bundle.path !== undefined, bundle.reason);

function multipart(files: { name: string; content: string | Buffer }[]) {
  const boundary = '----hindsight-limits-boundary';
  const parts = files.map((f) => Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: application/json\r\n\r\n`), Buffer.from(f.content), Buffer.from('\r\n')]));
  return { payload: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe.runIf(run)('resource limits and input checks of the team server', () => {
  let dir: string;
  let store: OpenedStore;
  let h: Harness;
  const logFile = () => join(dir, 'access.log');
  const bearer = (role: keyof Harness['tokens']) => ({ authorization: `Bearer ${h.tokens[role]}` });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hindsight-limits-'));
    const web = join(dir, 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>Hindsight</title><script type="module" src="/assets/index-abc123.js"></script>');
    writeFileSync(join(web, 'assets', 'index-abc123.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
    store = await openStore({ db: join(dir, 'hindsight.db'), env: {} });
    h = await startHarness(store, bundle.path as string, {});
    await h.app.close();
    // The same store again, now with a web root, small upload limits and an access log.
    const { buildServer } = await import('../../src/server/app.js');
    const { knowledgeBase } = await import('./harness.js');
    h = { ...h, app: await buildServer({ store, kb: await knowledgeBase(bundle.path as string), env: {}, precomputeAttribution: false, webRoot: web, accessLog: logFile(), upload: { maxFileBytes: 64 * 1024, maxTotalBytes: 96 * 1024 } }) };
  });

  afterAll(async () => {
    await h?.app.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('compresses answers for clients that accept it', async () => {
    const res = await h.app.inject({ url: `/api/incidents/${h.incidentId}`, headers: { ...bearer('viewer'), 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    const body = JSON.parse(gunzipSync(res.rawPayload).toString('utf8')) as { report: { incident: { id: string } } };
    expect(body.report.incident.id).toBe(h.incidentId);
    const plain = await h.app.inject({ url: `/api/incidents/${h.incidentId}`, headers: bearer('viewer') });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(res.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
  });

  it('caches hashed assets for good, revalidates the page, and answers unknown paths with 404', async () => {
    const page = await h.app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    const asset = await h.app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const url of ['/assets/index-missing.js', '/favicon-missing.png', '/incidents/inc_1']) {
      const missing = await h.app.inject({ url });
      expect(missing.statusCode, url).toBe(404);
      expect(missing.headers['content-type'], url).toMatch(/application\/json/);
      expect(missing.body).not.toContain('<title>Hindsight</title>');
    }
  });

  it('streams uploads to disk and refuses a file or a request over its limit, importing nothing', async () => {
    const before = ((await h.app.inject({ url: '/api/incidents', headers: bearer('viewer') })).json() as { total: number }).total;
    const identity = readFileSync(join(projectRoot, 'examples', 'identity-attack.json'));
    const tooBig = multipart([{ name: 'identity-attack.json', content: identity }, { name: 'big.json', content: Buffer.alloc(80 * 1024, 0x20) }]);
    const refused = await h.app.inject({ method: 'POST', url: '/api/incidents/import', headers: { ...bearer('analyst'), ...tooBig.headers }, payload: tooBig.payload });
    expect(refused.statusCode).toBe(413);
    expect(refused.json()).toMatchObject({ error: { code: 'too-large', message: 'big.json is larger than 64 KiB; nothing was imported' } });
    const total = multipart([0, 1].map((i) => ({ name: `part-${i}.json`, content: Buffer.alloc(60 * 1024, 0x20) })));
    const overTotal = await h.app.inject({ method: 'POST', url: '/api/incidents/import', headers: { ...bearer('analyst'), ...total.headers }, payload: total.payload });
    expect(overTotal.statusCode).toBe(413);
    expect((overTotal.json() as { error: { message: string } }).error.message).toMatch(/^the upload is larger than .* in all; nothing was imported$/);
    expect(((await h.app.inject({ url: '/api/incidents', headers: bearer('viewer') })).json() as { total: number }).total).toBe(before);
    const ok = multipart([{ name: 'identity-attack.json', content: identity }]);
    const imported = await h.app.inject({ method: 'POST', url: '/api/incidents/import', headers: { ...bearer('analyst'), ...ok.headers }, payload: ok.payload });
    expect(imported.statusCode).toBe(200);
  });

  it('refuses dates that are not on the calendar and filter values it does not know', async () => {
    const get = (url: string) => h.app.inject({ url, headers: bearer('viewer') });
    for (const url of ['/api/incidents?from=2026-02-30', '/api/incidents?to=2026-13-01', '/api/incidents?status=bogus', '/api/incidents?severity=urgent', '/api/incidents?reviewState=done', '/api/action-items?status=finished']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect((res.json() as { error: { code: string } }).error.code, url).toBe('invalid-input');
    }
    expect(((await get('/api/incidents?status=bogus')).json() as { error: { message: string } }).error.message).toMatch(/^unknown status "bogus": one of active, resolved/);
    // Known values in any spelling, and a real leap day, are accepted.
    for (const url of ['/api/incidents?status=InProgress,resolved', '/api/incidents?severity=HIGH', '/api/incidents?from=2024-02-29', '/api/action-items?status=open,done']) {
      expect((await get(url)).statusCode, url).toBe(200);
    }
    const due = await h.app.inject({ method: 'POST', url: `/api/incidents/${h.incidentId}/action-items`, headers: bearer('analyst'), payload: { type: 'detection-engineering', title: 'Alert on LSASS access', dueDate: '2026-02-30' } });
    expect(due.statusCode).toBe(400);
    expect(due.body).toContain('a real calendar date');
  });

  it('writes one access-log line per request with its id, user, route, status and time, and no secret', async () => {
    const { cookie } = await login(h.app, 'viewer');
    await h.app.inject({ url: `/api/incidents/${h.incidentId}?code=sign-in-code-123&state=st4te`, headers: { cookie, 'x-request-id': 'trace-42' } });
    const token = await h.app.inject({ url: '/api/incidents', headers: bearer('analyst') });
    expect(token.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'viewer', password: 'not-the-password-at-all' } });
    await new Promise((done) => setTimeout(done, 200));
    const text = readFileSync(logFile(), 'utf8');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
    const traced = lines.find((l) => l.reqId === 'trace-42');
    expect(traced).toMatchObject({ method: 'GET', route: '/api/incidents/:id', status: 200, user: 'viewer', via: 'session' });
    expect(traced?.url).toBe(`/api/incidents/${h.incidentId}?code=%5Bredacted%5D&state=%5Bredacted%5D`);
    expect(typeof traced?.ms).toBe('number');
    expect(lines.find((l) => l.route === '/api/incidents' && l.user === 'analyst')).toMatchObject({ via: 'token', status: 200 });
    expect(lines.find((l) => l.route === '/api/auth/login' && l.status === 401)).toMatchObject({ user: null, method: 'POST' });
    for (const secret of [h.tokens.analyst, cookie.split('=')[1] as string, 'sign-in-code-123', 'st4te', 'not-the-password-at-all']) expect(text).not.toContain(secret);
  });
});
