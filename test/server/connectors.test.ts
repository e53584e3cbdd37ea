/**
 * Connectors in the team server: who may list, add, edit, run and remove them; that no answer,
 * audit entry or log line ever holds a secret; "Run now" against a small Microsoft Graph stand-in
 * on loopback; and the schedule: a due connector runs once, never twice at the same time.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addConnector, getConnector, setConnectorEnabled } from '../../src/app/connectors.js';
import type { Role } from '../../src/model/roles.js';
import { buildServer } from '../../src/server/app.js';
import { listAuditEntries } from '../../src/store/audit/list.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { attackBundle, pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { knowledgeBase, startHarness } from './harness.js';

const bundle = attackBundle();
const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL connector API tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_connapi');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}
const run = requireOrSkip('connector API tests (ATT&CK 18.1 bundle)', Boolean(bundle.path), bundle.reason);

const SECRET = 'Zq8~never-shown-client-secret-7731';
const TENANT = 'contoso-tenant';
const ACCESS_TOKEN = 'eyJ0eXAi.standin-access-token.sig';

/** One Microsoft Graph security incident with one alert, in the shape of Microsoft's published example. */
function graphIncident(id: string, updated: string) {
  return {
    '@odata.type': '#microsoft.graph.security.incident',
    id,
    incidentWebUrl: `https://security.microsoft.com/incidents/${id}?tid=${TENANT}`,
    tenantId: TENANT,
    displayName: `Ransomware activity on one endpoint (${id})`,
    description: 'Files were encrypted on a file server after a suspicious PowerShell download.',
    createdDateTime: '2026-11-30T08:00:00Z',
    lastUpdateDateTime: updated,
    assignedTo: 'Tom Becker',
    classification: 'truePositive',
    determination: 'malware',
    status: 'resolved',
    severity: 'high',
    customTags: [],
    systemTags: [],
    comments: [],
    alerts: [
      {
        '@odata.type': '#microsoft.graph.security.alert',
        id: `da${id}_1`,
        providerAlertId: `da${id}_1`,
        incidentId: id,
        status: 'resolved',
        severity: 'high',
        classification: 'truePositive',
        determination: 'malware',
        serviceSource: 'microsoftDefenderForEndpoint',
        detectionSource: 'microsoftDefenderForEndpoint',
        title: 'Ransomware behavior detected in the file system',
        category: 'Ransomware',
        mitreTechniques: ['T1486'],
        createdDateTime: '2026-11-30T08:00:00Z',
        lastUpdateDateTime: updated,
        firstActivityDateTime: '2026-11-30T07:55:00Z',
        lastActivityDateTime: '2026-11-30T07:58:00Z',
        comments: [],
        evidence: [],
      },
    ],
  };
}

interface StandIn {
  url: string;
  requests: string[];
  /** Delay before the incidents page is answered (ms). */
  delayMs: number;
  close: () => Promise<void>;
}

/** Token endpoint (client credentials, one secret) and the incidents and alerts_v2 lists of Graph. */
async function graphStandIn(): Promise<StandIn> {
  const state: StandIn = { url: '', requests: [], delayMs: 0, close: async () => undefined };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    state.requests.push(`${req.method} ${url.pathname}`);
    if (req.method === 'POST' && url.pathname === `/${TENANT}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(body);
      if (form.get('client_secret') !== SECRET) return json(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
      return json(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: ACCESS_TOKEN });
    }
    if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) return json(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } });
    if (url.pathname === '/v1.0/security/incidents') {
      if (state.delayMs) await new Promise((done) => setTimeout(done, state.delayMs));
      return json(res, 200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/incidents(alerts())', value: [graphIncident('48211', '2026-11-30T09:00:00Z')] });
    }
    if (url.pathname === '/v1.0/security/alerts_v2') return json(res, 200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2', value: [] });
    return json(res, 404, { error: { code: 'NotFound', message: 'no such resource' } });
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => json(res, 500, { error: { code: 'InternalServerError', message: 'stand-in failed' } }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((done) => server.close(() => done()));
  return state;
}

function secretFiles(): { good: string; bad: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-connector-secret-'));
  writeFileSync(join(dir, 'good'), `${SECRET}\n`);
  writeFileSync(join(dir, 'bad'), 'not-the-secret\n');
  return { good: join(dir, 'good'), bad: join(dir, 'bad') };
}

describe.runIf(run).each(targets)('connectors in the team server on $name', ({ open }) => {
  it('everyone signed in lists them, only admins change and run them, and no answer holds a secret', async () => {
    const graph = await graphStandIn();
    const files = secretFiles();
    const h = await startHarness(await open(), bundle.path as string);
    const bodies: string[] = [];
    const call = async (who: Role | 'anonymous', method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
      const res = await h.app.inject({ method, url, headers: who === 'anonymous' ? {} : { authorization: `Bearer ${h.tokens[who]}` }, ...(payload !== undefined ? { payload: payload as object } : {}) });
      bodies.push(res.body);
      return res;
    };
    try {
      const input = { name: 'defender-prod', type: 'defender', tenantId: TENANT, clientId: 'app-1', secret: { kind: 'file', ref: files.good }, graphUrl: graph.url, loginUrl: graph.url };
      expect((await call('anonymous', 'GET', '/api/connectors')).statusCode).toBe(401);
      expect((await call('viewer', 'GET', '/api/connectors')).json()).toEqual({ connectors: [], scheduler: { enabled: true } });
      for (const who of ['viewer', 'analyst', 'reviewer'] as const) expect((await call(who, 'POST', '/api/connectors', input)).statusCode, who).toBe(403);

      const added = await call('admin', 'POST', '/api/connectors', input);
      expect(added.statusCode, added.body).toBe(201);
      expect(added.json()).toMatchObject({ name: 'defender-prod', type: 'defender', enabled: true, intervalMinutes: 5, secret: { kind: 'file', ref: files.good }, lastRun: null, checkpoint: null });
      expect((await call('admin', 'POST', '/api/connectors', input)).statusCode).toBe(409);
      const noWorkspace = await call('admin', 'POST', '/api/connectors', { ...input, name: 'sentinel-1', type: 'sentinel', subscriptionId: 'sub', resourceGroup: 'rg' });
      expect(noWorkspace.statusCode).toBe(400);
      expect(noWorkspace.json()).toMatchObject({ error: { code: 'invalid-input', message: expect.stringMatching(/workspace/) } });
      expect((await call('admin', 'POST', '/api/connectors', { ...input, name: 'has space' })).statusCode).toBe(400);
      expect((await call('admin', 'POST', '/api/connectors', { ...input, name: 'other', secret: { kind: 'file', ref: files.good }, clientSecret: SECRET })).statusCode).toBe(400);

      // Viewers see the settings, last run and next run, but not where the secret is read from.
      const seen = (await call('viewer', 'GET', '/api/connectors')).json() as { connectors: Record<string, unknown>[] };
      expect(seen.connectors).toHaveLength(1);
      expect(seen.connectors[0]).toMatchObject({ name: 'defender-prod', type: 'defender', enabled: true, tenantId: TENANT, lastRun: null });
      expect(seen.connectors[0]).not.toHaveProperty('secret');
      expect(JSON.stringify(seen)).not.toContain(files.good);
      expect((await call('viewer', 'GET', '/api/connectors/defender-prod')).json()).not.toHaveProperty('secret');
      expect((await call('admin', 'GET', '/api/connectors/defender-prod')).json()).toMatchObject({ secret: { kind: 'file', ref: files.good } });
      expect((await call('viewer', 'GET', '/api/connectors/nope')).statusCode).toBe(404);

      // Run now: admins only; the incident is there afterwards, and the list shows the run.
      for (const who of ['viewer', 'analyst', 'reviewer'] as const) expect((await call(who, 'POST', '/api/connectors/defender-prod/sync')).statusCode, who).toBe(403);
      expect(graph.requests).toEqual([]);
      const synced = await call('admin', 'POST', '/api/connectors/defender-prod/sync');
      expect(synced.statusCode, synced.body).toBe(200);
      expect(synced.json()).toMatchObject({ name: 'defender-prod', type: 'defender', fetched: 1, created: 1, updated: 0, unchanged: 0, error: null, checkpoint: expect.any(String) });
      expect(graph.requests).toContain(`POST /${TENANT}/oauth2/v2.0/token`);
      expect(graph.requests).toContain('GET /v1.0/security/incidents');
      const incidents = (await call('viewer', 'GET', '/api/incidents?q=48211')).json() as { incidents: { sourceId: string }[] };
      expect(incidents.incidents.map((i) => i.sourceId)).toContain('48211');
      const afterRun = ((await call('viewer', 'GET', '/api/connectors')).json() as { connectors: { lastRun: unknown; nextRunAt: string | null; checkpoint: string | null }[] }).connectors[0];
      expect(afterRun?.lastRun).toMatchObject({ ok: true, error: null, fetched: 1, created: 1, finishedAt: expect.any(String) });
      expect(Date.parse(afterRun?.nextRunAt ?? '')).toBeGreaterThan(Date.now());
      expect(afterRun?.checkpoint).toEqual(expect.any(String));
      const again = (await call('admin', 'POST', '/api/connectors/defender-prod/sync')).json() as { created: number; unchanged: number; error: string | null };
      expect(again).toMatchObject({ created: 0, unchanged: 1, error: null });

      // Edit, disable, enable: admins only.
      expect((await call('analyst', 'PATCH', '/api/connectors/defender-prod', { enabled: false })).statusCode).toBe(403);
      const disabled = await call('admin', 'PATCH', '/api/connectors/defender-prod', { enabled: false });
      expect(disabled.json()).toMatchObject({ enabled: false, nextRunAt: null });
      expect((await call('admin', 'PATCH', '/api/connectors/defender-prod', { enabled: true })).json()).toMatchObject({ enabled: true, nextRunAt: expect.any(String) });
      expect((await call('admin', 'PATCH', '/api/connectors/defender-prod', { type: 'sentinel' })).statusCode).toBe(400);
      expect((await call('admin', 'PATCH', '/api/connectors/nope', { enabled: false })).statusCode).toBe(404);

      // A wrong secret fails this connector's run with a reason that names neither the secret nor the token.
      const edited = await call('admin', 'PATCH', '/api/connectors/defender-prod', { secret: { kind: 'file', ref: files.bad }, intervalMinutes: 15 });
      expect(edited.json()).toMatchObject({ intervalMinutes: 15, secret: { kind: 'file', ref: files.bad } });
      const failed = await call('admin', 'POST', '/api/connectors/defender-prod/sync');
      expect(failed.statusCode).toBe(200);
      expect(failed.json()).toMatchObject({ name: 'defender-prod', created: 0, error: expect.stringMatching(/defender-prod/) });
      const failedView = ((await call('viewer', 'GET', '/api/connectors')).json() as { connectors: { lastRun: { ok: boolean; error: string | null } | null }[] }).connectors[0];
      expect(failedView?.lastRun).toMatchObject({ ok: false, error: expect.any(String) });

      expect((await call('analyst', 'DELETE', '/api/connectors/defender-prod')).statusCode).toBe(403);
      expect((await call('admin', 'DELETE', '/api/connectors/defender-prod')).json()).toMatchObject({ name: 'defender-prod' });
      expect((await call('admin', 'GET', '/api/connectors/defender-prod')).statusCode).toBe(404);
      expect((await call('admin', 'DELETE', '/api/connectors/defender-prod')).statusCode).toBe(404);

      // Neither the secret nor the access token is in any answer or in the audit trail.
      for (const body of bodies) {
        expect(body).not.toContain(SECRET);
        expect(body).not.toContain(ACCESS_TOKEN);
      }
      const audit = await listAuditEntries(h.store.db, { limit: 100 });
      const connectorEntries = audit.filter((e) => e.entityType === 'connector');
      expect(connectorEntries.length).toBeGreaterThanOrEqual(4);
      expect(connectorEntries.every((e) => e.actor === 'admin')).toBe(true);
      const trail = JSON.stringify(audit);
      expect(trail).not.toContain(SECRET);
      expect(trail).not.toContain(ACCESS_TOKEN);
    } finally {
      await h.app.close();
      await h.store.close();
      await graph.close();
    }
  });

  it('runs a due connector on schedule once, never twice at the same time, and logs no secret', async () => {
    const graph = await graphStandIn();
    graph.delayMs = 300;
    const files = secretFiles();
    const store = await open();
    const lines: string[] = [];
    const kb = await knowledgeBase(bundle.path as string);
    // Looks every 20 ms: many looks fall inside the one slow run.
    const app = await buildServer({ store, kb, env: {}, precomputeAttribution: false, connectorScheduler: { everyMs: 20, log: (line) => lines.push(line) } });
    const other = await buildServer({ store, kb, env: {}, precomputeAttribution: false, connectorScheduler: { enabled: false } });
    try {
      await addConnector(store, 'test', { name: 'scheduled', type: 'defender', tenantId: TENANT, clientId: 'app-1', secret: { kind: 'file', ref: files.good }, graphUrl: graph.url, loginUrl: graph.url });
      await addConnector(store, 'test', { name: 'wrong-secret', type: 'defender', tenantId: TENANT, clientId: 'app-2', secret: { kind: 'file', ref: files.bad }, graphUrl: graph.url, loginUrl: graph.url });
      const listed = () => graph.requests.filter((r) => r === 'GET /v1.0/security/incidents').length;
      await app.listen({ port: 0, host: '127.0.0.1' });
      // The timer alone runs it; the looks that fall inside the slow run start nothing.
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !(await getConnector(store, 'scheduled'))?.lastRun?.finishedAt) await new Promise((done) => setTimeout(done, 25));
      await new Promise((done) => setTimeout(done, 400));
      expect(listed()).toBe(1);

      // Due again, and another server over the same store asks at the same time as this one: one run.
      await setConnectorEnabled(store, 'test', 'scheduled', false);
      await setConnectorEnabled(store, 'test', 'scheduled', true);
      const [mine, theirs] = await Promise.all([app.runDueConnectors(), other.runDueConnectors()]);
      await new Promise((done) => setTimeout(done, 400));
      expect(listed()).toBe(2);
      const ran = [...(mine?.connectors ?? []), ...(theirs?.connectors ?? [])].map((c) => c.name);
      expect(ran.filter((n) => n === 'scheduled')).toHaveLength(1);
      const scheduled = await getConnector(store, 'scheduled');
      expect(scheduled?.lastRun).toMatchObject({ ok: true, unchanged: 1 });
      expect(Date.parse(scheduled?.nextRunAt ?? '')).toBeGreaterThan(Date.now() + 4 * 60_000);
      expect((await getConnector(store, 'wrong-secret'))?.lastRun).toMatchObject({ ok: false });

      expect(lines.some((l) => /connector scheduled \(defender\): fetched 1, created 1/.test(l)), lines.join('\n')).toBe(true);
      expect(lines.some((l) => /connector wrong-secret \(defender\) failed/.test(l)), lines.join('\n')).toBe(true);
      for (const line of lines) {
        expect(line).not.toContain(SECRET);
        expect(line).not.toContain(ACCESS_TOKEN);
      }
    } finally {
      await app.close();
      await other.close();
      await store.close();
      await graph.close();
    }
  });

  it('does not run connectors when the schedule is off', async () => {
    const graph = await graphStandIn();
    const files = secretFiles();
    const store = await open();
    const app = await buildServer({ store, kb: await knowledgeBase(bundle.path as string), env: {}, precomputeAttribution: false, connectorScheduler: { enabled: false, everyMs: 10 } });
    try {
      await addConnector(store, 'test', { name: 'idle', type: 'defender', tenantId: TENANT, clientId: 'app-1', secret: { kind: 'file', ref: files.good }, graphUrl: graph.url, loginUrl: graph.url });
      await app.listen({ port: 0, host: '127.0.0.1' });
      await new Promise((done) => setTimeout(done, 300));
      expect(graph.requests).toEqual([]);
      const list = await app.inject({ url: '/api/connectors' });
      expect(list.statusCode).toBe(401);
    } finally {
      await app.close();
      await store.close();
      await graph.close();
    }
  });
});
