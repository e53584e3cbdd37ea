/**
 * Syncing Defender XDR through a Microsoft Graph stand-in on loopback, on SQLite and PostgreSQL:
 * paging, incremental syncs, a bad secret, throttling, token refresh and expiry, a malformed page,
 * a page that never answers, a sync stopped between pages, and the run lease.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addConnector, getConnector, runDueConnectors, syncConnectors } from '../../src/app/connectors.js';
import type { ConnectorInput } from '../../src/model/connectors.js';
import { listAuditEntries } from '../../src/store/audit/list.js';
import { acquireLease } from '../../src/store/connectors/index.js';
import { incidentId, openStore, type OpenedStore } from '../../src/store/index.js';
import { getReviewRecord } from '../../src/store/reviews/records.js';
import { pgAvailable, projectRoot, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { BAD_SECRET, CLIENT, GOOD_SECRET, graphAlert, graphIncident, startStandIn, TENANT, type StandIn } from './stand-in.js';

const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL connector sync tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_connsync');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}

const env = { DEFENDER_SECRET: GOOD_SECRET, WRONG_SECRET: BAD_SECRET };
const tuning = { timeoutMs: 400, retryBudgetMs: 2500, backoffMs: 20 };
const SINCE = '2026-11-01T00:00:00Z';
/** A throw-away self-signed test certificate with its key (written for these tests only). */
const CERTIFICATE = join(projectRoot, 'test', 'fixtures', 'connectors', 'test-client-certificate.pem');

function defender(name: string, url: string, secretEnv = 'DEFENDER_SECRET'): ConnectorInput {
  return { name, type: 'defender', tenantId: TENANT, clientId: CLIENT, secret: { kind: 'env', ref: secretEnv }, graphUrl: url, loginUrl: url };
}

async function rowCount(store: OpenedStore, table: 'incidents' | 'alerts'): Promise<number> {
  const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe.each(targets)('Defender XDR connector on $name', ({ open }) => {
  let store: OpenedStore;
  let api: StandIn;
  beforeEach(async () => {
    store = await open();
    api = await startStandIn();
    api.incidents = ['101', '102', '103', '104', '105'].map((id, n) => graphIncident(id, `2026-11-2${n}T10:00:00.1234567Z`));
    // One standalone alert (no incident) and one whose incident came with the incidents.
    api.alerts = [graphAlert('fa-standalone-1', null, '2026-11-25T09:00:00Z'), graphAlert('da101_0', '101', '2026-11-20T10:00:00Z')];
    await addConnector(store, 'cli:test', defender('defender-prod', api.url));
  });
  afterEach(async () => {
    await api.close();
    await store.close();
  });
  const sync = (names?: string[], extra: { since?: string; fetch?: typeof fetch } = {}) =>
    syncConnectors(store, { names, since: SINCE, env, actor: 'cli:test', tuning, ...extra });

  it('pages through incidents and standalone alerts following @odata.nextLink exactly, then syncs only what changed', async () => {
    const first = await sync();
    expect(first.connectors).toEqual([
      { name: 'defender-prod', type: 'defender', fetched: 6, created: 6, updated: 0, unchanged: 0, checkpoint: '2026-11-25T09:00:00.000Z', error: null },
    ]);
    expect(await rowCount(store, 'incidents')).toBe(6);
    expect(await rowCount(store, 'alerts')).toBe(11);
    const incidentRequests = api.requests.filter((r) => r.path === '/v1.0/security/incidents');
    expect(incidentRequests).toHaveLength(3);
    expect(decodeURIComponent(incidentRequests[0]!.query)).toBe('?$expand=alerts&$filter=lastUpdateDateTime ge 2026-10-31T23:55:00Z&$top=50');
    // The next page's URL is requested as Graph gave it, opaque $skiptoken and all.
    expect(new URLSearchParams(incidentRequests[1]!.query).get('$skiptoken')).toBe('pg/2+x');
    expect(api.tokenRequests).toBe(1);
    const standalone = await store.getIncident('alert:fa-standalone-1');
    expect(standalone).toMatchObject({ partial: true, alerts: [{ sourceId: 'fa-standalone-1' }] });
    const view = await getConnector(store, 'defender-prod');
    expect(view).toMatchObject({ checkpoint: '2026-11-25T09:00:00.000Z', lastRun: { ok: true, fetched: 6, created: 6 } });

    // Analysts work incident 103 in Defender: resolved as a true positive, severity raised.
    api.incidents[2] = graphIncident('103', '2026-11-26T12:00:00Z', 2, { status: 'resolved', classification: 'truePositive', determination: 'malware', severity: 'high' });
    api.requests.length = 0;
    const second = await syncConnectors(store, { env, actor: 'cli:test', tuning });
    expect(second.connectors[0]).toMatchObject({ fetched: 2, created: 0, updated: 1, unchanged: 1, checkpoint: '2026-11-26T12:00:00.000Z', error: null });
    // From the checkpoint less the five-minute overlap.
    expect(decodeURIComponent(api.requests.find((r) => r.path === '/v1.0/security/incidents')!.query)).toContain('lastUpdateDateTime ge 2026-11-25T08:55:00Z');
    expect(await store.getIncident('103')).toMatchObject({ status: 'resolved', classification: 'truePositive' });
    expect((await getReviewRecord(store.db, incidentId('microsoft-defender', '103')))?.state).toBe('required');

    const third = await syncConnectors(store, { env, actor: 'cli:test', tuning });
    expect(third.connectors[0]).toMatchObject({ created: 0, updated: 0, checkpoint: '2026-11-26T12:00:00.000Z', error: null });
    const audit = await listAuditEntries(store.db, { entityType: 'import' });
    expect(JSON.stringify(audit)).toContain('connector:defender-prod GET /v1.0/security/incidents');
  });

  it('fails a connector with a bad secret alone, naming the sign-in error and never the secret', async () => {
    await addConnector(store, 'cli:test', defender('defender-bad', api.url, 'WRONG_SECRET'));
    const report = await sync();
    const bad = report.connectors.find((c) => c.name === 'defender-bad')!;
    expect(bad.error).toMatch(/^connector "defender-bad": POST \/4b2462a4-[^ ]+\/oauth2\/v2\.0\/token: sign-in refused \(401 invalid_client\): AADSTS7000215: Invalid client secret provided/);
    expect(report.connectors.find((c) => c.name === 'defender-prod')).toMatchObject({ created: 6, error: null });
    const everything = JSON.stringify([report, await getConnector(store, 'defender-bad'), await listAuditEntries(store.db, {})]);
    expect(everything).not.toContain(BAD_SECRET);
    expect(everything).not.toContain(GOOD_SECRET);
    expect(everything).not.toContain('standin.');
    expect((await getConnector(store, 'defender-bad'))?.lastRun).toMatchObject({ ok: false, error: bad.error });
  });

  it('signs in with a certificate (client assertion) instead of a secret', async () => {
    const pem = readFileSync(CERTIFICATE, 'utf8');
    api.certificatePem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)![0];
    await addConnector(store, 'cli:test', { ...defender('defender-cert', api.url), secret: { kind: 'certificate', ref: CERTIFICATE } });
    const report = await sync(['defender-cert']);
    expect(report.connectors[0]).toMatchObject({ name: 'defender-cert', created: 6, error: null });
    await addConnector(store, 'cli:test', { ...defender('defender-nofile', api.url), secret: { kind: 'file', ref: '/nonexistent/secret' } });
    expect((await sync(['defender-nofile'])).connectors[0]!.error).toBe('connector "defender-nofile": cannot read /nonexistent/secret: ENOENT');
  });

  it('waits as Retry-After says on 429, backs off on 503, and refreshes the token once on 401', async () => {
    api.faults.push({ path: /incidents$/, nth: 2, kind: 'throttle', retryAfter: '1' }, { path: /alerts_v2$/, nth: 1, kind: 'unavailable' }, { path: /incidents$/, nth: 4, kind: 'unauthorized' });
    const started = Date.now();
    const report = await sync();
    expect(report.connectors[0]).toMatchObject({ created: 6, error: null });
    const requests = api.requests.filter((r) => r.path === '/v1.0/security/incidents');
    expect(requests[2]!.at - requests[1]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(api.tokenRequests).toBe(2);
  });

  it('retries the sign-in while the token endpoint is busy', async () => {
    api.faults.push({ path: /oauth2\/v2\.0\/token$/, nth: 1, kind: 'unavailable' }, { path: /oauth2\/v2\.0\/token$/, nth: 2, kind: 'throttle', retryAfter: '0' });
    const report = await sync();
    expect(report.connectors[0]).toMatchObject({ created: 6, error: null });
    expect(api.tokenRequests).toBe(3);
  });

  it('gives up on throttling beyond its time budget, with the reason', async () => {
    api.faults.push({ path: /incidents$/, kind: 'throttle', retryAfter: '30' });
    const report = await sync();
    expect(report.connectors[0]!.error).toBe('connector "defender-prod": GET /v1.0/security/incidents: HTTP 429: TooManyRequests: Too many requests. (gave up after 1 attempt(s))');
    expect(await rowCount(store, 'incidents')).toBe(0);
  });

  it('renews a token that is about to expire, and caches one that is not', async () => {
    api.expiresIn = 60;
    await sync();
    expect(api.tokenRequests).toBe(4);
  });

  it('fails on a malformed page naming the connector, the request and the reason; earlier pages stay, the checkpoint does not move', async () => {
    api.faults.push({ path: /incidents$/, nth: 2, kind: 'malformed' });
    const report = await sync();
    expect(report.connectors[0]).toMatchObject({ created: 2, error: 'connector "defender-prod": GET /v1.0/security/incidents: malformed page: "value" is not an array', checkpoint: null });
    expect(await rowCount(store, 'incidents')).toBe(2);
    expect((await getConnector(store, 'defender-prod'))?.checkpoint).toBeNull();
  });

  it('writes nothing of a page holding a bad record, and says which record', async () => {
    api.faults.push({ path: /incidents$/, nth: 2, kind: 'bad-record' });
    const report = await sync();
    expect(report.connectors[0]!.error).toBe('connector "defender-prod": GET /v1.0/security/incidents: malformed page: $.value[1].createdDateTime: not a valid date-time: "yesterday"');
    expect(await rowCount(store, 'incidents')).toBe(2);
  });

  it('times out a page that never answers', async () => {
    api.faults.push({ path: /incidents$/, nth: 3, onwards: true, kind: 'hang' });
    const report = await sync();
    expect(report.connectors[0]!.error).toMatch(/^connector "defender-prod": GET \/v1\.0\/security\/incidents: no answer within 400 ms \(gave up after \d attempt\(s\)\)$/);
    expect(report.connectors[0]).toMatchObject({ created: 4, checkpoint: null });
  });

  it('resumes a sync stopped between pages without losing or repeating anything', async () => {
    // The connection dies after the first page, as when the process is killed mid-sync.
    let pages = 0;
    const dying: typeof fetch = async (input, init) => {
      if (String(input).includes('/security/incidents') && ++pages > 1) throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
      return fetch(input, init);
    };
    const stopped = await sync(undefined, { fetch: dying });
    expect(stopped.connectors[0]).toMatchObject({ created: 2, checkpoint: null, error: expect.stringContaining('socket hang up') });
    const resumed = await sync();
    expect(resumed.connectors[0]).toMatchObject({ created: 4, unchanged: 2, error: null, checkpoint: '2026-11-25T09:00:00.000Z' });
    expect(await rowCount(store, 'incidents')).toBe(6);
    expect(await rowCount(store, 'alerts')).toBe(11);
  });

  it('never runs one connector twice at once, and the schedule runs what is due', async () => {
    const due = new Date(Date.now() + 60_000);
    expect(await acquireLease(store.db, 'defender-prod', 'another-server', new Date().toISOString(), new Date(Date.now() + 60_000).toISOString())).toBe(true);
    expect((await runDueConnectors(store, { now: due, env, actor: 'hindsight-scheduler', tuning })).connectors).toEqual([]);
    expect((await sync()).connectors[0]!.error).toBe('connector "defender-prod" is already running');
    await store.db.deleteFrom('connectorLeases').execute();
    const [a, b] = await Promise.all([runDueConnectors(store, { now: due, env, actor: 'hindsight-scheduler', tuning }), runDueConnectors(store, { now: due, env, actor: 'hindsight-scheduler', tuning })]);
    expect(a.connectors.length + b.connectors.length).toBe(1);
    const view = await getConnector(store, 'defender-prod');
    expect(Date.parse(view!.nextRunAt!)).toBeGreaterThan(Date.now() + 4 * 60_000);
    expect((await runDueConnectors(store, { now: due, env, actor: 'hindsight-scheduler', tuning })).connectors).toEqual([]);
  });
});
