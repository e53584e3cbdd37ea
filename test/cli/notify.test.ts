import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../src/app/accounts/users.js';
import { importFiles } from '../../src/app/import.js';
import { addActionItem } from '../../src/app/review/action-items.js';
import { registerCommandModules } from '../../src/cli/commands/index.js';
import type { CliContext } from '../../src/cli/context.js';
import { buildProgram, reportError } from '../../src/cli/main.js';
import { storeFailureOf } from '../../src/cli/services.js';
import { openStore } from '../../src/store/index.js';
import { artifactsDir, pgAvailable, projectRoot, requireOrSkip } from '../helpers/env.js';
import { startSmtpReceiver, startWebhookReceiver, type SmtpReceiver, type WebhookReceiver } from '../helpers/notify-receivers.js';
import { postgresSchemas } from '../helpers/pg.js';

/**
 * `hindsight notify run [--json]` as cron runs it (the program `hindsight` runs, in this process),
 * on SQLite and PostgreSQL, against a real SMTP server and webhook receiver: exactly
 * {"sent":[…],"failed":[…]}, nothing sent twice, a refusing server reported with exit 1, a bad
 * setting refused with exit 2 and one line.
 */
const dir = mkdtempSync(join(tmpdir(), 'hindsight-notify-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pg = await pgAvailable();
const targets: { name: string; db: () => string }[] = [{ name: 'SQLite', db: () => join(mkdtempSync(join(dir, 'db-')), 'h.db') }];
if (requireOrSkip('PostgreSQL notify CLI tests', Boolean(pg.url), pg.reason)) {
  const schemas = postgresSchemas(pg.url as string, 'hs_notify_cli');
  targets.push({ name: 'PostgreSQL', db: () => schemas.next() });
  afterAll(() => schemas.dropAll());
}

let smtp: SmtpReceiver;
let hook: WebhookReceiver;
beforeAll(async () => {
  smtp = await startSmtpReceiver();
  hook = await startWebhookReceiver('cli-secret');
});
afterAll(async () => {
  await smtp.close();
  await hook.close();
});

async function cli(db: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const holder: { program?: ReturnType<typeof buildProgram> } = {};
  const ctx: CliContext = {
    env: { HOME: dir, HINDSIGHT_AUDIT_KEY_FILE: join(dir, 'audit.key'), ...env },
    globals() {
      const o = holder.program?.opts<{ db?: string; json?: boolean }>() ?? {};
      return { db: o.db, attack: undefined, json: Boolean(o.json) };
    },
    print: (t) => out.push(t),
    warn: (t) => err.push(t),
    printJson: (v) => out.push(JSON.stringify(v)),
  };
  const program = buildProgram(ctx, registerCommandModules);
  holder.program = program;
  const before = process.exitCode;
  let status = 0;
  try {
    await program.parseAsync(['--db', db, ...args], { from: 'user' });
    status = Number(process.exitCode ?? 0);
  } catch (error) {
    status = reportError(await storeFailureOf(error), ctx);
  } finally {
    process.exitCode = before;
  }
  return { status, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe.each(targets)('hindsight notify run on $name', ({ name, db }) => {
  it('prints exactly what was sent and what failed, sends nothing twice, and refuses a bad setting', async () => {
    const location = db();
    const store = await openStore({ db: location, auditKeyFile: join(dir, 'audit.key') });
    let incidentId: string;
    try {
      incidentId = (await importFiles(store, [join(projectRoot, 'examples', 'ransomware.json')], { env: {} })).results[0]?.id as string;
      await addUser(store, { username: 'ana', role: 'analyst', email: 'ana@soc.example' }, 'test');
      await addUser(store, { username: 'rita', role: 'reviewer', email: 'rita@soc.example' }, 'test');
      await addActionItem(store, incidentId, { type: 'fix', title: 'Turn on LSA protection', owner: 'ana' }, { actor: 'rita' });
    } finally {
      await store.close();
    }
    const env = { HINDSIGHT_SMTP_URL: smtp.url, HINDSIGHT_WEBHOOK_URL: hook.url, HINDSIGHT_WEBHOOK_SECRET: 'cli-secret', HINDSIGHT_WEBHOOK_FORMAT: 'json' };
    smtp.mails.length = 0;
    hook.received.length = 0;

    const first = await cli(location, ['notify', 'run', '--json'], env);
    expect(first.status, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as { sent: Record<string, string>[]; failed: unknown[] };
    expect(Object.keys(report)).toEqual(['sent', 'failed']);
    expect(report.failed).toEqual([]);
    const assigned = report.sent.filter((s) => s.kind === 'action.assigned');
    expect(assigned).toEqual([
      { channel: 'email', to: 'ana@soc.example', kind: 'action.assigned', subject: expect.stringMatching(/^\[Hindsight\] Action item assigned: Turn on LSA protection \(/) },
      { channel: 'webhook', to: new URL(hook.url).origin, kind: 'action.assigned', subject: expect.stringMatching(/^\[Hindsight\] Action item assigned/) },
    ]);
    for (const s of report.sent) expect(Object.keys(s)).toEqual(['channel', 'to', 'kind', 'subject']);
    expect(smtp.mails.some((m) => m.to.includes('ana@soc.example'))).toBe(true);
    expect(hook.received.every((r) => r.verified)).toBe(true);
    if (name === 'SQLite') writeFileSync(join(artifactsDir('notifications'), 'notify-run.json'), `${first.stdout}\n`);

    const second = await cli(location, ['notify', 'run', '--json'], env);
    expect(JSON.parse(second.stdout)).toEqual({ sent: [], failed: [] });
    expect(second.status).toBe(0);

    // A refusing mail server: exit 1, the failure in "failed" with its error; the text form says so too.
    const reopened = await openStore({ db: location, auditKeyFile: join(dir, 'audit.key') });
    try {
      await addActionItem(reopened, incidentId, { type: 'fix', title: 'Rotate krbtgt twice', owner: 'ana' }, { actor: 'rita' });
    } finally {
      await reopened.close();
    }
    smtp.refuse = true;
    const failing = await cli(location, ['notify', 'run', '--json'], { HINDSIGHT_SMTP_URL: smtp.url });
    smtp.refuse = false;
    expect(failing.status).toBe(1);
    const failed = JSON.parse(failing.stdout) as { sent: unknown[]; failed: Record<string, string>[] };
    expect(failed.sent).toEqual([]);
    expect(failed.failed).toEqual([{ channel: 'email', to: 'ana@soc.example', kind: 'action.assigned', subject: expect.stringContaining('Rotate krbtgt twice'), error: expect.stringMatching(/550.*attempt 1 of 6; next try at /) }]);
    if (name === 'SQLite') writeFileSync(join(artifactsDir('notifications'), 'notify-run-failed.json'), `${failing.stdout}\n`);

    const bad = await cli(location, ['notify', 'run', '--json'], { HINDSIGHT_SMTP_URL: 'http://mail.soc.example' });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/HINDSIGHT_SMTP_URL: must start with smtp:\/\/ or smtps:\/\//);

    const text = await cli(location, ['notify', 'run'], {});
    expect(text.stdout).toBe('0 sent, 0 failed');
  });
});
