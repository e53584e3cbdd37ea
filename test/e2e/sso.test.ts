/**
 * Browser end-to-end of single sign-on: Chromium signs in through a real OpenID provider
 * (oidc-provider's login and consent pages) on loopback and lands in the application; a person the
 * role map gives nothing is sent back with a clear message; a generated first password must be
 * changed before anything else. Screenshots go to test-artifacts/e2e-sso/ (or HINDSIGHT_SHOTS_DIR).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { oidcSettingsFrom } from '../../src/app/accounts/oidc-settings.js';
import type { App } from '../../src/server/app.js';
import { miniKb } from '../attack/mini.js';
import { artifactsDir, isCI } from '../helpers/env.js';
import { freePort, RealProvider, signingKey, type TestAccount } from '../helpers/oidc.js';
import { browserReady, launchChromium, startWebServer, type WebServer } from './browser-harness.js';

const ready = browserReady('single sign-on e2e', { attack: false });
const shots = artifactsDir('e2e-sso');

describe.runIf(ready)('single sign-on in Chromium', () => {
  const accounts = new Map<string, TestAccount>([
    ['dana', { name: 'Dana Responder', email: 'dana@example.org', preferred_username: 'dana', groups: ['sec-leads'] }],
    ['eve', { name: 'Eve Outsider', email: 'eve@example.org', preferred_username: 'eve', groups: ['marketing'] }],
  ]);
  let provider: RealProvider;
  let server: WebServer;
  let app: App;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    provider = new RealProvider(await freePort(), accounts, { clientId: 'hindsight', redirectUri: `${base}/api/auth/oidc/callback` });
    await provider.start((await signingKey('e2e-key')).privateJwk);
    const oidc = oidcSettingsFrom({ oidcIssuer: provider.issuer, oidcClientId: 'hindsight', publicUrl: base, oidcRoleMap: 'sec-analysts=analyst,sec-leads=reviewer,sec-admins=admin', oidcProviderName: 'Contoso SSO' }, {});
    server = await startWebServer({ port, server: { kb: miniKb(), precomputeAttribution: false, connectorScheduler: { enabled: false }, oidc } });
    app = server.app;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await provider?.stop();
  });

  async function page(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    const p = await context.newPage();
    p.setDefaultTimeout(isCI ? 30_000 : 15_000);
    return p;
  }
  const shot = (p: Page, name: string) => p.screenshot({ path: join(shots, `${name}.png`) });

  /** From the sign-in screen through the provider's login and consent pages. */
  async function throughProvider(p: Page, login: string): Promise<void> {
    await p.getByRole('link', { name: 'Sign in with Contoso SSO' }).click();
    await p.waitForURL((url) => url.origin === provider.issuer);
    await p.locator('input[name="login"]').fill(login);
    await p.locator('input[name="password"]').fill('any-password');
    await shot(p, `02-provider-login-${login}`);
    await p.getByRole('button', { name: 'Sign-in' }).click();
    await p.getByRole('button', { name: 'Continue' }).waitFor();
    await shot(p, `03-provider-consent-${login}`);
    await p.getByRole('button', { name: 'Continue' }).click();
  }

  it('signs in through the provider and lands in the application with the mapped role', async () => {
    const p = await page();
    await p.goto(`${base}/`);
    await p.getByRole('heading', { name: 'Sign in to Hindsight' }).waitFor();
    await shot(p, '01-sign-in-with-sso');
    await throughProvider(p, 'dana');
    await p.getByText('Dana Responder').waitFor();
    expect(new URL(p.url()).origin).toBe(base);
    expect(await p.locator('.who .role').textContent()).toBe('reviewer');
    await shot(p, '04-signed-in');
    await p.context().close();
  });

  it('sends a person the role map gives nothing back to the sign-in screen with a clear message', async () => {
    const p = await page();
    await p.goto(`${base}/`);
    await throughProvider(p, 'eve');
    await p.getByRole('alert').filter({ hasText: 'gives no access to Hindsight' }).waitFor();
    expect(new URL(p.url()).search).toBe('');
    await shot(p, '05-refused-no-role');
    await p.context().close();
  });

  it('makes an account with a generated password choose its own before anything else', async () => {
    const generated = 'Fq3vZ8mK2pWx7LtR9bNc4HjD';
    await app.auth.addUser({ username: 'admin', role: 'admin', password: generated, mustChangePassword: true }, 'test');
    const p = await page();
    await p.goto(`${base}/`);
    await p.getByLabel('User name').fill('admin');
    await p.getByLabel('Password', { exact: true }).fill(generated);
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await p.getByRole('heading', { name: 'Choose your own password' }).waitFor();
    await p.getByLabel('Current password').fill(generated);
    await p.getByLabel('New password', { exact: true }).fill('passwordpassword');
    await p.getByLabel('New password again').fill('passwordpassword');
    await p.getByRole('button', { name: 'Change password' }).click();
    await p.getByRole('alert').filter({ hasText: 'too easy to guess' }).waitFor();
    await shot(p, '06-first-password-refused');
    await p.getByLabel('New password', { exact: true }).fill('Orchid-Basalt-Lantern-52');
    await p.getByLabel('New password again').fill('Orchid-Basalt-Lantern-52');
    await p.getByRole('button', { name: 'Change password' }).click();
    await p.getByRole('heading', { name: 'Incidents' }).waitFor();
    await shot(p, '07-after-first-password');
    await p.context().close();
  });
});
