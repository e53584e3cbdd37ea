import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../src/app/import.js';
import type { Role } from '../../src/model/roles.js';
import { buildServer } from '../../src/server/app.js';
import { openStore, type OpenedStore } from '../../src/store/index.js';
import { attackBundle, pgAvailable, projectRoot, requireOrSkip } from '../helpers/env.js';
import { startSmtpReceiver, startWebhookReceiver } from '../helpers/notify-receivers.js';
import { postgresSchemas } from '../helpers/pg.js';
import { knowledgeBase, PASSWORD } from './harness.js';

/**
 * The team server and notifications, on SQLite and PostgreSQL: a listening server sends what a
 * write recorded within moments of the answer (the write never waits for the mail server); the
 * admin API shows settings without secrets, lets the environment win, stores a webhook secret the
 * receiver then verifies with, and sends a test message; each person sets their own preferences;
 * a refusing mail server is reported and retried, never failing the write.
 */
const dir = mkdtempSync(join(tmpdir(), 'hindsight-notify-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bundle = attackBundle();
const pg = await pgAvailable();
const targets: { name: string; open: () => Promise<OpenedStore> }[] = [{ name: 'SQLite', open: () => openStore({ db: join(mkdtempSync(join(dir, 'db-')), 'h.db'), auditKeyFile: join(dir, 'sqlite.key') }) }];
if (requireOrSkip('PostgreSQL notification API tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_notify_api');
  targets.push({ name: 'PostgreSQL', open: () => openStore({ db: schemas.next(), auditKeyFile: join(dir, 'pg.key') }) });
  afterAll(() => schemas.dropAll());
}
const run = requireOrSkip('notification API tests (ATT&CK 18.1 bundle)', Boolean(bundle.path), bundle.reason);

async function until<T>(what: string, read: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.runIf(run).each(targets)('notifications through the team server on $name', ({ open }) => {
  it('sends after writes, keeps secrets write-only, sends a test, saves preferences, reports failures', async () => {
    const smtp = await startSmtpReceiver();
    const hook = await startWebhookReceiver('stored-in-the-database');
    const store = await open();
    const imported = await importFiles(store, [join(projectRoot, 'examples', 'ransomware.json')], { env: {} });
    const incidentId = imported.results[0]?.id as string;
    const env = { HINDSIGHT_SMTP_URL: smtp.url, HINDSIGHT_MAIL_FROM: 'hindsight@soc.example', HINDSIGHT_PUBLIC_URL: 'https://hindsight.soc.example' };
    const app = await buildServer({ store, kb: await knowledgeBase(bundle.path as string), env, precomputeAttribution: false, connectorScheduler: { enabled: false }, notifier: { everyMs: 3_600_000, afterWriteMs: 20 } });
    try {
      const tokens = {} as Record<Role, string>;
      const emails: Record<Role, string | undefined> = { viewer: undefined, analyst: 'ana@soc.example', reviewer: 'rita@soc.example', admin: 'ops@soc.example' };
      for (const role of ['viewer', 'analyst', 'reviewer', 'admin'] as const) {
        await app.auth.addUser({ username: role, role, password: PASSWORD, ...(emails[role] ? { email: emails[role] } : {}) }, 'test');
        tokens[role] = (await app.auth.createToken(role, 'test', 'test')).token;
      }
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const call = async (role: Role, method: string, url: string, body?: unknown) => {
        const res = await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${tokens[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        return { status: res.status, json: (await res.json()) as Record<string, unknown> };
      };
      // Whatever the import recorded (a required review) goes out first.
      await app.runNotifications();
      smtp.mails.length = 0;

      // The admin API: settings without secrets; the environment's fields are named and win.
      expect((await call('analyst', 'GET', '/api/admin/notifications')).status).toBe(403);
      const shown = await call('admin', 'GET', '/api/admin/notifications');
      expect(shown.status).toBe(200);
      expect(shown.json.settings).toMatchObject({ smtpUrl: `${smtp.url}`, webhookUrlSet: false, webhookSecretSet: false, webhookFormat: 'json', dueSoonDays: 3, escalationDays: 3, fromEnvironment: ['HINDSIGHT_SMTP_URL', 'HINDSIGHT_MAIL_FROM'] });
      expect((await call('admin', 'PUT', '/api/admin/notifications', { mailFrom: 'other@soc.example' })).status).toBe(400);
      expect((await call('admin', 'PUT', '/api/admin/notifications', { webhookUrl: 'ftp://nope' })).status).toBe(400);
      const saved = await call('admin', 'PUT', '/api/admin/notifications', { webhookUrl: hook.url, webhookSecret: 'stored-in-the-database', dueSoonDays: 5 });
      expect(saved.status).toBe(200);
      expect(saved.json.settings).toMatchObject({ webhookUrlSet: true, webhookHost: new URL(hook.url).host, webhookSecretSet: true, dueSoonDays: 5 });
      expect(JSON.stringify(saved.json)).not.toMatch(/stored-in-the-database|secret-path-T0KEN/);

      // A test message: to the admin's own address and to the webhook, signed with the stored secret.
      const test = await call('admin', 'POST', '/api/admin/notifications/test', {});
      expect(test.status).toBe(200);
      expect((test.json.sent as { channel: string; to: string }[]).map((s) => `${s.channel} ${s.to}`)).toEqual(['email ops@soc.example', `webhook ${new URL(hook.url).origin}`]);
      expect(smtp.mails[0]?.subject).toBe('[Hindsight] Test message');
      expect(hook.received[0]?.verified).toBe(true);

      // A submitted review reaches the reviewer moments after the answer, without a manual run.
      expect((await call('analyst', 'POST', `/api/incidents/${incidentId}/review/start`, {})).status).toBe(200);
      expect((await call('analyst', 'POST', `/api/incidents/${incidentId}/review/submit`, {})).status).toBe(200);
      const mail = await until('the reviewer mail', () => smtp.mails.find((m) => m.to.includes('rita@soc.example') && m.subject.startsWith('[Hindsight] Review submitted')));
      expect(mail.text).toContain(`https://hindsight.soc.example/#/incidents/${incidentId}`);
      const body = await until('the webhook', () => hook.received.find((r) => r.headers['x-hindsight-event'] === 'review.submitted'));
      expect(body.verified).toBe(true);

      // Preferences: each person their own; bad input refused.
      expect((await call('analyst', 'GET', '/api/me/notifications')).json).toEqual({ defaultMode: 'immediate', kinds: {}, email: 'ana@soc.example' });
      expect((await call('analyst', 'PUT', '/api/me/notifications', { defaultMode: 'sometimes', kinds: {} })).status).toBe(400);
      expect((await call('analyst', 'PUT', '/api/me/notifications', { defaultMode: 'immediate', kinds: { 'review.bogus': 'off' } })).status).toBe(400);
      const prefs = await call('analyst', 'PUT', '/api/me/notifications', { defaultMode: 'immediate', kinds: { 'action.due-soon': 'digest', 'tracker.changed': 'off' } });
      expect(prefs.json).toEqual({ defaultMode: 'immediate', kinds: { 'action.due-soon': 'digest', 'tracker.changed': 'off' }, email: 'ana@soc.example' });

      // A mail server that refuses: the write answers at once; the failure is reported and retried later.
      smtp.refuse = true;
      const added = await call('reviewer', 'POST', `/api/incidents/${incidentId}/action-items`, { type: 'fix', title: 'Disable legacy auth', owner: 'analyst' });
      expect(added.status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
      await app.runNotifications(false);
      const deliveries = (await call('admin', 'GET', '/api/admin/notifications')).json.deliveries as { to: string; kind: string; status: string; attempts: number; lastError: string | null; nextAttemptAt: string | null }[];
      const failing = deliveries.find((d) => d.to === 'ana@soc.example' && d.kind === 'action.assigned');
      expect(failing).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/550/) });
      expect(failing?.nextAttemptAt).not.toBeNull();
      smtp.refuse = false;
    } finally {
      await app.close();
      await store.close();
      await smtp.close();
      await hook.close();
    }
  });
});
