/**
 * The audit log screen in Chromium: an admin filters the trail by action and incident and sees the write on an incident restricted to others as who/what/when without content;
 * a reviewer sees the entries about incidents they may see and a count of the rest; a bad filter
 * is refused with the server's one line. Screenshots go to test-artifacts/e2e/ (and to
 * HINDSIGHT_SCREENSHOT_DIR when set).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { projectRoot } from '../helpers/env.js';
import { browserReady, launchChromium, signIn as signInAt, startWebServer, type WebServer } from './browser-harness.js';

const ready = browserReady('audit log e2e');
const artifacts = join(projectRoot, 'test-artifacts', 'e2e');

describe.runIf(ready)('Audit log screen in Chromium', () => {
  let server: WebServer;
  let browser: Browser;
  let base: string;
  let restricted: string;
  let other: string;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startWebServer({
      examples: ['ransomware.json', 'phishing-credential-theft.json'],
      importOptions: { audit: { actor: 'cli:ops' } },
      roles: ['viewer', 'analyst', 'reviewer', 'admin'],
      addedBy: 'cli:ops',
      server: { precomputeAttribution: false, connectorScheduler: { enabled: false } },
      prepare: async (app, ids) => {
        [restricted, other] = ids as [string, string];
        await app.auth.restrictIncident(restricted, ['analyst'], 'admin');
        const analyst = (await app.auth.createToken('analyst', 'e2e', 'cli:ops')).token;
        for (const [id, title] of [[restricted, 'Backups reachable from the domain'], [other, 'No alert on the phishing mail']] as const) {
          const res = await app.inject({ method: 'POST', url: `/api/incidents/${id}/findings`, headers: { authorization: `Bearer ${analyst}` }, payload: { category: 'technical-lapse', title } });
          expect(res.statusCode, res.body).toBe(200);
        }
        await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'mallory', password: 'Winter2026!' } });
      },
    });
    base = server.base;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const signIn = (username: string): Promise<Page> => signInAt(browser, base, username);

  async function openAuditLog(username: string): Promise<Page> {
    const page = await signIn(username);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    return page;
  }
  const shot = async (page: Page, name: string) => {
    await page.screenshot({ path: join(artifacts, name), fullPage: true });
    if (process.env.HINDSIGHT_SCREENSHOT_DIR) await page.screenshot({ path: join(process.env.HINDSIGHT_SCREENSHOT_DIR, name), fullPage: true });
  };

  it('lets an admin filter the whole trail, restricted writes redacted, and a reviewer see only what they may', async () => {
    const page = await openAuditLog('admin');
    const rows = page.getByRole('table').getByRole('row');
    // The failed sign-in, by nobody signed in, with the name as typed.
    await page.getByRole('row', { name: /anonymous auth\.sign-in-failed sign-in: mallory/ }).waitFor();
    // The analyst's write on the incident restricted to them: who, what, when; not the content.
    const redacted = page.getByRole('row', { name: /analyst finding\.add finding: restricted incident/ });
    await redacted.getByText('content withheld').waitFor();
    await page.getByText(/1 shown without content/).waitFor();
    expect(await page.content()).not.toContain('Backups reachable from the domain');
    await shot(page, 'audit-log-admin.png');

    // Filter: one action.
    await page.getByLabel('Action').selectOption('finding.add');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText(/^2 entries/).waitFor();
    expect(await rows.count()).toBe(3);
    // Filter: an incident, and open its change.
    await page.getByLabel('Incident').fill(other);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText(/^1 entry/).waitFor();
    await page.getByText('Before / after').click();
    await page.getByText('No alert on the phishing mail', { exact: false }).first().waitFor();
    await shot(page, 'audit-log-filtered.png');

    // A date that is not on the calendar is refused with the server's line (typed through the API's own check).
    await page.getByRole('button', { name: 'Clear' }).click();
    const refused = await page.evaluate(async () => (await fetch('/api/audit?since=2026-02-30')).status);
    expect(refused).toBe(400);
    // One page holds the whole trail here: nothing older.
    expect(await page.getByRole('button', { name: 'Older' }).isDisabled()).toBe(true);
    await page.context().close();

    const reviewer = await openAuditLog('reviewer');
    await reviewer.getByText(/entries hidden \(about incidents or accounts you may not see\)|entry hidden/).waitFor();
    await reviewer.getByRole('row', { name: /analyst finding\.add/ }).first().waitFor();
    // The import of both incidents counts only the one the reviewer may see.
    await reviewer.getByRole('row', { name: /incident\.import import: 1 incidents/ }).waitFor();
    const html = await reviewer.content();
    expect(html).not.toContain('mallory');
    expect(html).not.toContain(restricted);
    expect(html).not.toContain('Backups reachable from the domain');
    await shot(reviewer, 'audit-log-reviewer.png');
    await reviewer.context().close();
  });

  it('lets a viewer make, see and revoke their own read token, and no audit log', async () => {
    const page = await signIn('viewer');
    expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('heading', { name: 'My API tokens' }).waitFor();
    const form = page.getByRole('form', { name: 'Create an API token' });
    expect(await form.getByLabel('Scope').locator('option').allTextContents()).toEqual(['read']);
    await form.getByLabel('Purpose').fill('dashboard');
    await form.getByLabel('Expires in (days)').fill('30');
    await form.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.locator('.secret code').textContent();
    expect(secret).toMatch(/^hs_/);
    const row = page.getByRole('row', { name: /^dashboard/ });
    await row.getByText('read', { exact: true }).waitFor();
    const works = await page.evaluate(async (token) => (await fetch('/api/incidents', { headers: { authorization: `Bearer ${token}` } })).status, secret);
    expect(works).toBe(200);
    await shot(page, 'my-tokens.png');
    await page.getByRole('button', { name: 'Revoke dashboard' }).click();
    await row.getByText(/revoked .* \(revoked\)/).waitFor();
    const refused = await page.evaluate(async (token) => (await fetch('/api/incidents', { headers: { authorization: `Bearer ${token}` } })).status, secret);
    expect(refused).toBe(401);
    await page.context().close();
  });
});
