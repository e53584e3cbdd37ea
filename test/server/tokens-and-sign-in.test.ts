/**
 * API tokens (owner-made, scoped, expiring, revoked with the password or the account), service
 * accounts, the sign-in throttle with Retry-After, and the sign-ins in the audit trail, through the
 * team server's API on SQLite and PostgreSQL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/model/audit.js';
import { listAuditEntries } from '../../src/store/audit/list.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { attackBundle, pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';
import { login, PASSWORD, startHarness, type Harness } from './harness.js';

const bundle = attackBundle();
const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL token and sign-in tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_tokens');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}
const run = requireOrSkip('token and sign-in tests (ATT&CK 18.1 bundle)', Boolean(bundle.path), bundle.reason);

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
interface NewToken {
  id: string;
  token: string;
  username: string;
  scope: string;
  expiresAt: string;
}

describe.runIf(run).each(targets)('API tokens, service accounts and sign-ins on $name', ({ open }) => {
  it('lets people make tokens only for themselves, admins only for service accounts, scoped and expiring', async () => {
    const h: Harness = await startHarness(await open(), bundle.path as string);
    try {
      const { app, tokens } = h;
      // A viewer makes their own token: read scope, 90 days by default.
      const mine = await app.inject({ method: 'POST', url: '/api/tokens', headers: bearer(tokens.viewer), payload: { name: 'dashboard' } });
      expect(mine.statusCode, mine.body).toBe(201);
      const own = mine.json() as NewToken;
      expect(own).toMatchObject({ username: 'viewer', scope: 'read' });
      const days = (Date.parse(own.expiresAt) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(89.9);
      expect(days).toBeLessThan(90.1);
      // Never more than the owner's role.
      const wider = await app.inject({ method: 'POST', url: '/api/tokens', headers: bearer(tokens.viewer), payload: { name: 'x', scope: 'write' } });
      expect(wider.statusCode).toBe(403);
      // Nobody makes a token for another person: not a viewer, not an admin.
      for (const as of ['viewer', 'admin'] as const) {
        const other = await app.inject({ method: 'POST', url: '/api/tokens', headers: bearer(tokens[as]), payload: { username: 'analyst', name: 'impersonate' } });
        expect(other.statusCode, `${as}: ${other.body}`).toBe(403);
        expect(other.json()).toMatchObject({ error: { code: 'forbidden' } });
      }
      // A service account: made by an admin without a password, given a token by the admin.
      const robot = await app.inject({ method: 'POST', url: '/api/users', headers: bearer(tokens.admin), payload: { username: 'ci-robot', role: 'analyst', kind: 'service' } });
      expect(robot.statusCode, robot.body).toBe(201);
      expect(robot.json()).toMatchObject({ kind: 'service' });
      const withPassword = await app.inject({ method: 'POST', url: '/api/users', headers: bearer(tokens.admin), payload: { username: 'ci-robot-2', role: 'analyst', kind: 'service', password: 'Cobalt-Heron-Lantern-42' } });
      expect(withPassword.statusCode).toBe(400);
      const setPassword = await app.inject({ method: 'PATCH', url: '/api/users/ci-robot', headers: bearer(tokens.admin), payload: { password: 'Cobalt-Heron-Lantern-42' } });
      expect(setPassword.statusCode).toBe(400);
      const robotToken = await app.inject({ method: 'POST', url: '/api/tokens', headers: bearer(tokens.admin), payload: { username: 'ci-robot', name: 'pipeline', scope: 'write', expiresInDays: 7 } });
      expect(robotToken.statusCode, robotToken.body).toBe(201);
      const rt = robotToken.json() as NewToken;
      expect(rt).toMatchObject({ username: 'ci-robot', scope: 'write' });
      // Service accounts never sign in interactively.
      expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ci-robot', password: 'anything-at-all' } })).statusCode).toBe(401);
      // Expiry beyond the maximum is refused.
      const tooLong = await app.inject({ method: 'POST', url: '/api/tokens', headers: bearer(tokens.viewer), payload: { name: 'x', expiresInDays: 400 } });
      expect(tooLong.statusCode).toBe(400);
      expect(tooLong.json()).toMatchObject({ error: { message: expect.stringMatching(/1 to 365 days/) } });

      // Listing: a person sees their own tokens, an admin everyone's, with scope, expiry and last use.
      await app.inject({ url: '/api/incidents', headers: bearer(own.token) });
      const listed = (await app.inject({ url: '/api/tokens', headers: bearer(tokens.viewer) })).json() as { tokens: { id: string; username: string; lastUsedAt: string | null; scope: string; expiresAt: string }[] };
      expect(new Set(listed.tokens.map((t) => t.username))).toEqual(new Set(['viewer']));
      expect(listed.tokens.find((t) => t.id === own.id)?.lastUsedAt).not.toBeNull();
      const all = (await app.inject({ url: '/api/tokens', headers: bearer(tokens.admin) })).json() as { tokens: { username: string }[] };
      expect(all.tokens.map((t) => t.username)).toEqual(expect.arrayContaining(['viewer', 'admin', 'ci-robot']));
      // Someone else's token is not there to revoke.
      expect((await app.inject({ method: 'DELETE', url: `/api/tokens/${rt.id}`, headers: bearer(tokens.viewer) })).statusCode).toBe(404);
      expect((await app.inject({ method: 'DELETE', url: `/api/tokens/${own.id}`, headers: bearer(tokens.viewer) })).json()).toMatchObject({ revokedReason: 'revoked' });
      expect((await app.inject({ url: '/api/incidents', headers: bearer(own.token) })).statusCode).toBe(401);

      // An expired token stops working.
      await h.store.db.updateTable('apiTokens').set({ expiresAt: new Date(Date.now() - 1000).toISOString() }).where('id', '=', rt.id).execute();
      expect((await app.inject({ url: '/api/incidents', headers: bearer(rt.token) })).statusCode).toBe(401);
    } finally {
      await h.app.close();
      await h.store.close();
    }
  });

  it('acts with the lower of scope and role at each request, so a demoted owner\'s token shrinks', async () => {
    const h: Harness = await startHarness(await open(), bundle.path as string);
    try {
      const { app, tokens } = h;
      const readOnly = ((await app.inject({ method: 'POST', url: '/api/tokens', headers: bearer(tokens.admin), payload: { name: 'reports', scope: 'read' } })).json() as NewToken).token;
      expect((await app.inject({ url: '/api/incidents', headers: bearer(readOnly) })).statusCode).toBe(200);
      expect((await app.inject({ url: '/api/users', headers: bearer(readOnly) })).statusCode).toBe(403);
      expect((await app.inject({ method: 'POST', url: `/api/incidents/${h.incidentId}/findings`, headers: bearer(readOnly), payload: { category: 'technical-lapse', title: 'x' } })).statusCode).toBe(403);
      // A read token cannot make itself a wider one.
      expect((await app.inject({ method: 'POST', url: '/api/tokens', headers: bearer(readOnly), payload: { name: 'wider', scope: 'admin' } })).statusCode).toBe(403);
      const me = (await app.inject({ url: '/api/auth/me', headers: bearer(readOnly) })).json() as { user: { role: string } };
      expect(me.user.role).toBe('viewer');

      // The analyst's write token writes; demoted to viewer, the same token only reads.
      const write = { method: 'POST' as const, url: `/api/incidents/${h.incidentId}/findings`, headers: bearer(tokens.analyst), payload: { category: 'technical-lapse', title: 'Backups reachable' } };
      expect((await app.inject(write)).statusCode).toBe(200);
      await app.inject({ method: 'PATCH', url: '/api/users/analyst', headers: bearer(tokens.admin), payload: { role: 'viewer' } });
      expect((await app.inject(write)).statusCode).toBe(403);
      expect((await app.inject({ url: '/api/incidents', headers: bearer(tokens.analyst) })).statusCode).toBe(200);
    } finally {
      await h.app.close();
      await h.store.close();
    }
  });

  it('revokes tokens for good when the password changes or the owner is disabled, and makes none for a disabled user', async () => {
    const h: Harness = await startHarness(await open(), bundle.path as string);
    try {
      const { app, tokens } = h;
      // Analyst: the password changes, the token ends.
      await app.inject({ method: 'PATCH', url: '/api/users/analyst', headers: bearer(tokens.admin), payload: { password: 'Quartz-Meadow-Falcon-97' } });
      expect((await app.inject({ url: '/api/incidents', headers: bearer(tokens.analyst) })).statusCode).toBe(401);
      // Reviewer: disabled then enabled again, the token stays revoked.
      await app.inject({ method: 'PATCH', url: '/api/users/reviewer', headers: bearer(tokens.admin), payload: { disabled: true } });
      await app.inject({ method: 'PATCH', url: '/api/users/reviewer', headers: bearer(tokens.admin), payload: { disabled: false } });
      expect((await app.inject({ url: '/api/incidents', headers: bearer(tokens.reviewer) })).statusCode).toBe(401);
      const listed = (await app.inject({ url: '/api/tokens', headers: bearer(tokens.admin) })).json() as { tokens: { username: string; revokedReason: string | null }[] };
      expect(listed.tokens.filter((t) => t.revokedReason).map((t) => [t.username, t.revokedReason])).toEqual([
        ['analyst', 'password-changed'],
        ['reviewer', 'user-disabled'],
      ]);
      // The revocations are in the trail, each with its reason.
      const revokes = await listAuditEntries(h.store.db, { actions: ['token.revoke'] });
      expect(revokes.map((e) => (e.after as { revokedReason: string }).revokedReason).sort()).toEqual(['password-changed', 'user-disabled']);

      // No token for a disabled account, even from the operator's path.
      await app.inject({ method: 'PATCH', url: '/api/users/reviewer', headers: bearer(tokens.admin), payload: { disabled: true } });
      await expect(app.auth.createToken('reviewer', 'again', 'cli:ops')).rejects.toThrow(/disabled/);
    } finally {
      await h.app.close();
      await h.store.close();
    }
  });

  it('throttles sign-ins per user name, per address and overall with Retry-After, before checking any password, and audits them boundedly', async () => {
    const h: Harness = await startHarness(await open(), bundle.path as string, { loginAttemptsPerMinute: 3 });
    try {
      const { app } = h;
      const attempt = (username: string, password: string, ip = '198.51.100.20') => app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress: ip });
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) codes.push((await attempt('Admin', `guess-number-${i}`)).statusCode);
      expect(codes).toEqual([401, 401, 401, 429, 429, 429]);
      const limited = await attempt('admin', PASSWORD, '198.51.100.21');
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(59);
      expect(limited.json()).toMatchObject({ error: { code: 'rate-limited', message: expect.stringMatching(/for this user name/) } });

      // A spray over many user names from one address is stopped by the address's limit (20 failures a minute).
      const spray: number[] = [];
      for (let i = 0; i < 20; i++) spray.push((await attempt(`sprayed-${i}`, 'Winter2026!', '203.0.113.9')).statusCode);
      expect(spray.filter((c) => c === 401)).toHaveLength(20);
      const sprayMore: number[] = [];
      for (let i = 20; i < 24; i++) sprayMore.push((await attempt(`sprayed-${i}`, 'Winter2026!', '203.0.113.9')).statusCode);
      expect(sprayMore).toEqual([429, 429, 429, 429]);
      // A name no account can have (a NUL in it) is refused as input, on PostgreSQL too.
      expect((await attempt('a\u0000b', 'x', '192.0.2.77')).statusCode).toBe(400);
      // Someone else from another address still signs in, and that is audited with the address.
      await login(app, 'viewer');

      const entries = await listAuditEntries(h.store.db, { entityType: 'sign-in', limit: 1000 });
      const failed = entries.filter((e) => e.action === 'auth.sign-in-failed');
      // One entry per user name per window, not per guess; lockouts recorded with their count.
      expect(failed.filter((e) => e.entityId === 'Admin')).toHaveLength(1);
      expect(failed.find((e) => e.entityId === 'Admin')).toMatchObject({ actor: 'anonymous', after: { username: 'Admin', address: '198.51.100.20', via: 'password', reason: 'bad-credentials' } });
      expect(failed.filter((e) => e.entityId.startsWith('sprayed-'))).toHaveLength(20);
      const throttled = entries.filter((e) => e.action === 'auth.sign-in-throttled');
      expect(throttled.map((e) => (e.after as { lockedKey: string }).lockedKey).sort()).toEqual(['address', 'username']);
      expect(entries.find((e) => e.action === 'auth.sign-in')).toMatchObject({ actor: 'viewer', entityId: 'viewer', after: { via: 'password' } });
      // No password is ever in the trail.
      expect(JSON.stringify(entries)).not.toMatch(/guess-number|Winter2026|a-long-test-password/);
      expect(entries.length).toBeLessThan(30);
    } finally {
      await h.app.close();
      await h.store.close();
    }
  });
});

describe.runIf(run).each(targets)('the audit trail over the API on $name', ({ open }) => {
  it('filters by actor, action, incident and time, refuses bad filters, counts what a reviewer may not see, and shows admins every write', async () => {
    const h: Harness = await startHarness(await open(), bundle.path as string);
    try {
      const { app, tokens } = h;
      const get = async (query: string, as: 'admin' | 'reviewer' = 'admin') => app.inject({ url: `/api/audit${query}`, headers: bearer(tokens[as]) });
      type Page = { entries: AuditEntry[]; hidden: number; redacted: number; nextBefore: number | null };
      await app.inject({ method: 'PUT', url: `/api/incidents/${h.incidentId}/access`, headers: bearer(tokens.admin), payload: { users: ['analyst'] } });
      await app.inject({ method: 'POST', url: `/api/incidents/${h.incidentId}/findings`, headers: bearer(tokens.analyst), payload: { category: 'technical-lapse', title: 'Quiet lateral movement' } });
      await app.inject({ method: 'POST', url: `/api/incidents/${h.otherIncidentId}/findings`, headers: bearer(tokens.reviewer), payload: { category: 'technical-lapse', title: 'No alert on the phishing mail' } });
      // The admin takes over the analyst's account: visible to admins, naming the incident list.
      await app.inject({ method: 'PATCH', url: '/api/users/analyst', headers: bearer(tokens.admin), payload: { password: 'Quartz-Meadow-Falcon-97' } });

      const byAction = (await get('?action=user.password')).json() as Page;
      expect(byAction.entries).toHaveLength(1);
      expect(byAction.entries[0]).toMatchObject({ actor: 'admin', entityId: 'analyst', after: { passwordChanged: true, onAccessListOf: [h.incidentId] } });
      // The analyst's write on the incident restricted from the admin: shown, redacted.
      const byActor = (await get('?actor=analyst&action=finding.add')).json() as Page;
      expect(byActor.entries.map((e) => [e.action, e.redacted, e.entityId])).toEqual([['finding.add', true, 'restricted incident']]);
      expect(JSON.stringify(byActor)).not.toContain('Quiet lateral movement');
      expect(byActor.redacted).toBe(1);
      // Reviewer: the incident's entries are hidden and counted; accounts and tokens are an admin's.
      const forReviewer = (await get('?limit=1000', 'reviewer')).json() as Page;
      expect(forReviewer.hidden).toBeGreaterThan(0);
      expect(forReviewer.entries.some((e) => e.entityType === 'user' || e.entityType === 'api-token' || e.actor === 'analyst')).toBe(false);
      expect(forReviewer.entries.some((e) => e.actor === 'reviewer' && e.action === 'finding.add')).toBe(true);
      // The incident filter: the restricted incident is unknown to a reviewer not on its list.
      expect((await get(`?incident=${h.incidentId}`, 'reviewer')).statusCode).toBe(404);
      const aboutOther = (await get(`?incident=${h.otherIncidentId}`, 'reviewer')).json() as Page;
      expect(aboutOther.entries.map((e) => [e.actor, e.action])).toEqual([['reviewer', 'finding.add']]);
      // Time range and paging.
      expect(((await get('?since=2999-01-01')).json() as Page).entries).toEqual([]);
      const today = new Date().toISOString().slice(0, 10);
      const page1 = (await get(`?until=${today}&limit=2`)).json() as Page;
      expect(page1.entries).toHaveLength(2);
      const page2 = (await get(`?until=${today}&limit=2&before=${page1.nextBefore}`)).json() as Page;
      expect(Math.max(...page2.entries.map((e) => e.seq))).toBeLessThan(Math.min(...page1.entries.map((e) => e.seq)));
      // Bad filters: 400 naming them.
      for (const bad of ['?since=2026-02-30', '?until=yesterday', '?since=2026-13-01T00:00:00Z', '?action=user.delete', '?action=user.add,nope', '?limit=0']) {
        const res = await get(bad);
        expect(res.statusCode, bad).toBe(400);
        expect(res.json(), bad).toMatchObject({ error: { code: 'invalid-input' } });
      }
      expect((await get('?action=user.delete')).json()).toMatchObject({ error: { message: expect.stringMatching(/unknown action "user.delete"/) } });
      expect((await get('', 'reviewer')).statusCode).toBe(200);
      // The analyst's token ended with the password change; a viewer may not read the trail.
      expect((await app.inject({ url: '/api/audit', headers: bearer(tokens.analyst) })).statusCode).toBe(401);
      expect((await app.inject({ url: '/api/audit', headers: bearer(tokens.viewer) })).statusCode).toBe(403);
    } finally {
      await h.app.close();
      await h.store.close();
    }
  });
});
