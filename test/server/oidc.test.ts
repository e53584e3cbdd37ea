/**
 * Single sign-on through a real OpenID provider (oidc-provider) on loopback, driven through the
 * API with a cookie jar: sign-in, role mapping, role removal, replayed callbacks, key rotation;
 * and through a hand-made provider for what a real one never sends (a forged signature, another
 * audience, an old nonce). On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { claimAt } from '../../src/app/accounts/oidc-provision.js';
import { mappedRole, oidcSettingsFrom, parseRoleMap } from '../../src/app/accounts/oidc-settings.js';
import { listAuditLog } from '../../src/app/accounts/index.js';
import { buildServer, type App } from '../../src/server/app.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { miniKb } from '../attack/mini.js';
import { pgAvailable, requireOrSkip } from '../helpers/env.js';
import { Browser, freePort, RealProvider, signingKey, StandInProvider, throughRealProvider, type TestAccount } from '../helpers/oidc.js';
import { postgresSchemas } from '../helpers/pg.js';

const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: ':memory:' }) }];
if (requireOrSkip('PostgreSQL single sign-on tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_oidc');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next() }) });
  afterAll(() => schemas.dropAll());
}

const ROLE_MAP = 'sec-analysts=analyst,sec-leads=reviewer,sec-admins=admin';

async function hindsight(store: OpenedStore, issuer: string, port: number, extra: Record<string, string> = {}): Promise<{ app: App; base: string }> {
  const base = `http://127.0.0.1:${port}`;
  const oidc = oidcSettingsFrom({ oidcIssuer: issuer, oidcClientId: 'hindsight', publicUrl: base, oidcRoleMap: ROLE_MAP, oidcProviderName: 'Test IdP' }, extra);
  const app = await buildServer({ store, kb: miniKb(), env: {}, precomputeAttribution: false, connectorScheduler: { enabled: false }, oidc, oidcRuntime: { jwksCooldownMs: 0 } });
  await app.listen({ port, host: '127.0.0.1' });
  expect((app.server.address() as AddressInfo).port).toBe(port);
  return { app, base };
}

describe.each(targets)('single sign-on with a real OpenID provider on $name', ({ open }) => {
  const accounts = new Map<string, TestAccount>([
    ['alice', { name: 'Alice Analyst', email: 'Alice@Example.org', preferred_username: 'alice', groups: ['sec-analysts', 'everyone'] }],
    ['bob', { name: 'Bob Lead', email: 'bob@example.org', preferred_username: 'bob', groups: ['sec-analysts', 'sec-leads'] }],
  ]);
  let provider: RealProvider;
  let store: OpenedStore;
  let app: App;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    const providerPort = await freePort();
    provider = new RealProvider(providerPort, accounts, { clientId: 'hindsight', redirectUri: `http://127.0.0.1:${port}/api/auth/oidc/callback` });
    await provider.start((await signingKey('key-1')).privateJwk);
    store = await open();
    ({ app, base } = await hindsight(store, provider.issuer, port));
  });
  afterAll(async () => {
    await app?.close();
    await provider?.stop();
    await store?.close();
  });

  const isCallback = (url: URL) => url.pathname === '/api/auth/oidc/callback';
  /** Signs in as `login` through the provider's pages; returns the browser and where Hindsight sent it. */
  async function signIn(login: string, browser = new Browser(), returnTo?: string) {
    const start = `${base}/api/auth/oidc/login${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`;
    const callback = await throughRealProvider(browser, start, login, isCallback);
    const flowCookie = browser.cookie(base, 'hindsight_oidc_flow');
    const landed = await browser.request(callback);
    return { browser, callback, flowCookie, status: landed.status, location: landed.headers.get('location') ?? '' };
  }
  const me = (browser: Browser) => browser.request(`${base}/api/auth/me`);

  it('says how to sign in: password and "Sign in with Test IdP"', async () => {
    const config = (await fetch(`${base}/api/auth/config`)).json();
    expect(await config).toEqual({ password: true, oidc: { providerName: 'Test IdP', loginUrl: '/api/auth/oidc/login' } });
  });

  it('signs a new person in through the provider (PKCE, state, nonce), creates their account and lands on returnTo', async () => {
    const browser = new Browser();
    const first = await browser.request(`${base}/api/auth/oidc/login?returnTo=${encodeURIComponent('/incidents?severity=high')}`);
    expect(first.status).toBe(302);
    const authorize = new URL(first.headers.get('location') ?? '');
    expect(authorize.origin).toBe(provider.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${base}/api/auth/oidc/callback`);

    const { status, location } = await signIn('alice', browser, '/incidents?severity=high');
    expect(status).toBe(302);
    expect(location).toBe('/incidents?severity=high');
    const who = (await (await me(browser)).json()) as { user: { username: string; role: string; displayName: string; email: string; mustChangePassword: boolean }; via: string };
    expect(who.user).toMatchObject({ username: 'alice', role: 'analyst', displayName: 'Alice Analyst', email: 'alice@example.org', mustChangePassword: false });
    expect(who.via).toBe('session');
    const log = await listAuditLog(store, { entityType: 'user', entityId: 'alice' });
    expect(log.map((e) => [e.action, e.actor])).toContainEqual(['user.add', 'hindsight-sso']);
  });

  it('refuses a returnTo that leaves the application', async () => {
    for (const evil of ['https://evil.example/', '//evil.example/x', '/\\evil.example', '/api/users']) {
      const { location } = await signIn('alice', new Browser(), evil);
      expect(location).toBe('/');
    }
  });

  it('maps the highest role among the groups, and follows a change of groups at the next sign-in', async () => {
    const first = await signIn('bob');
    expect(((await (await me(first.browser)).json()) as { user: { role: string } }).user.role).toBe('reviewer');
    accounts.set('bob', { ...(accounts.get('bob') as TestAccount), groups: ['sec-admins'] });
    const second = await signIn('bob');
    expect(((await (await me(second.browser)).json()) as { user: { role: string } }).user.role).toBe('admin');
  });

  it('a person whose mapped role is gone is refused and loses access: sessions end, account disabled; back when the role is back', async () => {
    const before = await signIn('alice');
    expect((await me(before.browser)).status).toBe(200);
    accounts.set('alice', { ...(accounts.get('alice') as TestAccount), groups: ['everyone'] });
    const refused = await signIn('alice');
    expect(refused.status).toBe(302);
    expect(refused.location).toBe('/?signInError=no-role');
    expect(refused.browser.cookie(base, 'hindsight_session')).toBeUndefined();
    expect((await me(before.browser)).status).toBe(401);
    const users = await app.auth.listUsers();
    expect(users.find((u) => u.username === 'alice')?.disabled).toBe(true);
    const log = await listAuditLog(store, { entityType: 'user', entityId: 'alice' });
    expect(log.map((e) => [e.action, e.actor])).toContainEqual(['user.disable', 'hindsight-sso']);

    accounts.set('alice', { ...(accounts.get('alice') as TestAccount), groups: ['sec-analysts'] });
    const back = await signIn('alice');
    expect(back.location).toBe('/');
    expect((await me(back.browser)).status).toBe(200);
  });

  it('an account an admin disabled stays disabled whatever the provider says', async () => {
    await app.auth.updateUser('bob', { disabled: true }, 'admin');
    const refused = await signIn('bob');
    expect(refused.location).toBe('/?signInError=account-disabled');
    await app.auth.updateUser('bob', { disabled: false }, 'admin');
  });

  it('refuses a replayed callback, and a callback from a browser that did not start the sign-in', async () => {
    const { browser, callback, flowCookie, location } = await signIn('alice');
    expect(location).toBe('/');
    expect(browser.cookie(base, 'hindsight_oidc_flow')).toBeUndefined();
    // The same request again, flow cookie included (as someone who captured it would send it).
    const replayer = new Browser();
    replayer.setCookie(base, 'hindsight_oidc_flow', flowCookie ?? '', '/api/auth/oidc');
    const again = await replayer.request(callback);
    expect(again.headers.get('location')).toBe('/?signInError=sign-in-failed');
    expect(replayer.cookie(base, 'hindsight_session')).toBeUndefined();

    // Login CSRF: someone else's callback URL in a fresh browser.
    const victim = new Browser();
    const attacker = new Browser();
    const attackerCallback = await throughRealProvider(attacker, `${base}/api/auth/oidc/login`, 'bob', isCallback);
    const planted = await victim.request(attackerCallback);
    expect(planted.headers.get('location')).toBe('/?signInError=sign-in-failed');
    expect(victim.cookie(base, 'hindsight_session')).toBeUndefined();
    const failures = (await listAuditLog(store, { limit: 20 })).filter((e) => e.action === 'auth.sign-in-failed');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(failures[0]?.after)).toMatch(/sign-in-failed: this sign-in was already used or expired|not started in this browser/);
  });

  it('follows a rotation of the provider keys: a token signed with a new kid is verified after a fetch of the key set', async () => {
    await signIn('alice');
    await provider.start((await signingKey('key-2')).privateJwk);
    const after = await signIn('alice');
    expect(after.location).toBe('/');
    expect((await me(after.browser)).status).toBe(200);
  });
});

describe.each(targets)('single sign-on refusals on $name', ({ open }) => {
  let standIn: StandInProvider;
  let store: OpenedStore;
  let app: App;
  let base: string;

  beforeAll(async () => {
    standIn = new StandInProvider('hindsight', await signingKey('published'), await signingKey('published'));
    await standIn.start();
    store = await open();
    ({ app, base } = await hindsight(store, standIn.issuer, await freePort()));
  });
  afterAll(async () => {
    await app?.close();
    await standIn?.stop();
    await store?.close();
  });

  async function attempt(): Promise<{ location: string; browser: Browser }> {
    const browser = new Browser();
    const { url } = await browser.follow(`${base}/api/auth/oidc/login`, {}, (u) => u.pathname === '/api/auth/oidc/callback');
    const res = await browser.request(url);
    return { location: res.headers.get('location') ?? '', browser };
  }

  it('signs in with a genuine token from the stand-in', async () => {
    standIn.tampering = {};
    const { location, browser } = await attempt();
    expect(location).toBe('/');
    expect(browser.cookie(base, 'hindsight_session')).toBeDefined();
  });

  it.each([
    ['an id_token signed by another key (same kid)', { forgeSignature: true }],
    ['an id_token for another audience', { audience: 'someone-else' }],
    ['an id_token carrying the nonce of an earlier sign-in (replayed nonce)', { nonce: 'EARLIER' }],
  ])('refuses %s', async (_what, tampering) => {
    standIn.tampering = 'nonce' in tampering ? { nonce: standIn.nonces[0] } : tampering;
    const usersBefore = await app.auth.listUsers();
    const { location, browser } = await attempt();
    expect(location).toBe('/?signInError=sign-in-failed');
    expect(browser.cookie(base, 'hindsight_session')).toBeUndefined();
    expect(await app.auth.listUsers()).toEqual(usersBefore);
  });
});

describe('single sign-on starts', () => {
  it('are limited per client address (each writes a flow record)', async () => {
    const standIn = new StandInProvider('hindsight', await signingKey('k'), await signingKey('k'));
    await standIn.start();
    const store = await openStore({ db: ':memory:' });
    const { app, base } = await hindsight(store, standIn.issuer, await freePort());
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 31; i += 1) statuses.push((await fetch(`${base}/api/auth/oidc/login`, { redirect: 'manual' })).status);
      expect(statuses.slice(0, 30).every((s) => s === 302)).toBe(true);
      expect(statuses[30]).toBe(429);
    } finally {
      await app.close();
      await standIn.stop();
      await store.close();
    }
  });
});

describe('single sign-on as a confidential client', () => {
  it('authenticates at the token endpoint with HINDSIGHT_OIDC_CLIENT_SECRET, and is refused with a wrong one', async () => {
    const port = await freePort();
    const provider = new RealProvider(await freePort(), new Map([['carol', { name: 'Carol', email: 'carol@example.org', preferred_username: 'carol', groups: ['sec-admins'] }]]), { clientId: 'hindsight', redirectUri: `http://127.0.0.1:${port}/api/auth/oidc/callback`, clientSecret: 'the-right-client-secret' });
    await provider.start((await signingKey('secret-key')).privateJwk);
    const isCallback = (url: URL) => url.pathname === '/api/auth/oidc/callback';
    try {
      for (const [secret, landing] of [['the-right-client-secret', '/'], ['a-wrong-client-secret', '/?signInError=sign-in-failed']] as const) {
        const store = await openStore({ db: ':memory:' });
        const { app, base } = await hindsight(store, provider.issuer, port, { HINDSIGHT_OIDC_CLIENT_SECRET: secret });
        try {
          const browser = new Browser();
          const callback = await throughRealProvider(browser, `${base}/api/auth/oidc/login`, 'carol', isCallback);
          expect((await browser.request(callback)).headers.get('location')).toBe(landing);
        } finally {
          await app.close();
          await store.close();
        }
      }
    } finally {
      await provider.stop();
    }
  });
});

describe('single sign-on claims', () => {
  it('reads a role claim by a dotted path into nested claims (Keycloak realm roles)', () => {
    const claims = { sub: 'x', realm_access: { roles: ['offline_access', 'sec-leads'] }, 'cognito:groups': ['sec-admins'] };
    expect(mappedRole(claimAt(claims, 'realm_access.roles'), parseRoleMap(ROLE_MAP))).toBe('reviewer');
    expect(mappedRole(claimAt(claims, 'cognito:groups'), parseRoleMap(ROLE_MAP))).toBe('admin');
    expect(claimAt(claims, 'realm_access.nothing.here')).toBeUndefined();
    expect(mappedRole(['sec-analysts', 'sec-admins', 'sec-leads'], parseRoleMap(ROLE_MAP))).toBe('admin');
    expect(mappedRole('marketing', parseRoleMap(ROLE_MAP))).toBeUndefined();
  });
});

describe('single sign-on settings', () => {
  it('refuses a plain-http issuer off loopback, a bad role map, and --oidc-only without an issuer', () => {
    const base = { oidcClientId: 'x', publicUrl: 'https://hindsight.example', oidcRoleMap: ROLE_MAP };
    expect(() => oidcSettingsFrom({ ...base, oidcIssuer: 'http://idp.example' }, {})).toThrow(/https/);
    expect(oidcSettingsFrom({ ...base, oidcIssuer: 'http://127.0.0.1:9000' }, {})?.issuer.href).toBe('http://127.0.0.1:9000/');
    expect(() => oidcSettingsFrom({ ...base, oidcIssuer: 'https://idp.example', oidcRoleMap: 'sec=root' }, {})).toThrow(/not a role/);
    expect(() => oidcSettingsFrom({}, { HINDSIGHT_OIDC_ONLY: 'true' })).toThrow(/needs --oidc-issuer/);
    const fromEnv = oidcSettingsFrom({}, { HINDSIGHT_OIDC_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0', HINDSIGHT_OIDC_CLIENT_ID: 'app', HINDSIGHT_PUBLIC_URL: 'https://h.example', HINDSIGHT_OIDC_ROLE_MAP: ROLE_MAP, HINDSIGHT_OIDC_ROLE_CLAIM: 'roles', HINDSIGHT_OIDC_ONLY: '1', HINDSIGHT_OIDC_CLIENT_SECRET: 's3cret' });
    expect(fromEnv).toMatchObject({ clientId: 'app', roleClaim: 'roles', only: true, clientSecret: 's3cret', providerName: 'login.microsoftonline.com' });
  });
});
