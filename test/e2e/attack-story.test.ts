/**
 * Browser end-to-end for sharing: the review screen's export downloads and the attack story graph
 * (React Flow), in Debian's Chromium against the built web app. Screenshots go to
 * test-artifacts/e2e/ (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { listObservables, markObservable } from '../../src/app/observables.js';
import { artifactsDir, isCI } from '../helpers/env.js';
import { browserReady, launchChromium, signIn, startWebServer, type WebServer } from './browser-harness.js';

const ready = browserReady('attack story e2e');
const artifacts = artifactsDir('e2e');

describe.runIf(ready)('the attack story and the exports on the review screen', () => {
  let server: WebServer;
  let browser: Browser;
  let base: string;
  let incidentId: string;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startWebServer({
      examples: ['ransomware.json'],
      roles: ['viewer'],
      displayNames: true,
      server: { env: { HINDSIGHT_TEAM_NAME: 'Example CSIRT' }, precomputeAttribution: false, connectorScheduler: { enabled: false } },
      seed: async (store) => {
        // Indicators marked by the analyst show with a red border.
        const admin = { username: 'ana', role: 'admin' as const };
        for (const value of ['203.0.113.66', 'fabrikam-payroll.example', 'a9e72d6eddf4fd66cc29dd5facfed96bace06c956b170735dfd6fb98d45d0e8e']) {
          for (const o of (await listObservables(store, { value }, admin)).observables) await markObservable(store, o.id, { ioc: true }, admin);
        }
      },
    });
    ({ base } = server);
    incidentId = server.ids[0] as string;
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws the story and downloads the exports (viewer)', async () => {
    const page = await signIn(browser, base, 'viewer', { viewport: { width: 1440, height: 900 }, timeout: isCI ? 30_000 : 20_000 });
    const context = page.context();
    // Signed in: from here on, nothing in the page may fail.
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${base}/#/incidents/${incidentId}`);
    const story = page.locator('section.attack-story');
    await story.getByRole('heading', { name: 'Attack story' }).waitFor();
    await story.locator('.react-flow__node').first().waitFor();
    const actions = await story.locator('.story-action').count();
    expect(actions).toBeGreaterThanOrEqual(15);
    expect(await story.locator('.story-ioc').count()).toBeGreaterThanOrEqual(2);
    await expect.poll(() => story.locator('.react-flow__edge').count()).toBeGreaterThan(actions);
    await story.scrollIntoViewIfNeeded();
    await story.screenshot({ path: join(artifacts, 'attack-story.png') });

    await story.getByRole('button', { name: 'Layered' }).click();
    await story.getByRole('button', { name: 'Layered', pressed: true }).waitFor();
    await expect.poll(() => story.locator('.story-action').count(), { timeout: 15_000 }).toBe(actions);
    expect(problems).toEqual([]);
    await page.waitForTimeout(300);
    await story.screenshot({ path: join(artifacts, 'attack-story-layered.png') });

    const share = page.locator('section.share-exports');
    await share.screenshot({ path: join(artifacts, 'share-exports.png') });
    await share.getByRole('combobox').selectOption('green');
    const href = await share.getByRole('link', { name: 'STIX 2.1' }).getAttribute('href');
    expect(href).toContain('tlpMax=green');
    const [download] = await Promise.all([page.waitForEvent('download'), share.getByRole('link', { name: 'MISP event' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.misp\.json$/);
    const stix = await page.request.get(`${base}${href ?? ''}`);
    expect(stix.status()).toBe(200);
    const bundle = (await stix.json()) as { objects: { type: string; name?: string }[] };
    expect(bundle.objects.find((o) => o.type === 'identity' && o.name === 'Example CSIRT')).toBeDefined();
    expect(bundle.objects.some((o) => o.type === 'incident')).toBe(false);
    const svg = await page.request.get(`${base}/api/incidents/${incidentId}/attack-story.svg`);
    expect(svg.headers()['content-type']).toContain('image/svg+xml');
    expect(await svg.text()).toMatch(/^<svg /);
    const unknown = await page.request.get(`${base}/api/incidents/inc_doesnotexist/export?format=stix`);
    expect(unknown.status()).toBe(404);
    const bad = await page.request.get(`${base}/api/incidents/${incidentId}/export?format=stix&tlpMax=purple`);
    expect(bad.status()).toBe(400);
    await context.close();
  }, 120_000);
});
