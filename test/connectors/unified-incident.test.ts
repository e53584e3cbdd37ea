/**
 * One incident that Defender XDR (Graph) and Sentinel (ARM, the unified portal's copy) both report,
 * at the same change time, as the published examples pair them (`providerName` "Microsoft XDR",
 * `providerIncidentId` the Defender id): whichever connector runs first, it is one incident holding
 * Defender's record, addressed by its Sentinel number, and later syncs do not take turns rewriting it.
 * SQLite and PostgreSQL.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addConnector, syncConnectors } from '../../src/app/connectors.js';
import { findIncident } from '../../src/app/incidents.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { CLIENT, GOOD_SECRET, graphIncident, startStandIn, TENANT, type StandIn } from './stand-in.js';

const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL unified incident tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_unified');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}

const SUB = 'd0cfe6b2-9ac0-4464-9919-dccaee2e48c0';
const WS_ID = `/subscriptions/${SUB}/resourceGroups/soc-rg/providers/Microsoft.OperationalInsights/workspaces/soc-ws/providers/Microsoft.SecurityInsights`;
const env = { SECRET: GOOD_SECRET };
const tuning = { timeoutMs: 1000, retryBudgetMs: 2000, backoffMs: 20 };
const CHANGED = '2026-11-22T16:29:33.1Z';

/** Sentinel's copy of Defender incident 29: fewer fields, other enumerations, the same change time. */
const copy = {
  id: `${WS_ID}/incidents/1f0c3e2a-44b5-4c47-a6e1-0b7b55a2e6c9`,
  name: '1f0c3e2a-44b5-4c47-a6e1-0b7b55a2e6c9',
  type: 'Microsoft.SecurityInsights/incidents',
  properties: {
    title: 'Multi-stage incident on one endpoint',
    severity: 'High',
    status: 'Active',
    createdTimeUtc: '2026-11-20T08:00:00.1433333Z',
    lastModifiedTimeUtc: CHANGED,
    incidentNumber: 3179,
    labels: [],
    providerName: 'Microsoft XDR',
    providerIncidentId: '29',
    additionalData: { alertsCount: 2, bookmarksCount: 0, commentsCount: 0, alertProductNames: [], tactics: ['Execution'] },
  },
};

describe.each(targets)('an incident both Defender XDR and Sentinel report, on $name', ({ open }) => {
  let store: OpenedStore;
  let api: StandIn;
  beforeEach(async () => {
    store = await open();
    api = await startStandIn();
    api.sentinel.incidents = [copy];
    api.incidents = [graphIncident('29', CHANGED, 2, { classification: 'truePositive', determination: 'multiStagedAttack', status: 'active', customTags: ['Demo'] })];
    const common = { tenantId: TENANT, clientId: CLIENT, secret: { kind: 'env' as const, ref: 'SECRET' }, loginUrl: api.url };
    await addConnector(store, 'cli:test', { name: 'soc', type: 'sentinel', ...common, armUrl: api.url, subscriptionId: SUB, resourceGroup: 'soc-rg', workspace: 'soc-ws' });
    await addConnector(store, 'cli:test', { name: 'xdr', type: 'defender', ...common, graphUrl: api.url });
  });
  afterEach(async () => {
    await api.close();
    await store.close();
  });

  it.each([
    ['Sentinel first', ['soc', 'xdr']],
    ['Defender first', ['xdr', 'soc']],
  ])('%s: one incident with Defender record and the Sentinel number; no rewrites afterwards', async (_, order) => {
    for (const name of order) {
      const report = await syncConnectors(store, { names: [name], since: '2026-11-01T00:00:00Z', env, actor: 'cli:test', tuning });
      expect(report.connectors[0]!.error).toBeNull();
    }
    const all = await store.listIncidents({});
    expect(all).toHaveLength(1);
    const shared = await store.getIncident('29');
    expect(shared).toMatchObject({ source: 'microsoft-defender', sourceFormat: 'graph', classification: 'truePositive', determination: 'multiStagedAttack', status: 'active' });
    expect(shared!.tags).toEqual(expect.arrayContaining(['Demo', 'sentinel:3179']));
    // Addressed by the Sentinel incident number, through the store and the app alike.
    expect((await store.getIncident('3179'))?.id).toBe(shared!.id);
    expect((await findIncident(store, '3179'))?.id).toBe(shared!.id);

    // Both syncs again (their overlaps list it again): nothing changes, nothing counts as updated.
    const again = await syncConnectors(store, { env, actor: 'cli:test', tuning });
    expect(again.connectors.map((c) => [c.name, c.created, c.updated, c.unchanged])).toEqual([
      ['soc', 0, 0, 1],
      ['xdr', 0, 0, 1],
    ]);
    expect(await store.getIncident('29')).toMatchObject({ sourceFormat: 'graph', classification: 'truePositive' });
  });
});
