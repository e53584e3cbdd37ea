/**
 * Every write route of the team server records exactly one audit entry (who, what, before, after)
 * in the same transaction as the write: with audit_log refusing inserts, each write answers 500 and
 * leaves every table as it was; once the audit trail accepts entries again, the same request
 * succeeds and its entry is there. A write route without a step here fails the test.
 */
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/model/audit.js';
import { listAuditEntries } from '../../src/store/audit/list.js';
import { verifyAuditChain } from '../../src/store/audit/verify.js';
import { readKeyring } from '../../src/store/audit/keyring.js';
import type { Role } from '../../src/model/roles.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { allowAuditInserts, dumpTables, refuseAuditInserts, type StoreKind } from '../helpers/audit.js';
import { attackBundle, pgAvailable, projectRoot, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { login, PASSWORD, startHarness, type Harness } from './harness.js';

const bundle = attackBundle();
const pg = await pgAvailable();
const targets: { name: string; kind: StoreKind; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', kind: 'sqlite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL audit tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_auditw');
  targets.push({ name: 'PostgreSQL', kind: 'postgres', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}
const run = requireOrSkip('audit write tests (ATT&CK 18.1 bundle)', Boolean(bundle.path), bundle.reason);

/** Shared between steps: ids made by earlier steps. */
interface State {
  incident: string;
  other: string;
  derivedEventId: string;
  eventId: string;
  findingId: string;
  actionId: string;
  tokenId: string;
  taskId: string;
  /** The viewer signed in with their password: changing one's own password takes a session. */
  viewerSession?: { cookie: string; csrf: string };
  observableId?: string;
}

interface Request {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  payload?: Record<string, unknown> | Buffer;
  headers?: Record<string, string>;
}

interface Step {
  /** The route as the server declares it, e.g. `PATCH /api/findings/:id`. */
  route: string;
  as: Role;
  request: (s: State) => Request;
  action: string;
  /** The entry must carry a before (the entity existed). */
  hasBefore: boolean;
  keep?: (body: unknown, s: State) => void;
  /** Entries the same request records before its own (newest first), e.g. the template a start applies. */
  also?: string[];
}

const boundary = '----hindsight-audit-test';
function upload(name: string, content: Buffer): { payload: Buffer; headers: Record<string, string> } {
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: application/json\r\n\r\n`);
  return { payload: Buffer.concat([head, content, Buffer.from(`\r\n--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const id = (body: unknown) => (body as { id: string }).id;
const STEPS: Step[] = [
  { route: 'PUT /api/incidents/:id/sections/:key', as: 'analyst', request: (s) => ({ method: 'PUT', url: `/api/incidents/${s.incident}/sections/summary`, payload: { body: 'Ransomware on the file server, contained in four hours.' } }), action: 'section.save', hasBefore: false },
  { route: 'PUT /api/incidents/:id/answers/:questionId', as: 'analyst', request: (s) => ({ method: 'PUT', url: `/api/incidents/${s.incident}/answers/what-happened`, payload: { answer: 'A phished account ran the encryptor.' } }), action: 'answer.save', hasBefore: false },
  {
    route: 'POST /api/incidents/:id/timeline',
    as: 'analyst',
    request: (s) => ({ method: 'POST', url: `/api/incidents/${s.incident}/timeline`, payload: { at: '2026-03-01T10:00:00Z', title: 'Backups checked', phase: 'recovery' } }),
    action: 'timeline.add',
    hasBefore: false,
    keep: (b, s) => (s.eventId = id(b)),
  },
  { route: 'PATCH /api/incidents/:id/timeline/:eventId', as: 'analyst', request: (s) => ({ method: 'PATCH', url: `/api/incidents/${s.incident}/timeline/${s.eventId}`, payload: { title: 'Backups checked and restored' } }), action: 'timeline.edit', hasBefore: true },
  {
    route: 'PUT /api/incidents/:id/timeline/:eventId/annotation',
    as: 'analyst',
    request: (s) => ({ method: 'PUT', url: `/api/incidents/${s.incident}/timeline/${encodeURIComponent(s.derivedEventId)}/annotation`, payload: { keyMoment: true, note: 'first alert' } }),
    action: 'timeline.annotate',
    hasBefore: false,
  },
  { route: 'DELETE /api/incidents/:id/timeline/:eventId', as: 'analyst', request: (s) => ({ method: 'DELETE', url: `/api/incidents/${s.incident}/timeline/${s.eventId}` }), action: 'timeline.delete', hasBefore: true },
  {
    route: 'POST /api/incidents/:id/findings',
    as: 'analyst',
    request: (s) => ({ method: 'POST', url: `/api/incidents/${s.incident}/findings`, payload: { category: 'technical-lapse', title: 'EDR in audit mode' } }),
    action: 'finding.add',
    hasBefore: false,
    keep: (b, s) => (s.findingId = id(b)),
  },
  { route: 'PATCH /api/findings/:id', as: 'analyst', request: (s) => ({ method: 'PATCH', url: `/api/findings/${s.findingId}`, payload: { title: 'EDR left in audit mode on the file server' } }), action: 'finding.edit', hasBefore: true },
  {
    route: 'POST /api/incidents/:id/action-items',
    as: 'analyst',
    request: (s) => ({ method: 'POST', url: `/api/incidents/${s.incident}/action-items`, payload: { type: 'fix', title: 'Turn on EDR block mode', findingId: s.findingId, owner: 'alice@example.org' } }),
    action: 'action-item.add',
    hasBefore: false,
    keep: (b, s) => (s.actionId = id(b)),
  },
  {
    route: 'POST /api/incidents/:id/observables',
    as: 'analyst',
    request: (s) => ({ method: 'POST', url: `/api/incidents/${s.incident}/observables`, payload: { type: 'domain', value: 'c2.evil.example', ioc: true } }),
    action: 'observable.add',
    hasBefore: false,
    keep: (b, s) => (s.observableId = id(b)),
  },
  { route: 'PATCH /api/observables/:observableId', as: 'analyst', request: (s) => ({ method: 'PATCH', url: `/api/observables/${s.observableId ?? ''}`, payload: { addTags: ['c2'], tlp: 'RED' } }), action: 'observable.mark', hasBefore: true },
  { route: 'PUT /api/incidents/:id/tlp', as: 'analyst', request: (s) => ({ method: 'PUT', url: `/api/incidents/${s.incident}/tlp`, payload: { tlp: 'AMBER+STRICT' } }), action: 'incident.tlp', hasBefore: true },
  {
    route: 'POST /api/intel/import',
    as: 'analyst',
    request: () => {
      const u = upload('partner-misp.json', readFileSync(join(projectRoot, 'test', 'fixtures', 'intel', 'partner-misp.json')));
      return { method: 'POST', url: '/api/intel/import', payload: u.payload, headers: u.headers };
    },
    action: 'intel.import',
    hasBefore: false,
  },
  { route: 'PATCH /api/action-items/:id', as: 'analyst', request: (s) => ({ method: 'PATCH', url: `/api/action-items/${s.actionId}`, payload: { owner: 'bob@example.org' } }), action: 'action-item.edit', hasBefore: true },
  { route: 'POST /api/action-items/:id/status', as: 'analyst', request: (s) => ({ method: 'POST', url: `/api/action-items/${s.actionId}/status`, payload: { status: 'in-progress' } }), action: 'action-item.move', hasBefore: true },
  // Technique inference and verified detection fixes.
  { route: 'POST /api/incidents/:id/inference/confirm', as: 'analyst', request: (s) => ({ method: 'POST', url: `/api/incidents/${s.incident}/inference/confirm`, payload: { techniques: ['T1021.001'], reason: null } }), action: 'coverage.confirm', hasBefore: true },
  { route: 'POST /api/incidents/:id/inference/dismiss', as: 'analyst', request: (s) => ({ method: 'POST', url: `/api/incidents/${s.incident}/inference/dismiss`, payload: { techniques: ['T1016'], reason: 'no such tooling here' } }), action: 'inference.dismiss', hasBefore: false },
  { route: 'PATCH /api/action-items/:id', as: 'analyst', request: (s) => ({ method: 'PATCH', url: `/api/action-items/${s.actionId}`, payload: { type: 'detection-engineering' } }), action: 'action-item.edit', hasBefore: true },
  { route: 'PUT /api/action-items/:id/techniques', as: 'analyst', request: (s) => ({ method: 'PUT', url: `/api/action-items/${s.actionId}/techniques`, payload: { techniques: ['T1003.001'] } }), action: 'action-item.detection', hasBefore: true },
  { route: 'POST /api/action-items/verify', as: 'analyst', request: () => ({ method: 'POST', url: '/api/action-items/verify' }), action: 'rules.verify', hasBefore: false },
  { route: 'DELETE /api/action-items/:id', as: 'analyst', request: (s) => ({ method: 'DELETE', url: `/api/action-items/${s.actionId}` }), action: 'action-item.delete', hasBefore: true },
  {
    route: 'PUT /api/incidents/:id/template',
    as: 'analyst',
    request: (s) => ({ method: 'PUT', url: `/api/incidents/${s.incident}/template`, payload: { templateId: 'ransomware' } }),
    action: 'template.apply',
    hasBefore: false,
  },
  { route: 'PUT /api/incidents/:id/template/answers/:key', as: 'analyst', request: (s) => ({ method: 'PUT', url: `/api/incidents/${s.incident}/template/answers/backups-intact`, payload: { answer: 'Immutable copies restored.' } }), action: 'template.answer', hasBefore: false },
  {
    route: 'POST /api/incidents/:id/tasks',
    as: 'analyst',
    request: (s) => ({ method: 'POST', url: `/api/incidents/${s.incident}/tasks`, payload: { title: 'Brief the board', assignee: 'reviewer', dueDate: '2030-01-31' } }),
    action: 'task.add',
    hasBefore: false,
    keep: (b, s) => (s.taskId = id(b)),
  },
  { route: 'PATCH /api/incidents/:id/tasks/:taskId', as: 'analyst', request: (s) => ({ method: 'PATCH', url: `/api/incidents/${s.incident}/tasks/${s.taskId}`, payload: { status: 'done' } }), action: 'task.edit', hasBefore: true },
  { route: 'DELETE /api/incidents/:id/tasks/:taskId', as: 'analyst', request: (s) => ({ method: 'DELETE', url: `/api/incidents/${s.incident}/tasks/${s.taskId}` }), action: 'task.delete', hasBefore: true },
  { route: 'DELETE /api/findings/:id', as: 'analyst', request: (s) => ({ method: 'DELETE', url: `/api/findings/${s.findingId}` }), action: 'finding.delete', hasBefore: true },
  // Every review transition, on the other incident, in an order its lifecycle allows.
  ...(
    [
      ['start', 'analyst', {}],
      ['submit', 'analyst', {}],
      ['return', 'reviewer', { reason: 'timeline incomplete' }],
      ['waive', 'reviewer', { reason: 'duplicate of an earlier case' }],
      ['require', 'analyst', { reason: 'the duplicate was wrong' }],
      ['start', 'analyst', {}],
      ['submit', 'analyst', {}],
      ['approve', 'reviewer', { sufficiency: 'sufficient', overrideIncomplete: 'approved for the test' }],
      ['close', 'reviewer', { reason: 'done' }],
      ['reopen', 'reviewer', { reason: 'new evidence' }],
    ] as const
  ).map(
    ([name, as, payload], i): Step => ({
      route: `POST /api/incidents/:id/review/${name}`,
      as,
      request: (s) => ({ method: 'POST', url: `/api/incidents/${s.other}/review/${name}`, payload: { ...payload } }),
      action: name === 'close' ? 'incident.close' : `review.${name}`,
      hasBefore: true,
      // The first start also applies the template the incident's rule picks (the second finds it applied).
      ...(i === 0 ? { also: ['template.apply'] } : {}),
    }),
  ),
  {
    route: 'POST /api/incidents/import',
    as: 'analyst',
    request: () => {
      const u = upload('identity-attack.json', readFileSync(join(projectRoot, 'examples', 'identity-attack.json')));
      return { method: 'POST', url: '/api/incidents/import', payload: u.payload, headers: u.headers };
    },
    action: 'incident.import',
    hasBefore: false,
  },
  { route: 'PUT /api/incidents/:id/access', as: 'admin', request: (s) => ({ method: 'PUT', url: `/api/incidents/${s.other}/access`, payload: { users: ['analyst', 'admin'] } }), action: 'incident.restrict', hasBefore: true },
  { route: 'POST /api/users', as: 'admin', request: () => ({ method: 'POST', url: '/api/users', payload: { username: 'dana', role: 'viewer', password: 'a-long-password-for-the-new-viewer' } }), action: 'user.add', hasBefore: false },
  { route: 'PATCH /api/users/:username', as: 'admin', request: () => ({ method: 'PATCH', url: '/api/users/dana', payload: { role: 'analyst' } }), action: 'user.update', hasBefore: true },
  {
    route: 'POST /api/tokens',
    as: 'admin',
    request: () => ({ method: 'POST', url: '/api/tokens', payload: { name: 'ci', scope: 'read', expiresInDays: 30 } }),
    action: 'token.create',
    hasBefore: false,
    keep: (b, s) => (s.tokenId = id(b)),
  },
  { route: 'DELETE /api/tokens/:id', as: 'admin', request: (s) => ({ method: 'DELETE', url: `/api/tokens/${s.tokenId}` }), action: 'token.revoke', hasBefore: true },
  { route: 'POST /api/connectors', as: 'admin', request: () => ({ method: 'POST', url: '/api/connectors', payload: { name: 'defender-a', type: 'defender', tenantId: 't', clientId: 'c', secret: { kind: 'env', ref: 'DEFENDER_SECRET' } } }), action: 'connector.add', hasBefore: false },
  { route: 'PATCH /api/connectors/:name', as: 'admin', request: () => ({ method: 'PATCH', url: '/api/connectors/defender-a', payload: { intervalMinutes: 15 } }), action: 'connector.update', hasBefore: true },
  { route: 'DELETE /api/connectors/:name', as: 'admin', request: () => ({ method: 'DELETE', url: '/api/connectors/defender-a' }), action: 'connector.delete', hasBefore: true },
  { route: 'PUT /api/policy', as: 'admin', request: () => ({ method: 'PUT', url: '/api/policy', payload: { yaml: 'version: 1\nrules:\n  - name: high-severity\n    when:\n      severityAtLeast: high\n' } }), action: 'policy.update', hasBefore: true },
  { route: 'PUT /api/admin/notifications', as: 'admin', request: () => ({ method: 'PUT', url: '/api/admin/notifications', payload: { mailFrom: 'soc@example.org', webhookSecret: 'not-in-the-trail' } }), action: 'notifications.configure', hasBefore: false },
  { route: 'PUT /api/me/notifications', as: 'analyst', request: () => ({ method: 'PUT', url: '/api/me/notifications', payload: { defaultMode: 'digest', kinds: { 'review.submitted': 'immediate' } } }), action: 'notifications.preferences', hasBefore: true },
  // Last: the viewer's own password change (with their session, not a token).
  {
    route: 'POST /api/auth/password',
    as: 'viewer',
    request: (s) => ({ method: 'POST', url: '/api/auth/password', headers: { authorization: '', cookie: s.viewerSession?.cookie ?? '', 'x-csrf-token': s.viewerSession?.csrf ?? '' }, payload: { currentPassword: PASSWORD, newPassword: 'Juniper-Canyon-Violet-64' } }),
    action: 'user.password',
    hasBefore: true,
  },
];

/**
 * Writes that are not changes of the team's data: signing in and out; running a connector now (what
 * the run imports is audited as `incident.import`, in the transaction that writes it).
 */
// A test message writes nothing (it is sent at once, outside the outbox).
const NOT_AUDITED = new Set(['POST /api/auth/login', 'POST /api/auth/logout', 'POST /api/connectors/:name/sync', 'POST /api/admin/notifications/test']);

describe.runIf(run).each(targets)('audited writes on $name', ({ kind, open }) => {
  it('every write route has a step, and each write commits with its audit entry or not at all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-audit-policy-'));
    const policyFile = join(dir, 'policy.yaml');
    copyFileSync(join(projectRoot, 'config', 'review-policy.yaml'), policyFile);
    const h: Harness = await startHarness(await open(), bundle.path as string, { policyFile });
    try {
      const writeRoutes = h.app.routeTable.filter((r) => r.url.startsWith('/api/') && r.method !== 'GET').map((r) => `${r.method} ${r.url}`);
      const covered = new Set(STEPS.map((s) => s.route));
      expect(writeRoutes.filter((r) => !covered.has(r) && !NOT_AUDITED.has(r)), 'write routes without an audit step').toEqual([]);

      const detail = (await h.app.inject({ url: `/api/incidents/${h.incidentId}`, headers: { authorization: `Bearer ${h.tokens.viewer}` } })).json() as { report: { timeline: { id: string }[] } };
      const state: State = { incident: h.incidentId, other: h.otherIncidentId, derivedEventId: detail.report.timeline[0]?.id ?? '', eventId: '', findingId: '', actionId: '', tokenId: '', taskId: '' };
      expect(state.derivedEventId).not.toBe('');
      // The viewer's own password change revokes their tokens (entries of their own): they hold none here.
      for (const t of await h.app.auth.listTokens('viewer')) await h.app.auth.revokeToken(t.id, 'test');
      state.viewerSession = await login(h.app, 'viewer');

      const newest = async (): Promise<AuditEntry | undefined> => (await listAuditEntries(h.store.db, { limit: 1 }))[0];
      for (const step of STEPS) {
        const req = step.request(state);
        const send = () => h.app.inject({ method: req.method, url: req.url, headers: { authorization: `Bearer ${h.tokens[step.as]}`, ...req.headers }, ...(req.payload !== undefined ? { payload: req.payload } : {}) });
        const label = `${step.route} (${step.action})`;

        const tablesBefore = await dumpTables(h.store.db, kind);
        const policyBefore = readFileSync(policyFile, 'utf8');
        await refuseAuditInserts(h.store.db, kind);
        const refused = await send();
        await allowAuditInserts(h.store.db, kind);
        expect(refused.statusCode, `${label} with the audit trail refusing: ${refused.body}`).toBe(500);
        expect(refused.json(), label).toEqual({ error: { code: 'internal', message: expect.any(String) } });
        expect(await dumpTables(h.store.db, kind), `${label} changed the store although its audit entry failed`).toEqual(tablesBefore);
        expect(readFileSync(policyFile, 'utf8'), label).toBe(policyBefore);

        const last = (await newest())?.seq ?? 0;
        const ok = await send();
        expect(ok.statusCode, `${label}: ${ok.body}`).toBeLessThan(300);
        step.keep?.(ok.json(), state);
        const entries = await listAuditEntries(h.store.db, { limit: 5 });
        expect(entries.filter((e) => e.seq > last).map((e) => e.action), label).toEqual([...(step.also ?? []), step.action]);
        const entry = entries.find((e) => e.seq > last && e.action === step.action) as AuditEntry;
        expect(entry.actor, label).toBe(step.as);
        if (step.action.endsWith('.delete')) expect(entry.after, label).toBeNull();
        else expect(entry.after, label).not.toBeNull();
        if (step.hasBefore) expect(entry.before, `${label} has no before`).not.toBeNull();
      }

      // Spot checks of what the entries say.
      const all = await listAuditEntries(h.store.db, { limit: 200 });
      const find = (action: string) => all.find((e) => e.action === action);
      expect(find('finding.edit')).toMatchObject({ entityId: state.findingId, before: { title: 'EDR in audit mode' }, after: { title: 'EDR left in audit mode on the file server' } });
      expect(find('action-item.move')).toMatchObject({ before: { status: 'open' }, after: { status: 'in-progress' } });
      expect(find('timeline.delete')).toMatchObject({ entityId: state.eventId, before: { title: 'Backups checked and restored' }, after: null });
      expect(find('review.approve')).toMatchObject({ entityId: state.other, actor: 'reviewer', before: { state: 'in-review' }, after: { state: 'approved' } });
      expect(find('incident.restrict')).toMatchObject({ before: { restrictedTo: [] }, after: { restrictedTo: ['admin', 'analyst'] } });
      expect(find('user.update')).toMatchObject({ before: { role: 'viewer' }, after: { role: 'analyst' } });
      expect(find('notifications.configure')).toMatchObject({ actor: 'admin', after: { mailFrom: 'soc@example.org', webhookSecret: 'set' } });
      expect(JSON.stringify(all)).not.toContain('not-in-the-trail');
      expect(find('policy.update')).toMatchObject({ entityId: policyFile, after: { rules: [{ name: 'high-severity' }] } });
      const imported = find('incident.import');
      expect(imported).toMatchObject({ actor: 'analyst', after: { files: ['identity-attack.json'], summary: { created: 1 }, incidents: [{ outcome: 'created', contentHash: expect.any(String), reviewState: expect.any(String) }] } });
      expect(await verifyAuditChain(h.store.db, readKeyring(h.store.auditKeyFile))).toMatchObject({ ok: true, entries: all.length });
    } finally {
      await h.app.close();
      await h.store.close();
    }
  });
});
