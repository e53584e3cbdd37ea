/**
 * Accessibility in a real browser: signed in, every screen the navigation offers (enumerated at
 * run time, so screens added later are covered), a review, and each layer of the ATT&CK matrix are
 * checked with axe-core (WCAG 2.x A and AA rules); none may have a serious or critical violation.
 * Prints the violations per screen. Also checks that the matrix is walked with the arrow keys.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildServer, type App } from '../../src/server/app.js';
import { webRoot } from '../../src/cli/commands/serve.js';
import { importFiles } from '../../src/app/import.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { attackBundle, projectRoot, requireOrSkip, sharedDir } from '../helpers/env.js';
import { knowledgeBase, PASSWORD } from '../server/harness.js';

const chromiumPath = process.env.HINDSIGHT_CHROMIUM ?? '/usr/bin/chromium';
const bundle = attackBundle();
const web = webRoot();
const ready =
  requireOrSkip('accessibility e2e (Chromium)', existsSync(chromiumPath), `${chromiumPath} does not exist`) &&
  requireOrSkip('accessibility e2e (ATT&CK bundle)', Boolean(bundle.path), bundle.reason) &&
  requireOrSkip('accessibility e2e (built web app)', existsSync(join(web, 'index.html')), 'web/dist is missing: run npm run build:web');
const axePath = createRequire(import.meta.url).resolve('axe-core');

interface Violation { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }

describe.runIf(ready)('accessibility of every screen (axe-core)', () => {
  let store: OpenedStore;
  let app: App;
  let browser: Browser;
  let base: string;
  let incidentId: string;
  const results: { screen: string; serious: number; all: number; rules: string }[] = [];

  beforeAll(async () => {
    store = await openStore({ db: ':memory:' });
    const imported = await importFiles(store, ['ransomware.json', 'phishing-credential-theft.json'].map((f) => join(projectRoot, 'examples', f)), { env: {} });
    incidentId = imported.results[0]?.id as string;
    const sigma = join(sharedDir() ?? '', 'detections', 'sigma', 'rules');
    app = await buildServer({ store, kb: await knowledgeBase(bundle.path as string), webRoot: web, env: {}, rules: existsSync(sigma) ? [sigma] : [] });
    await app.auth.addUser({ username: 'admin', role: 'admin', password: PASSWORD, displayName: 'Admin User' }, 'test');
    const token = (await app.auth.createToken('admin', 'a11y', 'test')).token;
    const auth = { authorization: `Bearer ${token}` };
    // Content on the review so every part renders: a finding, an action item, an answer, a note.
    const finding = (await app.inject({ method: 'POST', url: `/api/incidents/${incidentId}/findings`, headers: auth, payload: { category: 'technical-lapse', title: 'EDR in audit mode', description: 'Never switched to block.', contributingFactors: ['no change review'] } })).json() as { id: string };
    await app.inject({ method: 'POST', url: `/api/incidents/${incidentId}/action-items`, headers: auth, payload: { type: 'fix', title: 'Block mode everywhere', owner: 'admin', dueDate: '2020-01-01', findingId: finding.id } });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 120_000);
  afterAll(async () => {
    console.log(['axe-core results (serious+critical / all violations):', ...results.map((r) => `  ${r.screen.padEnd(34)} ${String(r.serious).padStart(3)} / ${String(r.all).padStart(3)}${r.rules ? `  ${r.rules}` : ''}`)].join('\n'));
    await browser?.close();
    await app?.close();
    await store?.close();
  });

  async function audit(page: Page, screen: string): Promise<Violation[]> {
    await page.addScriptTag({ path: axePath });
    // Expressions evaluated in the page (the test's own types have no DOM).
    const violations = (await page.evaluate(`axe.run(document, ${JSON.stringify({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] })}).then((r) => r.violations)`)) as Violation[];
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    results.push({ screen, serious: serious.length, all: violations.length, rules: violations.map((v) => `${v.id}(${v.impact}×${v.nodes.length})`).join(' ') });
    return serious;
  }
  const describeViolations = (vs: Violation[]) => vs.map((v) => `${v.id} [${v.impact}] ${v.help}: ${v.nodes.slice(0, 3).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join(' | ')}`).join('\n');

  it('has no serious or critical violation on any screen, the review, or any matrix layer', async () => {
    // bypassCSP: the app's CSP (script-src 'self') rightly refuses the injected axe-core script.
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Sign in to Hindsight' }).waitFor();
    const signInViolations = await audit(page, 'sign-in');
    expect(describeViolations(signInViolations)).toBe('');
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();

    const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href') ?? '', name: (a.textContent ?? '').trim() })));
    expect(links.length).toBeGreaterThanOrEqual(5);
    const failures: string[] = [];
    const visit = async (hash: string, screen: string, settle: () => Promise<unknown>) => {
      await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
      await settle();
      await page.waitForLoadState('networkidle');
      const serious = await audit(page, screen);
      if (serious.length) failures.push(`${screen}:\n${describeViolations(serious)}`);
    };
    for (const link of links) await visit(link.href, `nav: ${link.name}`, () => page.locator('main h1').first().waitFor());
    await visit(`#/incidents/${incidentId}`, 'review', () => page.getByRole('heading', { name: /^History/ }).waitFor());
    await visit(`#/incidents/${incidentId}/attribution`, 'attribution', () => page.locator('main h1').first().waitFor());

    await visit('#/matrix', 'matrix: Observed', () => page.locator('.tech.scored').first().waitFor());
    for (const layer of ['Coverage', 'Threat relevance', 'Gaps']) {
      const tab = page.getByRole('button', { name: layer, exact: true });
      if (await tab.isDisabled()) continue;
      await tab.click();
      await page.getByText(/technique\(s\) scored from \d+ rules/).waitFor({ timeout: 60_000 });
      const serious = await audit(page, `matrix: ${layer}`);
      if (process.env.HINDSIGHT_SHOTS_DIR) await page.screenshot({ path: join(process.env.HINDSIGHT_SHOTS_DIR, `matrix-${layer.toLowerCase().replace(/\W+/g, '-')}.png`) });
      if (serious.length) failures.push(`matrix ${layer}:\n${describeViolations(serious)}`);
    }
    expect(failures.join('\n\n')).toBe('');

    // Keyboard: the matrix is one tab stop; arrow keys move between cells, Enter opens a technique.
    await page.getByRole('button', { name: 'Observed', exact: true }).click();
    const first = page.locator('.matrix .tech[tabindex="0"]');
    expect(await first.count()).toBe(1);
    await first.focus();
    const start = await page.evaluate("document.activeElement?.getAttribute('data-cell')");
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    const moved = await page.evaluate("document.activeElement?.getAttribute('data-cell')");
    expect(start).toBe('0:0');
    expect(moved).toBe('1:1');
    expect(await page.locator('.matrix .tech[tabindex="0"]').getAttribute('data-cell')).toBe('1:1');
    await page.keyboard.press('Enter');
    await page.locator('aside.details h2').waitFor();
    if (process.env.HINDSIGHT_SHOTS_DIR) await page.screenshot({ path: join(process.env.HINDSIGHT_SHOTS_DIR, 'matrix-keyboard-details.png') });
    await context.close();
  }, 240_000);
});
