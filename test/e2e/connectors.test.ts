/**
 * The Connectors screen in Chromium: an admin adds a Defender connector in the form (the secret
 * only by reference), runs it against a small Microsoft Graph stand-in on loopback, sees a second
 * connector with a wrong secret fail alone, disables and removes one; a viewer sees the runs but no
 * buttons. The screenshot goes to test-artifacts/e2e/ (and to HINDSIGHT_SCREENSHOT_DIR when set).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { projectRoot } from '../helpers/env.js';
import { browserReady, launchChromium, signIn as signInAt, startWebServer, type WebServer } from './browser-harness.js';

const ready = browserReady('connectors e2e');
const artifacts = join(projectRoot, 'test-artifacts', 'e2e');
const SECRET = 'e2e-client-secret-never-shown';

/** Token endpoint and one page of incidents, as Microsoft Graph answers them. */
async function graphStandIn(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const send = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (path.endsWith('/oauth2/v2.0/token')) {
        if (new URLSearchParams(body).get('client_secret') !== SECRET) return send(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
        return send(200, { token_type: 'Bearer', expires_in: 3599, access_token: 'e2e-token' });
      }
      if (path === '/v1.0/security/incidents') {
        return send(200, {
          value: ['51001', '51002', '51003'].map((id, n) => ({
            id,
            displayName: `Suspicious sign-in followed by mailbox rule (${id})`,
            createdDateTime: `2026-12-0${n + 1}T08:00:00Z`,
            lastUpdateDateTime: `2026-12-0${n + 1}T09:00:00Z`,
            status: 'active',
            severity: 'medium',
            classification: 'unknown',
            comments: [],
            alerts: [{ id: `da${id}`, incidentId: id, title: 'Suspicious inbox manipulation rule', severity: 'medium', status: 'new', createdDateTime: `2026-12-0${n + 1}T08:00:00Z`, mitreTechniques: ['T1564.008'], evidence: [] }],
          })),
        });
      }
      if (path === '/v1.0/security/alerts_v2') return send(200, { value: [] });
      return send(404, { error: { code: 'NotFound', message: 'no such resource' } });
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe.runIf(ready)('Connectors screen in Chromium', () => {
  let server: WebServer;
  let browser: Browser;
  let graph: { url: string; server: Server };
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-e2e-connectors-'));

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(dir, 'good'), SECRET);
    writeFileSync(join(dir, 'bad'), 'not-it');
    graph = await graphStandIn();
    server = await startWebServer({ roles: ['viewer', 'admin'], displayNames: true, server: { precomputeAttribution: false, connectorScheduler: { enabled: false } } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((done) => graph?.server.close(done));
  });

  async function signIn(username: string): Promise<Page> {
    const page = await signInAt(browser, server.base, username);
    await page.getByRole('link', { name: 'Connectors' }).click();
    await page.getByRole('heading', { name: 'Connectors' }).waitFor();
    return page;
  }

  async function addConnector(page: Page, name: string, secretFile: string): Promise<void> {
    const form = page.getByRole('form', { name: 'Add a connector' });
    await form.getByLabel('Connector name').fill(name);
    await form.getByLabel('Tenant ID').fill('contoso');
    await form.getByLabel('Client (application) ID').fill('11111111-2222-3333-4444-555555555555');
    await form.getByLabel('Read from').selectOption({ label: 'Secret file' });
    await form.getByLabel('File path').fill(secretFile);
    await form.getByLabel('Graph URL (optional)').fill(graph.url);
    await form.getByLabel('Sign-in URL (optional)').fill(graph.url);
    await form.getByRole('button', { name: 'Add connector' }).click();
    await page.getByRole('row', { name: new RegExp(`^${name}`) }).waitFor();
  }

  it('adds, runs, disables and removes connectors (admin); shows runs read-only (viewer)', async () => {
    const page = await signIn('admin');
    await page.getByText('No connectors yet.').waitFor();

    // Sentinel needs its workspace: the form asks for it once the type says so.
    const form = page.getByRole('form', { name: 'Add a connector' });
    await form.getByLabel('Type').selectOption('sentinel');
    await expect(form.getByLabel('Workspace').isVisible()).resolves.toBe(true);
    await form.getByLabel('Type').selectOption('defender');

    await addConnector(page, 'defender-prod', join(dir, 'good'));
    await addConnector(page, 'defender-lab', join(dir, 'bad'));
    await page.getByRole('button', { name: 'Run defender-prod now' }).click();
    await page.getByText('defender-prod: 3 fetched, 3 new').waitFor();
    await page.getByRole('button', { name: 'Run defender-lab now' }).click();
    await page.getByRole('alert').filter({ hasText: 'defender-lab failed' }).waitFor();
    const lab = page.getByRole('row', { name: /^defender-lab/ });
    await lab.getByText('failed', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Edit defender-lab' }).click();
    const edit = page.getByRole('form', { name: 'Edit defender-lab' });
    // The form opened from the row takes the focus (the page's document, not Node's globals).
    const focused = await page.evaluate(() => (globalThis as { document?: { activeElement?: { id?: string } | null } }).document?.activeElement?.id);
    expect(focused).toBe(await edit.getByLabel('Tenant ID').getAttribute('id'));
    await edit.getByLabel('Every (minutes)').fill('15');
    await page.screenshot({ path: join(artifacts, 'connectors-edit.png'), fullPage: true });
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await lab.getByText('every 15 min').waitFor();

    await page.getByRole('button', { name: 'Disable defender-lab' }).click();
    await page.getByRole('button', { name: 'Enable defender-lab' }).waitFor();
    const html = await page.content();
    expect(html).not.toContain(SECRET);
    const shotPath = join(artifacts, 'connectors.png');
    await page.screenshot({ path: shotPath, fullPage: true });
    if (process.env.HINDSIGHT_SCREENSHOT_DIR) await page.screenshot({ path: join(process.env.HINDSIGHT_SCREENSHOT_DIR, 'connectors-screen.png'), fullPage: true });

    const viewer = await signIn('viewer');
    await viewer.getByRole('row', { name: /^defender-prod/ }).getByText('3 fetched, 3 new', { exact: false }).waitFor();
    expect(await viewer.getByRole('button', { name: /Run .* now/ }).count()).toBe(0);
    expect(await viewer.getByRole('form').count()).toBe(0);
    await viewer.screenshot({ path: join(artifacts, 'connectors-viewer.png'), fullPage: true });
    expect(await viewer.content()).not.toContain(join(dir, 'good'));
    await viewer.context().close();

    await page.getByRole('button', { name: 'Remove defender-lab' }).click();
    await page.getByRole('group', { name: 'Confirm removing defender-lab' }).getByRole('button', { name: 'Yes, remove' }).click();
    await page.getByText('Removed defender-lab').waitFor();
    // The list is read again after the answer: the row goes once that is back.
    await page.getByRole('row', { name: /^defender-lab/ }).waitFor({ state: 'detached' });
    await page.context().close();
  });
});
