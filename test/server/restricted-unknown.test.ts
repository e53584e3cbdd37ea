/**
 * Restricted and unknown incidents answer alike on every route: for everyone not on the access
 * list (admins included), each route of the server's route table that names an incident, a
 * finding or an action item (in its path or its `incident` query) answers a restricted one with the
 * same status and the same body as one that does not exist, the reference aside, with no body, an
 * empty body and a valid body. The routes come from the route table, so a new route is covered the
 * day it is added.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/model/roles.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { attackBundle, pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { startHarness } from './harness.js';

const bundle = attackBundle();
const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL restriction tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_restrict');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}
const run = requireOrSkip('restriction tests (ATT&CK 18.1 bundle)', Boolean(bundle.path), bundle.reason);

/** A body each write route accepts, by the last fixed segment of its path. */
const VALID_BODY: Record<string, Record<string, unknown>> = {
  sections: { body: 'x' },
  answers: { answer: 'x' },
  findings: { category: 'technical-lapse', title: 'x' },
  'action-items': { type: 'fix', title: 'x' },
  timeline: { at: '2026-01-01T00:00:00Z', title: 'x' },
  status: { status: 'in-progress' },
  approve: { sufficiency: 'sufficient' },
  annotation: { note: 'x' },
  access: { users: ['viewer'] },
};

describe.runIf(run).each(targets)('restricted and unknown incidents on $name', ({ open }) => {
  it('answer with the same status and body on every route that names one, for everyone not on the list', async () => {
    const h = await startHarness(await open(), bundle.path as string);
    try {
      const as = (who: Role) => ({ authorization: `Bearer ${h.tokens[who]}` });
      const id = h.incidentId;
      const detail = (await h.app.inject({ url: `/api/incidents/${id}`, headers: as('viewer') })).json() as { report: { incident: { sourceId: string } } };
      const sourceId = detail.report.incident.sourceId;
      const finding = (await h.app.inject({ method: 'POST', url: `/api/incidents/${id}/findings`, headers: as('analyst'), payload: { category: 'technical-lapse', title: 'Backups reachable' } })).json() as { id: string };
      const action = (await h.app.inject({ method: 'POST', url: `/api/incidents/${id}/action-items`, headers: as('analyst'), payload: { type: 'fix', title: 'Isolate the backups' } })).json() as { id: string };
      expect((await h.app.inject({ method: 'PUT', url: `/api/incidents/${id}/access`, headers: as('admin'), payload: { users: ['analyst'] } })).statusCode).toBe(200);

      const named = h.app.routeTable.filter((r) => /^\/api\/(incidents|findings|action-items)\/:id/.test(r.url));
      const byQuery = h.app.routeTable.filter((r) => r.method === 'GET' && ['/api/action-items', '/api/audit'].includes(r.url));
      expect(named.length).toBeGreaterThan(25);
      expect(byQuery).toHaveLength(2);
      const params: Record<string, string> = { key: 'summary', questionId: 'what-happened', eventId: 'evt_none' };
      const compared: string[] = [];
      const differences: string[] = [];
      const normalise = (body: string, ref: string) => body.split(ref).join('<ref>');

      for (const route of [...named, ...byQuery]) {
        const kind = route.url.startsWith('/api/findings') ? 'finding' : route.url.startsWith('/api/action-items/') ? 'action' : 'incident';
        const pairs: [string, string][] =
          kind === 'finding' ? [[finding.id, 'fnd_000000000000']] : kind === 'action' ? [[action.id, 'act_000000000000']] : [[id, 'inc_000000000000'], [sourceId, 'NO-SUCH-SOURCE-ID']];
        const last = route.url.split('/').filter((p) => !p.startsWith(':')).pop() ?? '';
        const bodies: (Record<string, unknown> | undefined)[] = route.method === 'GET' || route.method === 'DELETE' ? [undefined] : [{}, VALID_BODY[last] ?? {}];
        for (const who of ROLES.filter((r) => r !== 'analyst')) {
          // Admins manage access lists and read the whole audit trail (entries about a restricted
          // incident redacted): those two routes name a restricted incident to them by design.
          if ((route.url === '/api/incidents/:id/access' || route.url === '/api/audit') && who === 'admin') continue;
          for (const [restricted, unknown] of pairs) {
            for (const payload of bodies) {
              const url = (ref: string) =>
                byQuery.includes(route) ? `${route.url}?incident=${encodeURIComponent(ref)}` : route.url.replace(/:(\w+)/g, (_m, name: string) => (name === 'id' ? encodeURIComponent(ref) : (params[name] ?? 'x')));
              const send = (ref: string) => h.app.inject({ method: route.method as 'GET', url: url(ref), headers: as(who), ...(payload ? { payload } : {}) });
              const [a, b] = [await send(restricted), await send(unknown)];
              const label = `${route.method} ${route.url} as ${who} ${payload ? JSON.stringify(payload) : ''}`;
              compared.push(`${label}: ${a.statusCode}`);
              if (a.statusCode !== b.statusCode || normalise(a.body, restricted) !== normalise(b.body, unknown)) differences.push(`${label}: restricted ${a.statusCode} ${a.body.slice(0, 120)} / unknown ${b.statusCode} ${b.body.slice(0, 120)}`);
              // Nothing of the restricted incident, its finding or action item leaks into the answer.
              for (const secret of [id, sourceId, finding.id, action.id].filter((s) => s !== restricted)) expect(a.body.includes(secret), `${label} shows ${secret}`).toBe(false);
            }
          }
        }
      }
      expect(differences).toEqual([]);
      expect(compared.length).toBeGreaterThan(150);
      // Most answers are the not-found itself (the rest are refusals by role or body, alike for both).
      expect(compared.filter((c) => c.endsWith(': 404')).length).toBeGreaterThan(60);
      // The analyst on the list still reaches everything.
      expect((await h.app.inject({ url: `/api/incidents/${sourceId}`, headers: as('analyst') })).statusCode).toBe(200);
      expect((await h.app.inject({ method: 'PATCH', url: `/api/findings/${finding.id}`, headers: as('analyst'), payload: { title: 'Backups reachable from the domain' } })).statusCode).toBe(200);
    } finally {
      await h.app.close();
      await h.store.close();
    }
  });
});
