/**
 * The review as a team works it, in Chromium: the evidence on screen (comments, alerts, history),
 * a conflict resolved by a three-way merge that can never overwrite unseen work, drafts kept across
 * a reload and an expired session (which signs in again in place and comes back), noise hidden from
 * the report, the approved review locked with a one-click Reopen, and the action items across
 * incidents. Screenshots at 1440x900 and 1280x720 go to test-artifacts/e2e/review/ (and to
 * HINDSIGHT_SHOTS_DIR when set).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { App } from '../../src/server/app.js';
import { projectRoot } from '../helpers/env.js';
import { browserReady, launchChromium, PASSWORD, signIn as signInAt, startWebServer, type WebServer } from './browser-harness.js';

const ready = browserReady('review e2e');
const shotsDirs = [join(projectRoot, 'test-artifacts', 'e2e', 'review'), ...(process.env.HINDSIGHT_SHOTS_DIR ? [process.env.HINDSIGHT_SHOTS_DIR] : [])];
const VIEWPORTS = [{ width: 1440, height: 900 }, { width: 1280, height: 720 }] as const;

describe.runIf(ready)('the review screen in Chromium', () => {
  let server: WebServer;
  let app: App;
  let browser: Browser;
  let base: string;
  let incidentId: string;
  let bearer: Record<string, string>;

  beforeAll(async () => {
    for (const d of shotsDirs) mkdirSync(d, { recursive: true });
    server = await startWebServer({
      examples: ['ransomware.json', 'phishing-credential-theft.json'],
      roles: ['analyst', 'reviewer'],
      displayNames: true,
      // Several sign-ins a minute from one address: above the default limit meant for guessing.
      server: { loginAttemptsPerMinute: 100 },
      prepare: async (app, ids) => {
        incidentId = ids[0] as string;
        bearer = { authorization: `Bearer ${(await app.auth.createToken('reviewer', 'e2e', 'test')).token}` };
        const finding = (await app.inject({ method: 'POST', url: `/api/incidents/${incidentId}/findings`, headers: bearer, payload: { category: 'technical-lapse', title: 'EDR ran in audit mode', description: 'The EDR policy on the file servers was never switched from audit to block.', contributingFactors: ['no change review of EDR policies', 'alerts in audit mode are low severity'], techniques: ['T1486'], evidence: ['EDR policy export 2026-02-10'] } })).json() as { id: string };
        await app.inject({ method: 'POST', url: `/api/incidents/${incidentId}/action-items`, headers: bearer, payload: { type: 'fix', title: 'Switch EDR to block mode on all servers', owner: 'analyst', dueDate: '2020-02-01', findingId: finding.id, priority: 'high' } });
        await app.inject({ method: 'POST', url: `/api/incidents/${incidentId}/action-items`, headers: bearer, payload: { type: 'training', title: 'Phishing drill for HR', owner: 'reviewer', dueDate: new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10) } });
      },
    });
    ({ app, base } = server);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const signIn = (context: BrowserContext, username: string, hash = ''): Promise<Page> => signInAt(context, base, username, { hash, timeout: 20_000, until: 'navigation' });
  const shoot = async (page: Page, name: string) => {
    for (const d of shotsDirs) await page.screenshot({ path: join(d, `${name}.png`) });
  };
  const section = async (page: Page, headingId: string) => page.evaluate(`document.getElementById(${JSON.stringify(headingId)})?.closest('section')?.scrollIntoView({ block: 'start' })`);

  it('shows comments, alerts with evidence, findings with their links and the history', async () => {
    for (const viewport of VIEWPORTS) {
      const context = await browser.newContext({ viewport });
      const page = await signIn(context, 'analyst', `#/incidents/${incidentId}`);
      await page.getByRole('heading', { name: /^History/ }).waitFor();
      const size = `${viewport.width}x${viewport.height}`;
      // The comment text of the source is on screen, not only in the API's `detail`.
      await page.getByText('Triage: macro document from HR mailbox led to Cobalt Strike beacon', { exact: false }).first().waitFor();
      await page.locator('.event-detail[open]').filter({ hasText: 'Triage: macro document' }).first().scrollIntoViewIfNeeded();
      await page.evaluate('window.scrollBy(0, -120)');
      await shoot(page, `review-timeline-comments-${size}`);
      await section(page, 'alerts-title');
      expect(await page.locator('#alerts-title').textContent()).toMatch(/Alerts \d+/);
      expect(await page.locator('table.alerts tbody tr').count()).toBeGreaterThan(0);
      await shoot(page, `review-alerts-${size}`);
      await section(page, 'findings-title');
      await page.locator('.finding-facts').getByText('no change review of EDR policies').waitFor();
      await shoot(page, `review-findings-${size}`);
      await section(page, 'history-title');
      await page.locator('table.history tbody tr').first().waitFor();
      await shoot(page, `review-history-${size}`);
      await context.close();
    }
  }, 120_000);

  it('resolves a conflict with a three-way merge and never overwrites unseen work', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS[0] });
    const page = await signIn(context, 'analyst', `#/incidents/${incidentId}`);
    await page.getByRole('heading', { name: /^History/ }).waitFor();
    const readSummary = async () => ((await app.inject({ url: `/api/incidents/${incidentId}`, headers: bearer })).json() as { report: { sections: { key: string; body: string; version: number }[] } }).report.sections.find((s) => s.key === 'summary');
    const start = await readSummary();
    await page.getByRole('button', { name: 'Edit Summary' }).click();
    const mine = `${start?.body ?? ''}\nAnalyst: the beacon was found by the EDR sweep.`;
    await page.getByLabel('Summary', { exact: true }).fill(mine);
    // A colleague saves first, changing the opening words.
    const theirs = `Reviewer note. ${start?.body ?? ''}`;
    expect((await app.inject({ method: 'PUT', url: `/api/incidents/${incidentId}/sections/summary`, headers: bearer, payload: { body: theirs, expectedVersion: start?.version } })).statusCode).toBe(200);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: /a colleague saved a change while you were editing/ }).waitFor();
    expect(await page.getByLabel('Their version (Reviewer User', { exact: false }).inputValue().catch(() => page.locator('textarea[id$="-theirs"]').inputValue())).toBe(theirs);
    const merged = page.getByLabel('Merged text (edit it freely before saving)');
    // Edits on different parts merge by themselves: both are in the proposal.
    expect(await merged.inputValue()).toContain('Reviewer note.');
    expect(await merged.inputValue()).toContain('found by the EDR sweep');
    await page.locator('.merge').scrollIntoViewIfNeeded();
    await shoot(page, 'merge-view-1440x900');
    await page.setViewportSize(VIEWPORTS[1]);
    await shoot(page, 'merge-view-1280x720');
    await page.setViewportSize(VIEWPORTS[0]);

    // Another save lands while the merge is on screen: saving the merge must not overwrite it.
    const second = await readSummary();
    const third = `${second?.body ?? ''} Second reviewer edit.`;
    expect((await app.inject({ method: 'PUT', url: `/api/incidents/${incidentId}/sections/summary`, headers: bearer, payload: { body: third, expectedVersion: second?.version } })).statusCode).toBe(200);
    await page.getByRole('button', { name: /^Save merged text over version/ }).click();
    // Refused (409): the newer version is shown in turn; both sides added to the end, so that is a
    // conflict to decide before the save button comes back.
    await page.getByRole('button', { name: 'Choose 1 more' }).waitFor();
    expect(await page.getByRole('button', { name: 'Choose 1 more' }).isDisabled()).toBe(true);
    expect((await readSummary())?.body).toBe(third);
    await page.getByRole('radio', { name: 'Both, yours first' }).check();
    await page.getByRole('button', { name: `Save merged text over version ${(second?.version ?? 0) + 1}` }).click();
    await page.getByText('Summary saved').waitFor();
    const final = await readSummary();
    expect(final?.body).toContain('Second reviewer edit.');
    expect(final?.body).toContain('Reviewer note.');
    expect(final?.body).toContain('found by the EDR sweep');
    expect(final?.version).toBe((second?.version ?? 0) + 2);
    await context.close();
  }, 120_000);

  it('keeps drafts across a reload and an expired session, and warns before leaving', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS[0] });
    const page = await signIn(context, 'analyst', `#/incidents/${incidentId}`);
    await page.getByRole('heading', { name: /^History/ }).waitFor();
    await page.getByRole('button', { name: 'Edit Answer 1', exact: true }).click();
    await page.getByLabel('Answer 1', { exact: true }).fill('Detected by the EDR behavioural rule 14 minutes after the first beacon.');
    const dialogs: string[] = [];
    // Leaving for another screen asks (refused here); reloading asks too (accepted here).
    page.on('dialog', (d) => { dialogs.push(`${d.type()}: ${d.message()}`); void (d.type() === 'beforeunload' ? d.accept() : d.dismiss()); });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Action items' }).click();
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toMatch(/^confirm: .*not saved yet/);
    expect(page.url()).toContain(`#/incidents/${incidentId}`);
    expect(await page.getByLabel('Answer 1', { exact: true }).inputValue()).toMatch(/14 minutes/);

    await page.reload();
    expect(dialogs[1]).toMatch(/^beforeunload/);
    await page.getByText(/Draft restored from this browser/).waitFor();
    expect(await page.getByLabel('Answer 1', { exact: true }).inputValue()).toMatch(/14 minutes/);

    // The session ends (signed out elsewhere): the next call shows the sign-in, not raw text.
    await context.clearCookies();
    // The next call, this Save or a panel's own refresh, whichever comes first, meets the ended session.
    await page.locator('form', { has: page.getByLabel('Answer 1', { exact: true }) }).getByRole('button', { name: 'Save', exact: true }).click({ timeout: 5_000 }).catch(() => undefined);
    await page.getByText('Your session has expired').waitFor();
    await shoot(page, 'session-expired-1440x900');
    await page.getByLabel('User name').fill('analyst');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /^History/ }).waitFor();
    expect(page.url()).toContain(`#/incidents/${incidentId}`);
    expect(await page.getByLabel('Answer 1', { exact: true }).inputValue()).toMatch(/14 minutes/);
    await page.locator('form', { has: page.getByLabel('Answer 1', { exact: true }) }).getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Answer 1 saved').waitFor();
    await context.close();
  }, 120_000);

  it('hides noise from the report, locks the approved review and reopens it in one click', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS[0] });
    const page = await signIn(context, 'reviewer', `#/incidents/${incidentId}`);
    await page.getByRole('heading', { name: /^History/ }).waitFor();
    const firstEvent = page.locator('.timeline-list .event').first();
    const title = (await firstEvent.locator('.event-title').textContent()) ?? '';
    await firstEvent.getByRole('button', { name: 'Hide as noise…' }).click();
    await page.getByLabel('Why is it noise?').fill('duplicate of the alert creation');
    await page.getByRole('button', { name: 'Hide', exact: true }).click();
    await page.getByText('Event hidden (left out of the report)').waitFor();
    await page.getByLabel('Show hidden events').check();
    await page.getByText('Hidden from the report: duplicate of the alert creation').waitFor();
    const md = (await app.inject({ url: `/api/incidents/${incidentId}/report?format=md`, headers: bearer })).body;
    expect(md).toMatch(/1 event hidden by the reviewers/);
    expect(title.length).toBeGreaterThan(0);

    // Four eyes: an analyst submits, the reviewer approves.
    const analystBearer = { authorization: `Bearer ${(await app.auth.createToken('analyst', 'e2e', 'test')).token}` };
    for (const name of ['submit', 'approve'] as const) {
      const res = await app.inject({ method: 'POST', url: `/api/incidents/${incidentId}/review/${name}`, headers: name === 'submit' ? analystBearer : bearer, payload: name === 'approve' ? { sufficiency: 'sufficient', overrideIncomplete: 'accepted as is for the end-to-end test' } : {} });
      expect(res.statusCode, res.body).toBe(200);
    }
    await page.reload();
    await page.getByText(/its content is locked and shown read-only/).waitFor();
    expect(await page.getByRole('button', { name: /^Edit / }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add finding' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Close the incident…' }).waitFor();
    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.getByText('Review: reopen done').waitFor();
    await page.getByRole('button', { name: 'Edit Summary' }).waitFor();
    await context.close();
  }, 120_000);

  it('lists action items across incidents with titles, search, views and CSV', async () => {
    for (const viewport of VIEWPORTS) {
      const context = await browser.newContext({ viewport });
      const page = await signIn(context, 'analyst', '#/actions');
      await page.getByRole('heading', { name: 'Action items across incidents' }).waitFor();
      await page.getByRole('button', { name: 'All', exact: true }).click();
      await page.getByRole('cell', { name: 'Switch EDR to block mode on all servers' }).waitFor();
      const incidentTitle = ((await app.inject({ url: `/api/incidents/${incidentId}`, headers: bearer })).json() as { report: { incident: { title: string } } }).report.incident.title;
      await page.getByRole('link', { name: incidentTitle }).first().waitFor();
      await shoot(page, `action-items-${viewport.width}x${viewport.height}`);
      await page.getByLabel('Search owner or title').fill('phsh drll');
      await page.getByText('1 item(s), 0 overdue').waitFor();
      await page.getByRole('cell', { name: 'Phishing drill for HR' }).waitFor();
      const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
      expect(href).toMatch(/format=csv/);
      expect(href).toMatch(/q=phsh\+drll/);
      await context.close();
    }
  }, 120_000);
});
