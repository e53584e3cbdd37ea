/**
 * Browser end-to-end of notifications: an admin sets the webhook and its secret on the Admin screen
 * (the SMTP server comes from the environment and shows read-only), sends a test that the in-test
 * SMTP server and webhook receiver get, and sees the deliveries; a person sets their own
 * preferences. Screenshots at 1440x900 and 1280x720 go to test-artifacts/e2e/notifications (or
 * HINDSIGHT_SHOTS_DIR); axe-core must find no serious or critical violation on either screen.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { artifactsDir } from '../helpers/env.js';
import { startSmtpReceiver, startWebhookReceiver, type SmtpReceiver, type WebhookReceiver } from '../helpers/notify-receivers.js';
import { axeViolations, browserReady, launchChromium, signIn as signInAt, startWebServer, type WebServer } from './browser-harness.js';

const ready = browserReady('browser e2e');
const artifacts = artifactsDir('e2e', 'notifications');

describe.runIf(ready)('notification settings and preferences in Chromium', () => {
  let server: WebServer;
  let browser: Browser;
  let base: string;
  let smtp: SmtpReceiver;
  let hook: WebhookReceiver;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    smtp = await startSmtpReceiver();
    hook = await startWebhookReceiver('typed-in-the-browser');
    const env = { HINDSIGHT_SMTP_URL: smtp.url, HINDSIGHT_PUBLIC_URL: 'https://hindsight.soc.example' };
    server = await startWebServer({
      examples: ['ransomware.json'],
      roles: ['analyst', 'admin'],
      emailDomain: 'soc.example',
      server: { env, precomputeAttribution: false, connectorScheduler: { enabled: false }, notifier: { enabled: false }, loginAttemptsPerMinute: 100 },
    });
    base = server.base;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
    await hook?.close();
  });

  const signIn = (username: string, viewport = { width: 1440, height: 900 }): Promise<Page> => signInAt(browser, base, username, { viewport, bypassCSP: true });
  const shot = (page: Page, name: string) => page.screenshot({ path: join(artifacts, `${name}.png`) });
  const axe = (page: Page, include: string): Promise<string[]> => axeViolations(page, { include });

  it('lets an admin set the webhook, keeps secrets write-only, sends a test and lists the deliveries', async () => {
    const page = await signIn('admin');
    await page.goto(`${base}/#/admin`);
    const panel = page.locator('section.notification-settings');
    await panel.getByRole('heading', { name: 'Notifications' }).waitFor();
    // The SMTP server comes from the environment: shown, not editable.
    expect(await panel.getByLabel('SMTP server (smtp:// or smtps://)').isDisabled()).toBe(true);
    await panel.getByText('set by HINDSIGHT_SMTP_URL').waitFor();
    await panel.getByLabel(/Webhook URL/).fill(hook.url);
    await panel.getByLabel(/Signing secret/).fill('typed-in-the-browser');
    await panel.getByLabel('Payload').selectOption('slack');
    await panel.getByRole('button', { name: 'Save notification settings' }).click();
    await panel.getByText('Notification settings saved').waitFor();
    await panel.getByText(/Webhook URL \(set: 127\.0\.0\.1/).waitFor();
    expect(await panel.getByLabel(/Signing secret/).inputValue()).toBe('');
    expect(await page.content()).not.toContain('typed-in-the-browser');

    await panel.getByRole('button', { name: 'Send test' }).click();
    await panel.getByText(/Test sent: email to admin@soc.example, webhook to http:\/\/127\.0\.0\.1/).waitFor();
    expect(smtp.mails.map((m) => m.subject)).toEqual(['[Hindsight] Test message']);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]?.verified).toBe(true);
    expect(JSON.parse(hook.received[0]?.body ?? '{}')).toHaveProperty('blocks');
    await page.reload();
    await panel.locator('table.notification-deliveries').scrollIntoViewIfNeeded();
    await panel.getByRole('heading', { name: 'Notifications' }).scrollIntoViewIfNeeded();
    await shot(page, 'admin-notification-settings-1440x900');
    expect(await axe(page, 'section.notification-settings')).toEqual([]);
    await page.context().close();

    const small = await signIn('admin', { width: 1280, height: 720 });
    await small.goto(`${base}/#/admin`);
    await small.locator('section.notification-settings').getByRole('heading', { name: 'Notifications' }).scrollIntoViewIfNeeded();
    await shot(small, 'admin-notification-settings-1280x720');
    await small.context().close();
  });

  it('lets a person choose immediate, digest or off per kind', async () => {
    for (const viewport of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }]) {
      const page = await signIn('analyst', viewport);
      await page.getByRole('link', { name: 'Notifications' }).click();
      await page.getByRole('heading', { name: 'My notifications' }).waitFor();
      await page.getByText('analyst@soc.example').waitFor();
      await page.getByLabel('My action item is due soon').selectOption('digest');
      await page.getByLabel('The tracker issue of my action item changes state').selectOption('off');
      await page.getByRole('button', { name: 'Save preferences' }).click();
      await page.getByText('Preferences saved').waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'My notifications' }).waitFor();
      expect(await page.getByLabel('My action item is due soon').inputValue()).toBe('digest');
      await shot(page, `my-notifications-${viewport.width}x${viewport.height}`);
      expect(await axe(page, 'section.notification-preferences')).toEqual([]);
      await page.context().close();
    }
  });
});
