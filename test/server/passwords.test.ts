/**
 * Passwords: the policy (length, common and breached passwords, the user name), the admin's
 * PATCH /api/users/:username, the change for oneself (POST /api/auth/password: other sessions end,
 * tokens are revoked, this one goes on), a generated password that must be changed before anything
 * else, and --oidc-only turning password sign-in off. On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcSettingsFrom } from '../../src/app/accounts/oidc-settings.js';
import { passwordProblem } from '../../src/app/accounts/password-policy.js';
import { buildServer, type App } from '../../src/server/app.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { miniKb } from '../attack/mini.js';
import { pgAvailable, requireOrSkip } from '../helpers/env.js';
import { postgresSchemas } from '../helpers/pg.js';

const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL password tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_pw');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}

const ADMIN_PASSWORD = 'Saffron-Glacier-Tulip-83';
const FIRST = 'Marble-Kettle-Harbor-19';
const SECOND = 'Juniper-Canyon-Violet-64';

async function signIn(app: App, username: string, password: string): Promise<{ headers: Record<string, string> }> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  expect(res.statusCode, res.body).toBe(200);
  const cookie = res.cookies.find((c) => c.name === 'hindsight_session')?.value ?? '';
  return { headers: { cookie: `hindsight_session=${cookie}`, 'x-csrf-token': (res.json() as { csrfToken: string }).csrfToken } };
}

describe('the password policy', () => {
  it.each([
    ['passwordpassword', /too easy to guess/],
    ['123456789012', /commonly used/],
    ['P@ssw0rd12345', /too easy to guess/],
    ['qwertyuiop123', /too easy to guess/],
    ['short-pw', /at least 12/],
    ['erin.example', /must not be the user name/],
    ['Erin.Example-Rocks-2024', /must not contain the user name/],
  ])('refuses %s', (password, why) => {
    expect(passwordProblem(password, { username: 'erin.example' })).toMatch(why);
  });
  it('accepts long passphrases and random passwords', () => {
    for (const password of ['correct horse battery staple', FIRST, 'hK8#fR2!pLm9qZ']) expect(passwordProblem(password, { username: 'erin' })).toBeUndefined();
  });
});

describe.each(targets)('passwords through the API on $name', ({ open }) => {
  let store: OpenedStore;
  let app: App;
  beforeAll(async () => {
    store = await open();
    app = await buildServer({ store, kb: miniKb(), env: {}, precomputeAttribution: false, connectorScheduler: { enabled: false } });
    await app.auth.addUser({ username: 'root', role: 'admin', password: ADMIN_PASSWORD }, 'test');
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('refuses weak passwords on POST /api/users and PATCH /api/users/:username with 400, nothing written', async () => {
    const admin = await signIn(app, 'root', ADMIN_PASSWORD);
    for (const password of ['passwordpassword', '123456789012', 'frank-frank-frank-99']) {
      const res = await app.inject({ method: 'POST', url: '/api/users', headers: admin.headers, payload: { username: 'frank', role: 'viewer', password } });
      expect(res.statusCode, password).toBe(400);
    }
    expect((await app.auth.listUsers()).map((u) => u.username)).toEqual(['root']);
    expect((await app.inject({ method: 'POST', url: '/api/users', headers: admin.headers, payload: { username: 'frank', role: 'viewer', password: FIRST } })).statusCode).toBe(201);
    const weak = await app.inject({ method: 'PATCH', url: '/api/users/frank', headers: admin.headers, payload: { password: '123456789012' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ error: { message: expect.stringMatching(/commonly used/) } });
    await signIn(app, 'frank', FIRST);
  });

  it('an admin sets a password with PATCH /api/users/:username: sessions end, and may require a change at next sign-in', async () => {
    const admin = await signIn(app, 'root', ADMIN_PASSWORD);
    const frank = await signIn(app, 'frank', FIRST);
    const set = await app.inject({ method: 'PATCH', url: '/api/users/frank', headers: admin.headers, payload: { password: SECOND, mustChangePassword: true } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ username: 'frank', mustChangePassword: true });
    expect((await app.inject({ url: '/api/auth/me', headers: frank.headers })).statusCode).toBe(401);
  });

  it('an account that must change its password can do nothing else until it has', async () => {
    const frank = await signIn(app, 'frank', SECOND);
    const me = await app.inject({ url: '/api/auth/me', headers: frank.headers });
    expect(me.json()).toMatchObject({ user: { mustChangePassword: true } });
    const incidents = await app.inject({ url: '/api/incidents', headers: frank.headers });
    expect(incidents.statusCode).toBe(403);
    expect(incidents.json()).toMatchObject({ error: { code: 'password-change-required' } });
    const changed = await app.inject({ method: 'POST', url: '/api/auth/password', headers: frank.headers, payload: { currentPassword: SECOND, newPassword: FIRST } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ mustChangePassword: false });
    expect((await app.inject({ url: '/api/incidents', headers: frank.headers })).statusCode).toBe(200);
  });

  it('changing one\'s own password: the current one is checked, the policy applies, other sessions end, this one stays', async () => {
    const here = await signIn(app, 'frank', FIRST);
    const elsewhere = await signIn(app, 'frank', FIRST);
    const { token } = await app.auth.createToken('frank', 'laptop', 'frank');
    expect((await app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    const wrong = await app.inject({ method: 'POST', url: '/api/auth/password', headers: here.headers, payload: { currentPassword: 'not-my-password-at-all', newPassword: SECOND } });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ error: { code: 'wrong-password' } });
    const weak = await app.inject({ method: 'POST', url: '/api/auth/password', headers: here.headers, payload: { currentPassword: FIRST, newPassword: 'passwordpassword' } });
    expect(weak.statusCode).toBe(400);
    const noCsrf = await app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie: here.headers.cookie ?? '' }, payload: { currentPassword: FIRST, newPassword: SECOND } });
    expect(noCsrf.statusCode).toBe(403);
    const ok = await app.inject({ method: 'POST', url: '/api/auth/password', headers: here.headers, payload: { currentPassword: FIRST, newPassword: SECOND } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await app.inject({ url: '/api/auth/me', headers: here.headers })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/auth/me', headers: elsewhere.headers })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'frank', password: FIRST } })).statusCode).toBe(401);
    await signIn(app, 'frank', SECOND);
  });

  it('limits guesses of the current password to five a minute (429 with Retry-After)', async () => {
    const here = await signIn(app, 'frank', SECOND);
    const statuses: number[] = [];
    let limited: { headers: Record<string, unknown> } | undefined;
    for (let i = 0; i < 7 && !limited; i++) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/password', headers: here.headers, payload: { currentPassword: `guess-number-${i}-of-many`, newPassword: FIRST } });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) limited = res;
    }
    expect(statuses.filter((s) => s === 403).length).toBeGreaterThan(0);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe.each(targets)('--oidc-only on $name', ({ open }) => {
  it('turns password sign-in and password change off with 403 and says so in /api/auth/config', async () => {
    const store = await open();
    const oidc = oidcSettingsFrom({ oidcIssuer: 'https://idp.example', oidcClientId: 'hindsight', publicUrl: 'https://hindsight.example', oidcRoleMap: 'sec=admin', oidcOnly: true }, {});
    const app = await buildServer({ store, kb: miniKb(), env: {}, precomputeAttribution: false, connectorScheduler: { enabled: false }, oidc });
    try {
      await app.auth.addUser({ username: 'root', role: 'admin', password: ADMIN_PASSWORD }, 'test');
      const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'root', password: ADMIN_PASSWORD } });
      expect(login.statusCode).toBe(403);
      expect(login.json()).toMatchObject({ error: { code: 'password-sign-in-disabled', message: expect.stringMatching(/single sign-on/) } });
      expect((await app.inject({ url: '/api/auth/config' })).json()).toEqual({ password: false, oidc: { providerName: 'idp.example', loginUrl: '/api/auth/oidc/login' } });
    } finally {
      await app.close();
      await store.close();
    }
  });
});
