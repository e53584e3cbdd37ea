/**
 * Accessibility in a real browser: signed in, every screen the navigation offers (enumerated at
 * run time, so screens added later are covered), a review, and each layer of the ATT&CK matrix are
 * checked with axe-core (WCAG 2.x A and AA rules); none may have a serious or critical violation.
 * Prints the violations per screen. Also checks that the matrix is walked with the arrow keys.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { App } from '../../src/server/app.js';
import { axeRun, browserReady, launchChromium, PASSWORD, seriousOnly, sigmaRules, startWebServer, type AxeViolation, type WebServer } from './browser-harness.js';

const ready = browserReady('accessibility e2e');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

describe.runIf(ready)('accessibility of every screen (axe-core)', () => {
  let server: WebServer;
  let app: App;
  let browser: Browser;
  let base: string;
  let incidentId: string;
  const results: { screen: string; serious: number; all: number; rules: string }[] = [];

  beforeAll(async () => {
    server = await startWebServer({ examples: ['ransomware.json', 'phishing-credential-theft.json'], roles: ['admin'], displayNames: true, server: { rules: sigmaRules() } });
    ({ app, base } = server);
    incidentId = server.ids[0] as string;
    const token = (await app.auth.createToken('admin', 'a11y', 'test')).token;
    const auth = { authorization: `Bearer ${token}` };
    // Content on the review so every part renders: a finding, an action item, an answer, a note.
    const finding = (await app.inject({ method: 'POST', url: `/api/incidents/${incidentId}/findings`, headers: auth, payload: { category: 'technical-lapse', title: 'EDR in audit mode', description: 'Never switched to block.', contributingFactors: ['no change review'] } })).json() as { id: string };
    await app.inject({ method: 'POST', url: `/api/incidents/${incidentId}/action-items`, headers: auth, payload: { type: 'fix', title: 'Block mode everywhere', owner: 'admin', dueDate: '2020-01-01', findingId: finding.id } });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    console.log(['axe-core results (serious+critical / all violations):', ...results.map((r) => `  ${r.screen.padEnd(34)} ${String(r.serious).padStart(3)} / ${String(r.all).padStart(3)}${r.rules ? `  ${r.rules}` : ''}`)].join('\n'));
    await browser?.close();
    await server?.close();
  });

  async function audit(page: Page, screen: string): Promise<AxeViolation[]> {
    const violations = await axeRun(page, { tags: WCAG_TAGS });
    const serious = seriousOnly(violations);
    results.push({ screen, serious: serious.length, all: violations.length, rules: violations.map((v) => `${v.id}(${v.impact}×${v.nodes.length})`).join(' ') });
    return serious;
  }
  const describeViolations = (vs: AxeViolation[]) => vs.map((v) => `${v.id} [${v.impact}] ${v.help}: ${v.nodes.slice(0, 3).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join(' | ')}`).join('\n');

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
