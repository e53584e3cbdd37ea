/**
 * Browser end-to-end of templates, tasks, people and "my work": the built web application served
 * by the team server, driven in Chromium. Screenshots at 1440x900 and 1280x720 go to
 * test-artifacts/e2e/tasks/ (git-ignored); axe-core must find no serious or critical violation.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { App } from '../../src/server/app.js';
import { addActionItem, makeReviewTransition } from '../../src/app/review/index.js';
import type { OpenedStore } from '../../src/store/index.js';
import { artifactsDir } from '../helpers/env.js';
import { axeViolations, browserReady, launchChromium, signIn as signInAt, startWebServer, type WebServer } from './browser-harness.js';

const ready = browserReady('browser e2e');
const artifacts = artifactsDir('e2e', 'tasks');

describe.runIf(ready)('templates, tasks and my work in Chromium', () => {
  let server: WebServer;
  let store: OpenedStore;
  let app: App;
  let browser: Browser;
  let base: string;
  let incidentId: string;
  let otherId: string;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startWebServer({
      examples: ['ransomware.json', 'phishing-credential-theft.json'],
      roles: ['viewer', 'analyst', 'reviewer', 'admin'],
      displayNames: true,
      emailDomain: 'example.org',
      server: { precomputeAttribution: false, connectorScheduler: { enabled: false }, loginAttemptsPerMinute: 100 },
    });
    ({ app, store, base } = server);
    [incidentId, otherId] = server.ids as [string, string];
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const signIn = (username: string, viewport = { width: 1440, height: 900 }): Promise<Page> => signInAt(browser, base, username, { viewport, bypassCSP: true, failureShot: join(artifacts, `failed-sign-in-${username}.png`) });
  // The task list's heading near the top of the view, below the sticky header and the parts menu.
  const scrollToTasks = (page: Page) => page.locator('#task-list-title').evaluate((el) => (el as unknown as { scrollIntoView(o: unknown): void }).scrollIntoView({ block: 'center' }));
  const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage });
  // checkPasses: the rules ran on something (a selector that matched nothing would pass vacuously).
  const axe = (page: Page, include?: string): Promise<string[]> => axeViolations(page, { ...(include ? { include } : {}), checkPasses: true });

  it('applies the template the rule picks, adds and moves tasks with people picked from the directory', async () => {
    const page = await signIn('analyst');
    await page.goto(`${base}/#/incidents/${incidentId}`);
    const panel = page.locator('section.review-tasks');
    await panel.getByText('No template yet.').waitFor();
    await panel.getByRole('button', { name: 'Apply Ransomware' }).click();
    await panel.getByText('This review follows').waitFor();
    await expect.poll(() => panel.locator('tbody tr').count()).toBe(4);

    // An assignee who is neither a user nor an address is flagged and cannot be saved.
    await panel.getByLabel('Title').fill('Brief the board');
    await panel.getByLabel('Assignee').fill('somebody');
    await panel.getByLabel('Due').first().fill('2020-03-01');
    await panel.getByLabel('Title').click();
    await panel.getByRole('alert').filter({ hasText: 'Pick a user from the list' }).waitFor();
    expect(await panel.getByRole('button', { name: 'Add task' }).isDisabled()).toBe(true);
    await panel.getByLabel('Assignee').fill('reviewer');
    await panel.locator('#task-assignee-hint').getByText('Reviewer User · reviewer@example.org').waitFor();
    await panel.getByRole('button', { name: 'Add task' }).click();
    await page.getByText('Task "Brief the board" added').waitFor();
    const row = panel.locator('tbody tr', { hasText: 'Brief the board' });
    await row.getByText('Reviewer User (reviewer)').waitFor();
    await row.getByText('overdue').waitFor();
    await row.getByLabel('Status of Brief the board').selectOption('in-progress');
    await page.getByText('Task "Brief the board" is in-progress').waitFor();

    // A template question answered on screen.
    const backups = panel.getByLabel(/Were the backups intact/);
    await backups.fill('Immutable copies restored within the recovery time objective.');
    await backups.locator('xpath=following::button[1]').click();
    await page.getByText(/Saved "Were the backups intact/).waitFor();

    await page.locator('#tasks-title').evaluate((el) => (el as unknown as { scrollIntoView(o: unknown): void }).scrollIntoView({ block: 'center' }));
    await shot(page, 'review-template-1440x900');
    await scrollToTasks(page);
    await shot(page, 'review-tasks-1440x900');
    expect(await axe(page, 'section.review-tasks')).toEqual([]);
    await page.context().close();

    const small = await signIn('analyst', { width: 1280, height: 720 });
    await small.goto(`${base}/#/incidents/${incidentId}`);
    const smallPanel = small.locator('section.review-tasks');
    await smallPanel.getByText('Brief the board').waitFor();
    await scrollToTasks(small);
    await shot(small, 'review-tasks-1280x720');
    await small.context().close();
  });

  it('shows my work to the assignee with incident titles and overdue flags', async () => {
    // The reviewer also owns an action item, and a submitted review waits for them.
    const other = otherId;
    await addActionItem(store, other, { type: 'detection-engineering', title: 'Alert on OAuth consent grants', owner: 'reviewer@example.org', dueDate: '2099-06-30', priority: 'high' }, { actor: 'analyst' });
    await makeReviewTransition(store, 'start', other, { actor: 'analyst' });
    await makeReviewTransition(store, 'submit', other, { actor: 'analyst' });
    for (const viewport of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }]) {
      const page = await signIn('reviewer', viewport);
      await page.getByRole('link', { name: 'My work' }).click();
      await page.getByRole('heading', { name: 'My work' }).waitFor();
      const row = page.locator('tr', { hasText: 'Brief the board' });
      await row.getByRole('link', { name: /ransomware/i }).waitFor();
      await row.getByText('overdue').waitFor();
      await page.getByText('1 overdue', { exact: false }).first().waitFor();
      await page.locator('tr', { hasText: 'Alert on OAuth consent grants' }).getByRole('link', { name: /credential/i }).waitFor();
      await page.locator('tr', { hasText: 'submitted by analyst: approve or return it' }).waitFor();
      await shot(page, `my-work-${viewport.width}x${viewport.height}`, true);
      expect(await axe(page)).toEqual([]);
      await row.getByRole('link', { name: /ransomware/i }).click();
      await page.locator('section.review-tasks').waitFor();
      await page.context().close();
    }
  });

  it('lets an admin set a display name and an e-mail address', async () => {
    const page = await signIn('admin');
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('button', { name: 'Edit the name and e-mail address of analyst' }).click();
    const form = page.getByRole('form', { name: 'Name and e-mail address of analyst' });
    await form.getByLabel('Display name').fill('Ana Analyst');
    await form.getByLabel('E-mail address').fill('ana@example.org');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved the details of analyst').waitFor();
    await page.getByText('ana@example.org').waitFor();
    await shot(page, 'admin-people-1440x900');
    expect(await axe(page, 'section[aria-labelledby="users-title"]')).toEqual([]);
    const people = (await app.inject({ url: '/api/people', headers: { authorization: `Bearer ${(await app.auth.createToken('viewer', 't', 'test')).token}` } })).json() as { people: { username: string; displayName: string; email: string }[] };
    expect(people.people).toContainEqual({ username: 'analyst', displayName: 'Ana Analyst', email: 'ana@example.org' });
    await page.context().close();
  });
});
