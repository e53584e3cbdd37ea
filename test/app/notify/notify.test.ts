import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addUser } from '../../../src/app/accounts/users.js';
import { restrictIncident } from '../../../src/app/accounts/incident-access.js';
import { importFiles } from '../../../src/app/import.js';
import { runNotifications, saveNotificationPreferences, updateNotificationSettings, notificationSettingsView } from '../../../src/app/notify/index.js';
import { recordNotification } from '../../../src/app/notify/record.js';
import { addActionItem, linkActionItem, updateActionItem } from '../../../src/app/review/action-items.js';
import { approveReview, returnReview, startReview, submitReview } from '../../../src/app/review/lifecycle.js';
import { addTask, updateTask } from '../../../src/app/review/tasks.js';
import type { NotifyRunReport } from '../../../src/model/notifications.js';
import { openStore, type OpenedStore } from '../../../src/store/index.js';
import { artifactsDir, pgAvailable, projectRoot, requireOrSkip } from '../../helpers/env.js';
import { startSmtpReceiver, startWebhookReceiver, type SmtpReceiver, type WebhookReceiver } from '../../helpers/notify-receivers.js';
import { postgresSchemas } from '../../helpers/pg.js';

/**
 * Notifications end to end, on SQLite and PostgreSQL, against a real SMTP server and a webhook
 * receiver on loopback: what each write records, who receives what, reminders on an injected
 * clock with escalation, the daily digest, dedupe across runs, retries with backoff when the mail
 * server refuses (the write itself never fails), signed webhook bodies, Slack and Teams shapes.
 */
const dir = mkdtempSync(join(tmpdir(), 'hindsight-notify-'));
const evidence = artifactsDir('notifications');
const SECRET = 'whsec-test-0123456789';
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pg = await pgAvailable();
const targets: { name: string; db: () => string }[] = [{ name: 'SQLite', db: () => join(mkdtempSync(join(dir, 'db-')), 'h.db') }];
if (requireOrSkip('PostgreSQL notification tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_notify');
  targets.push({ name: 'PostgreSQL', db: () => schemas.next() });
  afterAll(() => schemas.dropAll());
}

let smtp: SmtpReceiver;
let hook: WebhookReceiver;
beforeAll(async () => {
  smtp = await startSmtpReceiver();
  hook = await startWebhookReceiver(SECRET);
});
afterAll(async () => {
  await smtp.close();
  await hook.close();
});
beforeEach(() => {
  smtp.mails.length = 0;
  smtp.refuse = false;
  hook.received.length = 0;
  hook.status = 200;
});

function envFor(extra: Record<string, string> = {}): Record<string, string> {
  return {
    HINDSIGHT_SMTP_URL: smtp.url,
    HINDSIGHT_MAIL_FROM: 'Hindsight <hindsight@soc.example>',
    HINDSIGHT_WEBHOOK_URL: hook.url,
    HINDSIGHT_WEBHOOK_SECRET: SECRET,
    HINDSIGHT_PUBLIC_URL: 'https://hindsight.soc.example',
    ...extra,
  };
}

function saveEvidence(name: string, text: string): void {
  mkdirSync(evidence, { recursive: true });
  writeFileSync(join(evidence, name), text);
}

const at = (iso: string) => () => new Date(iso);
const pick = (r: NotifyRunReport) => r.sent.map((s) => `${s.channel} ${s.to} ${s.kind}`).sort();

describe.each(targets)('notifications ($name)', ({ name, db }) => {
  let store: OpenedStore;
  let incidentId: string;
  let title: string;

  beforeAll(async () => {
    store = await openStore({ db: db(), auditKeyFile: join(dir, `${name}.key`) });
    const imported = await importFiles(store, [join(projectRoot, 'examples', 'ransomware.json')], { env: {} });
    incidentId = imported.results[0]?.id as string;
    title = (await store.getIncident(incidentId))?.title as string;
    await addUser(store, { username: 'ana', role: 'analyst', email: 'ana@soc.example', displayName: 'Ana Analyst' }, 'test');
    await addUser(store, { username: 'rita', role: 'reviewer', email: 'rita@soc.example' }, 'test');
    await addUser(store, { username: 'ops', role: 'admin' }, 'test');
    // Whatever the import's policy recorded goes out first, so each test sees only its own messages.
    await runNotifications(store, { env: envFor(), now: at('2030-01-01T00:00:00Z') });
  });
  afterAll(() => store.close());

  it('sends "review submitted" to the reviewers by e-mail and to the webhook (signed); a second run sends nothing', async () => {
    await startReview(store, incidentId, { actor: 'ana' });
    await submitReview(store, incidentId, { actor: 'ana' });
    const report = await runNotifications(store, { env: envFor(), now: at('2030-01-01T10:00:00Z') });
    expect(pick(report)).toEqual([`email rita@soc.example review.submitted`, `webhook ${new URL(hook.url).origin} review.submitted`]);
    expect(report.failed).toEqual([]);
    const mail = smtp.mails.find((m) => m.to.includes('rita@soc.example'));
    expect(mail?.subject).toBe(`[Hindsight] Review submitted: ${title}`);
    expect(mail?.text).toContain(`https://hindsight.soc.example/#/incidents/${incidentId}`);
    expect(mail?.raw).toMatch(/Content-Type: text\/html/i);
    expect(mail?.from).toBe('hindsight@soc.example');
    const body = JSON.parse(hook.received[0]?.body ?? '{}') as Record<string, unknown>;
    expect(hook.received[0]?.verified).toBe(true);
    expect(hook.received[0]?.headers['x-hindsight-event']).toBe('review.submitted');
    expect(body).toMatchObject({ kind: 'review.submitted', actor: 'ana', incident: { id: incidentId, title, url: `https://hindsight.soc.example/#/incidents/${incidentId}` } });
    if (name === 'SQLite') {
      saveEvidence('review-submitted.eml', mail?.raw ?? '');
      saveEvidence('webhook-json-review-submitted.json', `${hook.received[0]?.headers['x-hindsight-signature']}\n${hook.received[0]?.body}`);
    }
    const again = await runNotifications(store, { env: envFor(), now: at('2030-01-01T10:05:00Z') });
    expect(again).toEqual({ sent: [], failed: [] });
    expect(smtp.mails).toHaveLength(1);
  });

  it('tells the author when the review is returned and when it is approved', async () => {
    await returnReview(store, incidentId, { actor: 'rita' });
    await submitReview(store, incidentId, { actor: 'ana' });
    await approveReview(store, incidentId, { actor: 'rita', sufficiency: 'sufficient', overrideIncomplete: 'test of notifications' });
    const report = await runNotifications(store, { env: envFor(), now: at('2030-01-01T11:00:00Z') });
    expect(pick(report).filter((l) => l.startsWith('email'))).toEqual(['email ana@soc.example review.approved', 'email ana@soc.example review.returned', 'email rita@soc.example review.submitted']);
  });

  it('sends "action item assigned" to its owner, again on a new owner, and "tracker changed" to the owner', async () => {
    const item = await addActionItem(store, incidentId, { type: 'fix', title: 'Block <macro> execution', owner: 'ana', dueDate: '2030-01-20' }, { actor: 'rita' });
    await updateActionItem(store, item.id, { priority: 'high' }, { actor: 'rita' });
    let report = await runNotifications(store, { env: envFor(), now: at('2030-01-02T09:00:00Z') });
    expect(pick(report)).toContain('email ana@soc.example action.assigned');
    expect(report.sent.filter((s) => s.kind === 'action.assigned' && s.channel === 'email')).toHaveLength(1);
    const mail = smtp.mails.find((m) => m.subject.includes('Action item assigned'));
    expect(mail?.subject).toBe(`[Hindsight] Action item assigned: Block <macro> execution (${title})`);
    expect(mail?.text).toContain('Block &lt;macro&gt; execution');
    if (name === 'SQLite') saveEvidence('action-assigned.eml', mail?.raw ?? '');

    await updateActionItem(store, item.id, { owner: 'outside.contractor@partner.example' }, { actor: 'rita' });
    await linkActionItem(store, item.id, { externalSystem: 'github', externalKey: 'soc/infra#12', externalUrl: 'https://github.com/soc/infra/issues/12', externalState: 'open' });
    await linkActionItem(store, item.id, { externalSystem: 'github', externalKey: 'soc/infra#12', externalUrl: 'https://github.com/soc/infra/issues/12', externalState: 'closed' });
    report = await runNotifications(store, { env: envFor(), now: at('2030-01-02T09:10:00Z') });
    expect(pick(report).filter((l) => l.startsWith('email'))).toEqual(['email outside.contractor@partner.example action.assigned', 'email outside.contractor@partner.example tracker.changed']);
    const tracker = smtp.mails.find((m) => m.subject.includes('Tracker state changed'));
    expect(tracker?.text).toMatch(/From: open/);
    expect(tracker?.text).toMatch(/To: closed/);
  });

  it('reminds the owner before and after the due date, then escalates to the reviewer after N days, once each', async () => {
    await addActionItem(store, incidentId, { type: 'training', title: 'Phishing drill', owner: 'ana', dueDate: '2030-02-10' }, { actor: 'rita' });
    const env = envFor({ HINDSIGHT_NOTIFY_ESCALATION_DAYS: '2', HINDSIGHT_NOTIFY_DUE_SOON_DAYS: '3' });
    await runNotifications(store, { env, now: at('2030-02-01T09:00:00Z') });
    const kinds = async (iso: string) => pick(await runNotifications(store, { env, now: at(iso) })).filter((l) => l.startsWith('email') && !l.includes('assigned'));

    expect(await kinds('2030-02-06T09:00:00Z')).toEqual([]);
    expect(await kinds('2030-02-07T09:00:00Z')).toEqual(['email ana@soc.example action.due-soon']);
    expect(await kinds('2030-02-08T09:00:00Z')).toEqual([]);
    expect(await kinds('2030-02-11T09:00:00Z')).toEqual(['email ana@soc.example action.overdue']);
    // Two days overdue: to the incident's reviewer (rita approved its review), once.
    expect(await kinds('2030-02-12T09:00:00Z')).toEqual(['email rita@soc.example action.escalated']);
    expect(await kinds('2030-02-12T10:00:00Z')).toEqual([]);
    expect(await kinds('2030-02-13T09:00:00Z')).toEqual([]);
    const escalation = smtp.mails.find((m) => m.subject.includes('escalated: Phishing drill'));
    expect(escalation?.subject).toBe(`[Hindsight] Overdue action item escalated: Phishing drill (${title})`);
    if (name === 'SQLite') saveEvidence('action-escalated.eml', escalation?.raw ?? '');
  });

  it("tells a task's assignee it is theirs, then reminds and escalates like an action item", async () => {
    const task = await addTask(store, incidentId, { title: 'Reimage the file server', assignee: 'ana', dueDate: '2030-02-20' }, { actor: 'rita' });
    const env = envFor({ HINDSIGHT_NOTIFY_ESCALATION_DAYS: '1' });
    const taskKinds = async (iso: string) => pick(await runNotifications(store, { env, now: at(iso) })).filter((l) => l.startsWith('email') && l.includes(' task.'));
    expect(await taskKinds('2030-02-15T09:00:00Z')).toEqual(['email ana@soc.example task.assigned']);
    expect(await taskKinds('2030-02-18T09:00:00Z')).toEqual(['email ana@soc.example task.due-soon']);
    expect(await taskKinds('2030-02-21T09:00:00Z')).toEqual(['email ana@soc.example task.overdue', 'email rita@soc.example task.escalated']);
    expect(await taskKinds('2030-02-22T09:00:00Z')).toEqual([]);
    // Done: no more reminders, even with a new due date.
    await updateTask(store, task.id, { status: 'done', dueDate: '2030-02-25' }, { actor: 'ana' });
    expect(await taskKinds('2030-02-26T09:00:00Z')).toEqual([]);
  });

  it('gathers a person\'s digest kinds into one message a day, from the digest hour', async () => {
    await saveNotificationPreferences(store, 'ana', { defaultMode: 'immediate', kinds: { 'action.assigned': 'digest', 'tracker.changed': 'off' } });
    await addActionItem(store, incidentId, { type: 'fix', title: 'Rotate the service account key', owner: 'ana' }, { actor: 'rita' });
    await addActionItem(store, incidentId, { type: 'fix', title: 'Remove local admin rights', owner: 'ana' }, { actor: 'rita' });
    const env = envFor({ HINDSIGHT_NOTIFY_DIGEST_HOUR: '8' });
    const early = await runNotifications(store, { env, now: at('2030-03-01T07:00:00Z') });
    expect(early.sent.filter((s) => s.channel === 'email')).toEqual([]);
    const digest = await runNotifications(store, { env, now: at('2030-03-01T08:30:00Z') });
    expect(digest.sent.filter((s) => s.channel === 'email')).toEqual([{ channel: 'email', to: 'ana@soc.example', kind: 'digest', subject: '[Hindsight] Daily digest for 2030-03-01: 2 notifications' }]);
    const mail = smtp.mails.find((m) => m.subject.includes('Daily digest'));
    expect(mail?.text).toContain('Rotate the service account key');
    expect(mail?.text).toContain('Remove local admin rights');
    if (name === 'SQLite') saveEvidence('daily-digest.eml', mail?.raw ?? '');
    // A third item the same day waits for the next day's digest.
    await addActionItem(store, incidentId, { type: 'fix', title: 'Patch the VPN appliance', owner: 'ana' }, { actor: 'rita' });
    expect((await runNotifications(store, { env, now: at('2030-03-01T12:00:00Z') })).sent.filter((s) => s.channel === 'email')).toEqual([]);
    const next = await runNotifications(store, { env, now: at('2030-03-02T08:00:00Z') });
    expect(next.sent.filter((s) => s.channel === 'email').map((s) => s.subject)).toEqual(['[Hindsight] Daily digest for 2030-03-02: 1 notification']);
    await saveNotificationPreferences(store, 'ana', { defaultMode: 'immediate', kinds: {} });
  });

  it('never fails the write when the mail server refuses: the delivery is retried with backoff and reported', async () => {
    smtp.refuse = true;
    hook.status = 500;
    const item = await addActionItem(store, incidentId, { type: 'fix', title: 'Enable tamper protection', owner: 'ana' }, { actor: 'rita' });
    expect(item.owner).toBe('ana');
    const first = await runNotifications(store, { env: envFor(), now: at('2030-04-01T09:00:00Z') });
    expect(first.sent).toEqual([]);
    expect(first.failed.map((f) => `${f.channel} ${f.to} ${f.kind}`).sort()).toEqual(['email ana@soc.example action.assigned', `webhook ${new URL(hook.url).origin} action.assigned`]);
    const mailFailure = first.failed.find((f) => f.channel === 'email');
    expect(mailFailure?.error).toMatch(/550/);
    expect(mailFailure?.error).toContain('attempt 1 of 6; next try at 2030-04-01T09:01:00.000Z');
    const hookFailure = first.failed.find((f) => f.channel === 'webhook');
    expect(hookFailure?.error).toContain('HTTP 500');
    expect(hookFailure?.error).not.toContain('secret-path-T0KEN');
    // Not due yet: nothing is tried.
    expect(await runNotifications(store, { env: envFor(), now: at('2030-04-01T09:00:30Z') })).toEqual({ sent: [], failed: [] });
    const second = await runNotifications(store, { env: envFor(), now: at('2030-04-01T09:01:00Z') });
    expect(second.failed.find((f) => f.channel === 'email')?.error).toContain('attempt 2 of 6; next try at 2030-04-01T09:06:00.000Z');
    smtp.refuse = false;
    hook.status = 204;
    const third = await runNotifications(store, { env: envFor(), now: at('2030-04-01T09:06:00Z') });
    expect(pick(third)).toEqual(['email ana@soc.example action.assigned', `webhook ${new URL(hook.url).origin} action.assigned`]);
    expect(smtp.mails).toHaveLength(1);
  });

  it('stops trying a mail server it cannot reach for the rest of the run, and tries again in the next', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    for (const n of [1, 2]) await recordNotification(store, { kind: 'task.assigned', incidentId, subjectId: `tsk_down_${n}`, subjectTitle: `Task ${n}`, actor: 'rita', to: ['ana'] });
    const down = await runNotifications(store, { env: envFor({ HINDSIGHT_SMTP_URL: `smtp://127.0.0.1:${port}`, HINDSIGHT_WEBHOOK_URL: '' }), now: at('2030-04-02T09:00:00Z') });
    expect(down.sent).toEqual([]);
    expect(down.failed).toHaveLength(1);
    expect(down.failed[0]?.error).toMatch(/ECONNREFUSED/);
    const up = await runNotifications(store, { env: envFor({ HINDSIGHT_WEBHOOK_URL: '' }), now: at('2030-04-02T09:01:00Z') });
    expect(up.sent.map((s) => s.subject).sort()).toEqual([`[Hindsight] Task assigned: Task 1 (${title})`, `[Hindsight] Task assigned: Task 2 (${title})`]);
  });

  it('upgrades to TLS with a mail server on this machine that offers STARTTLS with a self-signed certificate', async () => {
    const tls = await startSmtpReceiver({ starttls: true });
    try {
      await recordNotification(store, { kind: 'task.assigned', incidentId, subjectId: 'tsk_starttls', subjectTitle: 'Over TLS', actor: 'rita', to: ['ana'] });
      const report = await runNotifications(store, { env: envFor({ HINDSIGHT_SMTP_URL: tls.url, HINDSIGHT_WEBHOOK_URL: '' }), now: at('2030-04-03T09:00:00Z') });
      expect(report).toEqual({ sent: [{ channel: 'email', to: 'ana@soc.example', kind: 'task.assigned', subject: `[Hindsight] Task assigned: Over TLS (${title})` }], failed: [] });
      expect(tls.mails[0]?.secure).toBe(true);
      // Asked to check the certificate, the same server is refused (and nothing is sent in clear).
      await recordNotification(store, { kind: 'task.assigned', incidentId, subjectId: 'tsk_starttls_strict', subjectTitle: 'Strict TLS', actor: 'rita', to: ['ana'] });
      const strict = await runNotifications(store, { env: envFor({ HINDSIGHT_SMTP_URL: `${tls.url}?tls.rejectUnauthorized=true`, HINDSIGHT_WEBHOOK_URL: '' }), now: at('2030-04-03T09:10:00Z') });
      expect(strict.failed[0]?.error).toMatch(/certificate/i);
      expect(tls.mails).toHaveLength(1);
      await runNotifications(store, { env: envFor({ HINDSIGHT_WEBHOOK_URL: '' }), now: at('2030-04-03T09:20:00Z') });
    } finally {
      await tls.close();
    }
  });

  it('posts Slack and Teams payloads when the webhook format says so', async () => {
    await recordNotification(store, { kind: 'task.assigned', incidentId, subjectId: 'tsk_slack', subjectTitle: 'Collect <memory> image & logs', actor: 'rita', to: ['ana'], facts: { Due: '2030-05-02' } });
    await runNotifications(store, { env: envFor({ HINDSIGHT_WEBHOOK_FORMAT: 'slack' }), now: at('2030-05-01T09:00:00Z') });
    const slack = JSON.parse(hook.received[0]?.body ?? '{}') as { text: string; blocks: { type: string }[] };
    expect(slack.text).toContain('Task assigned: rita assigned you the task "Collect &lt;memory&gt; image &amp; logs"');
    expect(slack.text).toContain(`<https://hindsight.soc.example/#/incidents/${incidentId}|Open in Hindsight>`);
    expect(slack.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'actions', 'context']);

    await recordNotification(store, { kind: 'task.assigned', incidentId, subjectId: 'tsk_teams', subjectTitle: 'Reset MFA', actor: 'rita', to: ['ana'] });
    await runNotifications(store, { env: envFor({ HINDSIGHT_WEBHOOK_FORMAT: 'teams' }), now: at('2030-05-01T09:10:00Z') });
    const teams = JSON.parse(hook.received[1]?.body ?? '{}') as { type: string; attachments: { contentType: string; content: { type: string; version: string; body: { type: string }[]; actions: { type: string; url: string }[] } }[] };
    expect(teams.type).toBe('message');
    expect(teams.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(teams.attachments[0]?.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(teams.attachments[0]?.content.body.map((b) => b.type)).toEqual(['TextBlock', 'TextBlock', 'FactSet']);
    expect(teams.attachments[0]?.content.actions[0]).toEqual({ type: 'Action.OpenUrl', title: 'Open in Hindsight', url: `https://hindsight.soc.example/#/incidents/${incidentId}` });
    expect(hook.received.every((r) => r.verified)).toBe(true);
    if (name === 'SQLite') {
      saveEvidence('webhook-slack-task-assigned.json', hook.received[0]?.body ?? '');
      saveEvidence('webhook-teams-task-assigned.json', hook.received[1]?.body ?? '');
    }
  });

  it('keeps a restricted incident to the people on its list, and out of the team webhook', async () => {
    await restrictIncident(store, incidentId, ['ana'], 'ops');
    await startReview(store, incidentId, { actor: 'ana' }).catch(() => undefined);
    await recordNotification(store, { kind: 'review.submitted', dedupeKey: 'restricted-check', incidentId, subjectId: incidentId, actor: 'ops', to: ['@reviewers', 'ana'] });
    const report = await runNotifications(store, { env: envFor(), now: at('2030-06-01T09:00:00Z') });
    expect(pick(report)).toEqual(['email ana@soc.example review.submitted']);
    expect(hook.received).toEqual([]);
    await restrictIncident(store, incidentId, [], 'ops');
  });

  it('announces a review the policy requires for an incident active lately, not for history', async () => {
    const fresh = await openStore({ db: db(), auditKeyFile: join(dir, `${name}-policy.key`) });
    try {
      await addUser(fresh, { username: 'rita', role: 'reviewer', email: 'rita@soc.example' }, 'test');
      const now = new Date().toISOString();
      const recent = readFileSync(join(projectRoot, 'examples', 'ransomware.json'), 'utf8').replace(/"lastUpdateDateTime": "[^"]+"/g, `"lastUpdateDateTime": "${now}"`);
      const file = join(dir, `recent-${name}.json`);
      writeFileSync(file, recent);
      const imported = await importFiles(fresh, [file, join(projectRoot, 'examples', 'phishing-credential-theft.json')], { env: {} });
      expect(imported.reviews.map((r) => r.required)).toEqual([true, true]);
      const report = await runNotifications(fresh, { env: envFor() });
      // The ransomware incident (changed today) is news; the phishing one (months old) is history.
      expect(report.sent.filter((s) => s.channel === 'email').map((s) => `${s.to} ${s.kind} ${s.subject}`)).toEqual([`rita@soc.example review.required [Hindsight] Review required: ${title}`]);
    } finally {
      await fresh.close();
    }
  });

  it('refuses a malformed event and records an event once per dedupe key', async () => {
    await expect(recordNotification(store, { kind: 'review.bogus' as 'review.required', incidentId, subjectId: incidentId, to: ['ana'] })).rejects.toThrow(/notification: kind/);
    const event = { kind: 'task.assigned' as const, incidentId, subjectId: 'tsk_once', to: ['ana'], dedupeKey: 'once' };
    expect(await recordNotification(store, event)).toBe(true);
    expect(await recordNotification(store, event)).toBe(false);
  });

  it('stores the admin screen\'s settings with secrets sealed and never shown; the environment wins', async () => {
    const view = await updateNotificationSettings(store, { smtpUrl: 'smtps://mailer:pa55word-xyz@mail.soc.example:465', webhookSecret: 'top-secret-value', mailFrom: 'soc@soc.example', escalationDays: 5 }, 'ops', {});
    expect(view).toMatchObject({ smtpUrl: 'smtps://mailer@mail.soc.example:465', smtpPasswordSet: true, webhookSecretSet: true, mailFrom: 'soc@soc.example', escalationDays: 5, fromEnvironment: [] });
    expect(JSON.stringify(view)).not.toContain('pa55word');
    const rows = await store.db.selectFrom('notificationSettings').select(['name', 'value']).execute();
    expect(JSON.stringify(rows)).not.toMatch(/pa55word|top-secret-value/);
    const audit = await store.db.selectFrom('auditLog').select('after').where('action', '=', 'notifications.configure').execute();
    expect(JSON.stringify(audit)).not.toMatch(/pa55word|top-secret-value/);
    const withEnv = await notificationSettingsView(store, { HINDSIGHT_MAIL_FROM: 'env@soc.example' });
    expect(withEnv.mailFrom).toBe('env@soc.example');
    expect(withEnv.fromEnvironment).toEqual(['HINDSIGHT_MAIL_FROM']);
    await expect(updateNotificationSettings(store, { mailFrom: 'x@soc.example' }, 'ops', { HINDSIGHT_MAIL_FROM: 'env@soc.example' })).rejects.toThrow(/set by HINDSIGHT_MAIL_FROM/);
    await expect(updateNotificationSettings(store, { smtpUrl: 'http://mail' }, 'ops', {})).rejects.toThrow(/smtp:\/\/ or smtps:\/\//);
    await updateNotificationSettings(store, { smtpUrl: null, webhookSecret: null, mailFrom: null, escalationDays: 3 }, 'ops', {});
  });
});
