/**
 * Browser end-to-end: the built web application served by the team server, driven in Debian's
 * Chromium. Screenshots of every screen go to test-artifacts/e2e/ (git-ignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { App } from '../../src/server/app.js';
import { projectRoot, sharedDir } from '../helpers/env.js';
import { browserReady, launchChromium, signIn as signInAt, sigmaRules, startWebServer, type WebServer } from './browser-harness.js';

const ready = browserReady('browser e2e');
const artifacts = join(projectRoot, 'test-artifacts', 'e2e');

describe.runIf(ready)('web application in Chromium', () => {
  let server: WebServer;
  let app: App;
  let browser: Browser;
  let base: string;
  let incidentId: string;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startWebServer({ examples: ['ransomware.json', 'phishing-credential-theft.json'], roles: ['viewer', 'analyst', 'reviewer', 'admin'], displayNames: true, server: { rules: sigmaRules() } });
    ({ app, base } = server);
    incidentId = server.ids[0] as string;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const signIn = (username: string): Promise<Page> => signInAt(browser, base, username, { viewport: { width: 1366, height: 768 } });
  const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage });

  it('signs in, opens an incident, adds a finding and an action item, and submits the review (analyst)', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const first = await context.newPage();
    await first.goto(`${base}/`);
    await first.getByRole('heading', { name: 'Sign in to Hindsight' }).waitFor();
    await first.getByLabel('User name').fill('analyst');
    await first.getByLabel('Password').fill('wrong-password-000');
    await first.getByRole('button', { name: 'Sign in' }).click();
    await first.getByRole('alert').filter({ hasText: 'wrong' }).waitFor();
    await shot(first, '01-sign-in');
    await context.close();

    const page = await signIn('analyst');
    await page.locator('tbody tr').first().waitFor();
    await page.getByLabel(/Import files/).setInputFiles(join(projectRoot, 'examples', 'identity-attack.json'));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Imported 1 incident(s): 1 new, 0 updated, 0 unchanged').waitFor();
    await page.getByText('3 incident(s)').waitFor();
    await shot(page, '02-incidents');
    await page.getByLabel('Search').fill('zzz-no-such-incident');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('0 incident(s)').waitFor();
    await page.getByLabel('Search').fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('tbody tr').first().waitFor();

    await page.goto(`${base}/#/incidents/${incidentId}`);
    await page.getByRole('heading', { name: /^Findings/ }).waitFor();
    await shot(page, '03-incident-review');
    await shot(page, '03b-incident-review-full', true);

    await page.getByLabel('When (UTC)').fill('2026-02-10T09:30:00');
    await page.getByLabel('New event').fill('SOC lead called the incident response retainer');
    await page.getByLabel('Phase', { exact: true }).selectOption('containment');
    await page.getByLabel('Key moment', { exact: true }).check();
    await page.getByRole('button', { name: 'Add event' }).click();
    await page.getByText('Event added to the timeline').waitFor();
    await page.getByRole('button', { name: 'Delete event SOC lead called the incident response retainer' }).waitFor();

    await page.getByLabel('New finding').fill('EDR ran in audit mode on the file server');
    await page.getByLabel('Severity', { exact: true }).selectOption('high');
    await page.getByRole('button', { name: 'Add finding' }).click();
    await page.getByText('Finding added').waitFor();
    await page.locator('strong', { hasText: 'EDR ran in audit mode on the file server' }).waitFor();

    await page.getByLabel('New action item').fill('Switch EDR to block mode on all servers');
    const addAction = page.getByRole('form', { name: 'Add an action item' });
    await addAction.getByLabel('Owner').fill('alice@example.org');
    await addAction.getByLabel('Due').fill('2020-02-01');
    await page.getByRole('button', { name: 'Add action' }).click();
    await page.getByText('Action item added').waitFor();
    await page.getByRole('cell', { name: 'Switch EDR to block mode on all servers', exact: true }).waitFor();

    // Someone else edits the finding first: the stale edit is refused with who and when.
    const finding = (await app.inject({ url: `/api/incidents/${incidentId}`, headers: { authorization: `Bearer ${(await app.auth.createToken('reviewer', 'e2e', 'test')).token}` } })).json() as { report: { findings: { id: string; version: number }[] } };
    const f = finding.report.findings[0];
    const reviewerToken = (await app.auth.createToken('reviewer', 'e2e2', 'test')).token;
    await page.getByRole('button', { name: /Edit details of finding/ }).click();
    await app.inject({ method: 'PATCH', url: `/api/findings/${f?.id}`, headers: { authorization: `Bearer ${reviewerToken}` }, payload: { title: 'EDR in audit mode (reviewer wording)', expectedVersion: f?.version } });
    await page.getByRole('form', { name: /^Edit finding/ }).getByLabel('Title', { exact: true }).fill('My wording');
    await page.getByRole('button', { name: 'Save finding', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Someone else changed this first' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/changed by reviewer/);
    await page.locator('strong', { hasText: 'EDR in audit mode (reviewer wording)' }).waitFor();
    await shot(page, '04-conflict-message');

    await page.getByRole('button', { name: 'Start draft' }).click().catch(() => undefined);
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByText('Review: submit done').waitFor();
    await page.getByRole('heading', { name: /Review in-review/ }).waitFor();
    await page.context().close();
  });

  it('approves the review as a reviewer', async () => {
    const page = await signIn('reviewer');
    await page.goto(`${base}/#/incidents/${incidentId}`);
    await page.getByRole('button', { name: 'Approve…' }).click();
    await page.getByLabel('Was the response sufficient?').selectOption('sufficient');
    const override = page.getByLabel('The review is incomplete: why approve anyway?');
    if (await override.count()) await override.fill('Lessons-learned answers follow in the next team meeting');
    await shot(page, '05-approve-form');
    await page.getByRole('button', { name: 'Confirm approve' }).click();
    await page.getByText('Review: approve done').waitFor();
    await page.getByRole('heading', { name: /Review approved/ }).waitFor();
    await page.getByText(/Approved by reviewer/).waitFor();
    await shot(page, '06-approved');
    await page.context().close();
  });

  it('is refused as a viewer: no editing controls, and the server answers 403 to a write', async () => {
    const page = await signIn('viewer');
    await page.goto(`${base}/#/incidents/${incidentId}`);
    await page.getByRole('heading', { name: /^Findings/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Add finding' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Approve…' }).count()).toBe(0);
    await page.getByText('You have read access (viewer).').waitFor();
    const status = await page.evaluate(async (id) => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const res = await fetch(`/api/incidents/${id}/findings`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify({ category: 'process-flaw', title: 'viewer tries' }) });
      return res.status;
    }, incidentId);
    expect(status).toBe(403);
    await shot(page, '07-viewer-read-only');
    await page.goto(`${base}/#/admin`);
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await page.context().close();
  });

  it('shows action items, the ATT&CK matrix with technique details, attribution and administration', async () => {
    const page = await signIn('admin');
    await page.goto(`${base}/#/actions`);
    await page.getByRole('heading', { name: 'Action items across incidents' }).waitFor();
    await page.getByRole('cell', { name: 'Switch EDR to block mode on all servers', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Overdue', exact: true }).click();
    await page.getByText(/1 item\(s\), 1 overdue/).waitFor();
    await shot(page, '08-action-items');

    await page.goto(`${base}/#/matrix`);
    await page.locator('.tech.scored').first().waitFor();
    await page.locator('.tech.scored').first().click();
    await page.locator('aside.details h2').waitFor();
    await shot(page, '09-matrix');
    if (existsSync(join(sharedDir() ?? '', 'detections', 'sigma', 'rules'))) {
      await page.getByRole('button', { name: 'Gaps' }).click();
      await page.getByText(/technique\(s\) scored from \d+ rules/).waitFor({ timeout: 60_000 });
      await page.locator('.tech.scored').first().click();
      await page.locator('.layer-comment').waitFor();
      await shot(page, '09b-matrix-gaps');
      await page.getByRole('button', { name: 'Coverage' }).click();
      await shot(page, '09c-matrix-coverage');
    }

    await page.goto(`${base}/#/incidents/${incidentId}/attribution`);
    await page.locator('.statement').waitFor();
    await shot(page, '10-attribution', true);

    await page.goto(`${base}/#/admin`);
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByText(/Intact: \d+ entries/).waitFor();
    // An admin makes tokens for themselves or a service account, never for another person.
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText(/New token \(shown once\)/).waitFor();
    expect(await page.locator('.secret code').textContent()).toMatch(/^hs_/);
    await shot(page, '11-admin', true);
    await page.context().close();
  });
});
