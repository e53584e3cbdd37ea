/**
 * Browser end-to-end of observables: the review's observables panel (add, mark as IOC) and the page
 * across incidents ("seen in N incidents", links to incidents, partners' indicators seen here).
 * Screenshots go to test-artifacts/e2e/ (git-ignored), or HINDSIGHT_SHOTS_DIR.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { importIntel } from '../../src/app/intel.js';
import { addObservable } from '../../src/app/observables.js';
import { artifactsDir, isCI, projectRoot } from '../helpers/env.js';
import { browserReady, launchChromium, signIn as signInAt, startWebServer, type WebServer } from './browser-harness.js';

const ready = browserReady('browser e2e');
const artifacts = artifactsDir('e2e');

describe.runIf(ready)('observables in the web application', () => {
  let server: WebServer;
  let browser: Browser;
  let base: string;
  let ransomware: string;
  let phishing: string;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startWebServer({
      examples: ['ransomware.json', 'phishing-credential-theft.json', 'identity-attack.json'],
      roles: ['viewer', 'analyst'],
      server: { precomputeAttribution: false },
      seed: async (store, ids) => {
        [ransomware, phishing] = ids as [string, string];
        const analyst = { username: 'analyst', role: 'analyst' as const };
        // The same C2 address in a second incident: "seen in 2 incidents".
        await addObservable(store, phishing, { type: 'ipv4', value: '203.0.113.66', tags: ['c2'] }, analyst);
        await importIntel(store, [join(projectRoot, 'test', 'fixtures', 'intel', 'partner-bundle.json'), join(projectRoot, 'test', 'fixtures', 'intel', 'partner-misp.json')], analyst);
      },
    });
    base = server.base;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const signIn = (username: string): Promise<Page> => signInAt(browser, base, username, { timeout: isCI ? 30_000 : 20_000 });

  it('shows the review’s observables, adds one and marks it as IOC (analyst)', async () => {
    const page = await signIn('analyst');
    await page.goto(`${base}/#/incidents/${ransomware}`);
    const panel = page.locator('section.observables');
    await panel.getByRole('heading', { name: /Observables/ }).waitFor();
    const c2 = panel.locator('tr', { hasText: '203.0.113.66' });
    await c2.getByRole('link', { name: 'seen in 2 incidents' }).waitFor();
    await panel.getByLabel('Type', { exact: true }).last().selectOption('domain');
    await panel.getByLabel('Value').fill('C2.Evil.EXAMPLE');
    await panel.getByRole('button', { name: 'Add observable' }).click();
    await panel.getByText('Added domain c2.evil.example').waitFor();
    await panel.getByRole('button', { name: 'IOC: domain c2.evil.example' }).click();
    await panel.getByText('domain c2.evil.example: marked as IOC').waitFor();
    await panel.locator('tr', { hasText: 'c2.evil.example' }).locator('.badge.ioc').waitFor();
    expect(await panel.locator('tr', { hasText: 'c2.evil.example' }).locator('.badge.ioc').count()).toBe(1);
    await panel.scrollIntoViewIfNeeded();
    // The panel's top (a clip of the full page is in page coordinates: the box is in the viewport's).
    const box = await panel.boundingBox();
    const scrollY = Number(await page.evaluate('window.scrollY'));
    if (box) await page.screenshot({ path: join(artifacts, 'observables-review.png'), fullPage: true, clip: { x: box.x, y: box.y + scrollY, width: box.width, height: Math.min(box.height, 1100) } });
    await page.context().close();
  });

  it('lists observables across incidents with their incidents and the partners’ indicators seen (viewer)', async () => {
    const page = await signIn('viewer');
    await page.getByRole('link', { name: 'Observables' }).click();
    await page.getByRole('heading', { name: 'Observables', level: 1 }).waitFor();
    await page.getByLabel('Value').fill('203.0.113.66');
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.locator('tbody tr', { hasText: '203.0.113.66' }).first();
    await row.getByText('seen in 2 incidents').click();
    await row.getByRole('link', { name: ransomware }).waitFor();
    await expect(row.getByRole('link', { name: ransomware }).count()).resolves.toBe(1);
    await expect(row.getByRole('link', { name: phishing }).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: /IOC:/ }).count()).resolves.toBe(0);
    const intel = page.locator('section', { has: page.getByRole('heading', { name: 'Shared intelligence seen here' }) });
    await intel.getByText('Cobalt Strike team server').waitFor();
    await page.screenshot({ path: join(artifacts, 'observables-page.png'), fullPage: true, clip: { x: 0, y: 0, width: 1366, height: 1100 } });
    await row.getByRole('link', { name: phishing }).click();
    await page.locator('section.observables').waitFor();
    await page.context().close();
  });
});
