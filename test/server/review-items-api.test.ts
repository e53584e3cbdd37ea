/**
 * Deleting findings and action items (audited, versioned, one change in the history, refused once
 * the review is approved) and the list of action items across incidents (incident titles, fuzzy
 * search, due soon, order, spreadsheet-safe CSV), on SQLite and PostgreSQL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/model/roles.js';
import { listAuditEntries } from '../../src/store/audit/list.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { attackBundle, pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { startHarness, type Harness } from './harness.js';

const bundle = attackBundle();
const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL review item tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_revitems');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}
const run = requireOrSkip('review item API tests (ATT&CK 18.1 bundle)', Boolean(bundle.path), bundle.reason);

interface Listed { id: string; title: string; owner: string | null; incidentId: string; incidentTitle: string; dueDate: string | null; priority: string; overdue: boolean }
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe.runIf(run).each(targets)('findings and action items on $name', ({ open }) => {
  let h: Harness;
  const as = (role: Role) => ({ authorization: `Bearer ${h.tokens[role]}` });
  const send = async (role: Role, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const res = await h.app.inject({ method, url, headers: as(role), ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.headers['content-type']?.toString().startsWith('application/json') ? (res.json() as Record<string, unknown>) : res.body, headers: res.headers };
  };
  const addAction = async (incident: string, body: object) => {
    const res = await send('analyst', 'POST', `/api/incidents/${incident}/action-items`, { type: 'fix', ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { id: string; version: number };
  };

  it('deletes a finding with its version, unlinks its action items, and records the deletion', async () => {
    h = await startHarness(await open(), bundle.path as string);
    const finding = (await send('analyst', 'POST', `/api/incidents/${h.incidentId}/findings`, { category: 'technical-lapse', title: 'EDR in audit mode', description: 'The EDR policy was never switched to block.', contributingFactors: ['no change review'], techniques: ['T1486'] })).body as { id: string; version: number; description: string };
    expect(finding.description).toBe('The EDR policy was never switched to block.');
    const action = await addAction(h.incidentId, { title: 'Turn on block mode', findingId: finding.id });

    expect((await send('viewer', 'DELETE', `/api/findings/${finding.id}`)).status).toBe(403);
    const stale = await send('analyst', 'DELETE', `/api/findings/${finding.id}?expectedVersion=${finding.version + 3}`);
    expect(stale.status).toBe(409);
    expect((await send('analyst', 'DELETE', `/api/findings/${finding.id}?expectedVersion=${finding.version}`)).body).toEqual({ deleted: finding.id });
    expect((await send('analyst', 'DELETE', `/api/findings/${finding.id}`)).status).toBe(404);

    const detail = (await send('viewer', 'GET', `/api/incidents/${h.incidentId}`)).body as { report: { findings: { id: string }[]; actions: { id: string; findingId: string | null }[] } };
    expect(detail.report.findings.map((f) => f.id)).not.toContain(finding.id);
    expect(detail.report.actions.find((a) => a.id === action.id)?.findingId).toBeNull();

    const history = (await send('viewer', 'GET', `/api/incidents/${h.incidentId}/history`)).body as { changes: { entityId: string; field: string; before: unknown; after: unknown; actor: string }[] };
    const deletion = history.changes.find((c) => c.entityId === finding.id && c.after === null);
    expect(deletion).toMatchObject({ field: '*', actor: 'analyst', before: expect.objectContaining({ title: 'EDR in audit mode' }) });
    expect(history.changes.find((c) => c.entityId === action.id && c.field === 'findingId')).toMatchObject({ before: finding.id, after: null });
    const audit = (await listAuditEntries(h.store.db, { limit: 5 })).find((e) => e.action === 'finding.delete');
    expect(audit).toMatchObject({ entityId: finding.id, actor: 'analyst', after: null });
  });

  it('deletes an action item, and refuses deletions once the review is approved', async () => {
    const action = await addAction(h.incidentId, { title: 'Rotate the service account password' });
    expect((await send('analyst', 'DELETE', `/api/action-items/${action.id}?expectedVersion=0`)).status).toBe(409);
    expect((await send('analyst', 'DELETE', `/api/action-items/${action.id}`)).body).toEqual({ deleted: action.id });
    expect((await send('viewer', 'GET', `/api/action-items?incident=${h.incidentId}`)).body).toMatchObject({ actionItems: expect.not.arrayContaining([expect.objectContaining({ id: action.id })]) });
    expect((await listAuditEntries(h.store.db, { limit: 1 }))[0]).toMatchObject({ action: 'action-item.delete', entityId: action.id });

    const kept = await addAction(h.otherIncidentId, { title: 'Kept after approval' });
    const finding = (await send('analyst', 'POST', `/api/incidents/${h.otherIncidentId}/findings`, { category: 'process-flaw', title: 'Kept finding' })).body as { id: string };
    for (const [name, role, body] of [['submit', 'analyst', {}], ['approve', 'reviewer', { sufficiency: 'sufficient', overrideIncomplete: 'accepted as is: the incident was a test run' }]] as const) {
      const res = await send(role, 'POST', `/api/incidents/${h.otherIncidentId}/review/${name}`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    expect((await send('analyst', 'DELETE', `/api/action-items/${kept.id}`)).status).toBe(409);
    expect((await send('analyst', 'DELETE', `/api/findings/${finding.id}`)).status).toBe(409);
  });

  it('lists action items across incidents with titles, fuzzy search, due soon, order and CSV', async () => {
    await addAction(h.incidentId, { title: 'Patch the VPN appliance', owner: 'zoe.miller@example.org', dueDate: day(3), priority: 'critical' });
    await addAction(h.incidentId, { title: 'Review firewall rules', owner: 'reviewer', dueDate: day(30), priority: 'low' });
    await addAction(h.otherIncidentId, { title: '=HYPERLINK("http://evil")', owner: 'analyst', team: '@soc', dueDate: day(-2), priority: 'high' });

    const all = ((await send('viewer', 'GET', '/api/action-items')).body as { actionItems: Listed[] }).actionItems;
    const titles = ((await send('viewer', 'GET', '/api/incidents')).body as { incidents: { id: string; title: string }[] }).incidents;
    for (const item of all) expect(item.incidentTitle).toBe(titles.find((i) => i.id === item.incidentId)?.title);

    const fuzzy = ((await send('viewer', 'GET', `/api/action-items?q=${encodeURIComponent('Zoë vpn')}`)).body as { actionItems: Listed[] }).actionItems;
    expect(fuzzy.map((a) => a.title)).toEqual(['Patch the VPN appliance']);
    const scattered = ((await send('viewer', 'GET', '/api/action-items?q=fwrl')).body as { actionItems: Listed[] }).actionItems;
    expect(scattered.map((a) => a.title)).toEqual(['Review firewall rules']);

    const soon = ((await send('viewer', 'GET', '/api/action-items?dueSoon=7')).body as { actionItems: Listed[] }).actionItems;
    expect(soon.map((a) => a.title)).toEqual(['Patch the VPN appliance']);
    const overdue = ((await send('viewer', 'GET', '/api/action-items?overdue=true')).body as { actionItems: Listed[] }).actionItems;
    expect(overdue.map((a) => a.title)).toEqual(['=HYPERLINK("http://evil")']);

    const byDue = ((await send('viewer', 'GET', '/api/action-items?sort=due')).body as { actionItems: Listed[] }).actionItems;
    const dated = byDue.filter((a) => a.dueDate);
    expect(dated.map((a) => a.dueDate)).toEqual([day(-2), day(3), day(30)]);
    expect(byDue.slice(dated.length).every((a) => a.dueDate === null)).toBe(true);
    const byPriority = ((await send('viewer', 'GET', '/api/action-items?sort=priority&order=desc')).body as { actionItems: Listed[] }).actionItems;
    expect(byPriority[0]?.priority).toBe('low');

    const csv = await send('viewer', 'GET', '/api/action-items?format=csv&sort=due');
    expect(csv.status).toBe(200);
    expect(String(csv.headers['content-type'])).toMatch(/^text\/csv/);
    expect(String(csv.headers['content-disposition'])).toMatch(/^attachment; filename="action-items-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = String(csv.body).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,incident_id,incident_title,title,type,status,priority,owner,team,due_date,overdue,finding_id,external_url,created_at,updated_at,updated_by');
    expect(lines).toHaveLength(all.length + 1);
    // The formula is neutralised: quoted, prefixed with ', quotes doubled; so is a team starting with @.
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines[1]).toContain(",'@soc,");
    for (const line of lines.slice(1)) expect(line).not.toMatch(/(^|,)[=+\-@]/);

    expect((await send('viewer', 'GET', '/api/action-items?status=opened')).status).toBe(400);
    expect((await send('viewer', 'GET', '/api/action-items?sort=colour')).status).toBe(400);
    expect((await send('viewer', 'GET', '/api/action-items?format=xlsx')).status).toBe(400);

    // A restricted incident's items are neither listed nor exported to someone not named on it.
    expect((await send('admin', 'PUT', `/api/incidents/${h.otherIncidentId}/access`, { users: ['admin'] })).status).toBe(200);
    const asViewer = String((await send('viewer', 'GET', '/api/action-items?format=csv')).body);
    expect(asViewer).not.toContain('HYPERLINK');
    expect(asViewer).not.toContain(h.otherIncidentId);
    await h.app.close();
  });
});

describe.runIf(run).each(targets)('incidents that showed a technique on $name', ({ open }) => {
  it('lists the incidents whose alerts carry a technique or its sub-techniques, hiding restricted ones', async () => {
    const h = await startHarness(await open(), bundle.path as string);
    const as = (role: Role) => ({ authorization: `Bearer ${h.tokens[role]}` });
    const detail = (await h.app.inject({ url: `/api/incidents/${h.incidentId}`, headers: as('viewer') })).json() as { report: { alerts: { techniques: string[] }[]; incident: { title: string } } };
    const technique = detail.report.alerts.flatMap((a) => a.techniques).find((t) => /^T\d{4}$/.test(t.split('.')[0] ?? '')) ?? '';
    expect(technique).not.toBe('');
    const parent = technique.split('.')[0] ?? technique;
    const res = await h.app.inject({ url: `/api/attack/${parent}/incidents`, headers: as('viewer') });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { technique: string; total: number; incidents: { id: string; title: string; alerts: number }[] };
    expect(body.incidents.find((i) => i.id === h.incidentId)).toMatchObject({ title: detail.report.incident.title, alerts: expect.any(Number) });
    expect(body.total).toBe(body.incidents.length);
    expect((await h.app.inject({ url: '/api/attack/TA0001/incidents', headers: as('viewer') })).statusCode).toBe(404);
    expect((await h.app.inject({ url: '/api/attack/T9999/incidents', headers: as('viewer') })).statusCode).toBe(404);

    expect((await h.app.inject({ method: 'PUT', url: `/api/incidents/${h.incidentId}/access`, headers: as('admin'), payload: { users: ['admin'] } })).statusCode).toBe(200);
    const restricted = (await h.app.inject({ url: `/api/attack/${parent}/incidents`, headers: as('viewer') })).json() as typeof body;
    expect(restricted.incidents.map((i) => i.id)).not.toContain(h.incidentId);
    expect(restricted.total).toBe(body.total - 1);
    await h.app.close();
  });
});
