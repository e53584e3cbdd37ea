/**
 * Syncing Microsoft Sentinel through an Azure Resource Manager stand-in on loopback (Incidents -
 * List, List Alerts, List Entities, comments, as Microsoft's REST reference examples show them),
 * on SQLite and PostgreSQL; the same mapping reading a List Incidents body as a file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addConnector, syncConnectors } from '../../src/app/connectors.js';
import { importFiles } from '../../src/app/import.js';
import { findIncident, incidentIdOf } from '../../src/app/incidents.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { getReviewRecord } from '../../src/store/reviews/records.js';
import { pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { CLIENT, GOOD_SECRET, graphIncident, startStandIn, TENANT, type Record_, type StandIn } from './stand-in.js';

const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL Sentinel sync tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_sentinel');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}

const SUB = 'd0cfe6b2-9ac0-4464-9919-dccaee2e48c0';
const WS_ID = `/subscriptions/${SUB}/resourceGroups/soc-rg/providers/Microsoft.OperationalInsights/workspaces/soc-ws/providers/Microsoft.SecurityInsights`;
const env = { SENTINEL_SECRET: GOOD_SECRET, DEFENDER_SECRET: GOOD_SECRET };
const tuning = { timeoutMs: 1000, retryBudgetMs: 2000, backoffMs: 20 };

function incident(name: string, number: number, modified: string, props: Record_ = {}): Record_ {
  return {
    id: `${WS_ID}/incidents/${name}`,
    name,
    etag: '"0300bf09-0000-0000-0000-5c37296e0000"',
    type: 'Microsoft.SecurityInsights/incidents',
    properties: {
      title: `Suspicious sign-ins followed by mailbox rule creation (${number})`,
      description: 'Sign-ins from an unfamiliar location, then an inbox rule forwarding mail.',
      severity: 'Medium',
      status: 'New',
      owner: { objectId: null, email: null, assignedTo: null, userPrincipalName: null },
      labels: [],
      firstActivityTimeUtc: '2026-11-20T13:00:30Z',
      lastActivityTimeUtc: '2026-11-20T13:05:30Z',
      lastModifiedTimeUtc: modified,
      createdTimeUtc: '2026-11-20T13:15:30Z',
      incidentNumber: number,
      additionalData: { alertsCount: 1, bookmarksCount: 0, commentsCount: 1, alertProductNames: ['Azure Sentinel'], tactics: ['InitialAccess', 'CommandAndControl'], techniques: ['T1078'] },
      relatedAnalyticRuleIds: [`${WS_ID}/alertRules/fab3d2d4-747f-46a7-8ef0-9c0be8112bf7`],
      incidentUrl: `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${WS_ID}/incidents/${name}`,
      providerName: 'Azure Sentinel',
      providerIncidentId: String(number),
      ...props,
    },
  };
}

function alert(name: string): Record_ {
  return {
    id: `${WS_ID}/Entities/${name}`,
    name,
    type: 'Microsoft.SecurityInsights/Entities',
    kind: 'SecurityAlert',
    properties: {
      alertDisplayName: 'Sign-in from an unfamiliar location',
      alertType: 'UnfamiliarLocation',
      vendorName: 'Microsoft',
      productName: 'Azure Sentinel',
      alertLink: '',
      severity: 'Medium',
      status: 'New',
      systemAlertId: name,
      confidenceLevel: 'Unknown',
      startTimeUtc: '2026-11-20T13:00:30.6158361Z',
      endTimeUtc: '2026-11-20T13:05:30Z',
      timeGenerated: '2026-11-20T13:10:00Z',
      processingEndTime: '2026-11-20T13:11:00Z',
      tactics: ['InitialAccess'],
      techniques: ['T1078'],
      subTechniques: ['T1078.004'],
      friendlyName: 'Sign-in from an unfamiliar location',
      remediationSteps: ['Reset the password', 'Revoke sessions'],
    },
  };
}

describe.each(targets)('Sentinel connector on $name', ({ open }) => {
  let store: OpenedStore;
  let api: StandIn;
  beforeEach(async () => {
    store = await open();
    api = await startStandIn();
    const own = 'a1f0e0d2-5cd7-4139-a149-9f2736ff2ab5';
    api.sentinel.incidents = [
      incident(own, 3177, '2026-11-21T10:00:00Z', {
        severity: 'High',
        status: 'Closed',
        classification: 'TruePositive',
        classificationReason: 'SuspiciousActivity',
        classificationComment: 'Confirmed credential theft.',
        owner: { objectId: '2046feea-040d-4a46-9e2b-91c2941bfa70', email: 'john.doe@contoso.com', assignedTo: 'John Doe', userPrincipalName: 'john@contoso.com', ownerType: 'User' },
        labels: [{ labelName: 'customer-impact', labelType: 'User' }],
      }),
      incident('b2f0e0d2-0000-4139-a149-9f2736ff2ab5', 3178, '2026-11-22T10:00:00Z', { providerName: 'Microsoft XDR', providerIncidentId: '101' }),
      incident('c3f0e0d2-0000-4139-a149-9f2736ff2ab5', 3179, '2026-11-23T10:00:00Z'),
    ];
    api.sentinel.alerts.set(own, [alert('baa8a239-6fde-4ab7-a093-d09f7b75c58c')]);
    api.sentinel.entities.set(own, [
      { id: `${WS_ID}/Entities/e1`, name: 'e1', type: 'Microsoft.SecurityInsights/Entities', kind: 'Account', properties: { accountName: 'john', upnSuffix: 'contoso.com', friendlyName: 'john' } },
      { id: `${WS_ID}/Entities/e2`, name: 'e2', type: 'Microsoft.SecurityInsights/Entities', kind: 'Ip', properties: { address: '203.0.113.7', friendlyName: '203.0.113.7' } },
    ]);
    api.sentinel.comments.set(own, [
      { id: `${WS_ID}/incidents/${own}/comments/c1`, name: 'c1', type: 'Microsoft.SecurityInsights/Incidents/Comments', properties: { message: 'Password reset done.', createdTimeUtc: '2026-11-21T09:00:00Z', lastModifiedTimeUtc: '2026-11-21T09:00:00Z', author: { name: 'John Doe', email: 'john.doe@contoso.com', userPrincipalName: 'john@contoso.com' } } },
    ]);
    api.incidents = [graphIncident('101', '2026-11-22T09:00:00Z')];
    await addConnector(store, 'cli:test', { name: 'sentinel-soc', type: 'sentinel', tenantId: TENANT, clientId: CLIENT, secret: { kind: 'env', ref: 'SENTINEL_SECRET' }, armUrl: api.url, loginUrl: api.url, subscriptionId: SUB, resourceGroup: 'soc-rg', workspace: 'soc-ws' });
    await addConnector(store, 'cli:test', { name: 'defender', type: 'defender', tenantId: TENANT, clientId: CLIENT, secret: { kind: 'env', ref: 'DEFENDER_SECRET' }, graphUrl: api.url, loginUrl: api.url });
  });
  afterEach(async () => {
    await api.close();
    await store.close();
  });

  it('lists incidents with their alerts, entities and comments, maps them, and keeps a Defender incident one incident', async () => {
    const report = await syncConnectors(store, { since: '2026-11-01T00:00:00Z', env, actor: 'cli:test', tuning });
    expect(report.connectors).toEqual([
      { name: 'defender', type: 'defender', fetched: 1, created: 1, updated: 0, unchanged: 0, checkpoint: '2026-11-22T09:00:00.000Z', error: null },
      { name: 'sentinel-soc', type: 'sentinel', fetched: 3, created: 2, updated: 1, unchanged: 0, checkpoint: '2026-11-23T10:00:00.000Z', error: null },
    ]);
    const paths = api.requests.map((r) => `${r.method} ${r.path.replace(WS_ID, '')}`);
    expect(paths).toContain('POST /incidents/a1f0e0d2-5cd7-4139-a149-9f2736ff2ab5/alerts');
    expect(paths).toContain('POST /incidents/a1f0e0d2-5cd7-4139-a149-9f2736ff2ab5/entities');
    expect(paths).toContain('GET /incidents/a1f0e0d2-5cd7-4139-a149-9f2736ff2ab5/comments');
    expect(api.requests.find((r) => r.path.endsWith('SecurityInsights/incidents'))!.query).toContain('api-version=2025-06-01');

    const own = await store.getIncident('a1f0e0d2-5cd7-4139-a149-9f2736ff2ab5');
    expect(own).toMatchObject({
      source: 'microsoft-sentinel',
      sourceFormat: 'sentinel',
      severity: 'high',
      status: 'resolved',
      classification: 'truePositive',
      determination: 'suspiciousActivity',
      assignedTo: 'john@contoso.com',
      tags: ['customer-impact', 'tactic:initial-access', 'tactic:command-and-control', 'sentinel:3177'],
      webUrl: expect.stringContaining('/incidents/a1f0e0d2'),
      createdAt: '2026-11-20T13:15:30.000Z',
      updatedAt: '2026-11-21T10:00:00.000Z',
    });
    expect(own!.alerts).toHaveLength(1);
    expect(own!.alerts[0]).toMatchObject({ sourceId: 'baa8a239-6fde-4ab7-a093-d09f7b75c58c', techniques: ['T1078', 'T1078.004'], firstActivityAt: '2026-11-20T13:00:30.615Z', recommendedActions: 'Reset the password\nRevoke sessions' });
    expect(own!.alerts[0]!.evidence.map((e) => [e.kind, e.displayName])).toEqual([['user', 'john'], ['ip', '203.0.113.7']]);
    expect(own!.comments.map((c) => c.text)).toEqual(['Password reset done.', 'Confirmed credential theft.']);
    expect((await getReviewRecord(store.db, own!.id))?.state).toBe('required');
    // A Sentinel incident is addressed by its incident number as well as its ARM name.
    expect((await findIncident(store, '3177'))?.id).toBe(own!.id);
    expect(await incidentIdOf(store, '3177')).toBe(own!.id);
    expect(await findIncident(store, '317')).toBeUndefined();

    // The incident Defender XDR and Sentinel both report is one incident.
    const all = await store.listIncidents({});
    expect(all).toHaveLength(3);
    expect(all.filter((i) => i.sourceId === '101')).toHaveLength(1);
    const shared = await store.getIncident('101');
    expect(shared).toMatchObject({ source: 'microsoft-defender', sourceFormat: 'sentinel', tags: expect.arrayContaining(['sentinel:3178']) });
    expect(shared!.alerts.map((a) => a.sourceId)).toEqual(['da101_0', 'da101_1']);

    api.requests.length = 0;
    const again = await syncConnectors(store, { names: ['sentinel-soc'], env, actor: 'cli:test', tuning });
    expect(again.connectors[0]).toMatchObject({ fetched: 1, created: 0, updated: 0, unchanged: 1, error: null, checkpoint: '2026-11-23T10:00:00.000Z' });
    expect(decodeURIComponent(api.requests.find((r) => r.path.endsWith('SecurityInsights/incidents'))!.query)).toContain('$filter=properties/lastModifiedTimeUtc ge 2026-11-23T09:55:00Z');
  });

  it('imports a List Incidents response body as a file (--format sentinel, and detected)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-sentinel-'));
    const file = join(dir, 'incidents.json');
    writeFileSync(file, JSON.stringify({ value: api.sentinel.incidents }));
    const result = await importFiles(store, [file], { format: 'sentinel' });
    expect(result.summary).toMatchObject({ incidents: 3, created: 3 });
    expect(result.files).toEqual([{ file, format: 'sentinel', formats: ['sentinel'], incidents: 3, alerts: 0 }]);
    const again = await importFiles(store, [file]);
    expect(again.summary).toMatchObject({ unchanged: 3 });
    expect(again.files[0]!.format).toBe('sentinel');
  });
});
