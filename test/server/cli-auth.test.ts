import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { built, runCli, scratch } from '../cli/run.js';
import { requireOrSkip } from '../helpers/env.js';

const run = requireOrSkip('CLI tests of users, tokens and audit (needs npm run build)', built, 'dist/cli/main.js is missing: run npm run build');

describe.runIf(run)('hindsight users, tokens, audit verify', () => {
  it('adds users from stdin, creates a token shown once, revokes it, and verifies and breaks the audit chain', () => {
    const cwd = scratch();
    const env = { HINDSIGHT_USER: 'ops-lead' };
    const add = runCli(['users', 'add', 'alice', '--role', 'reviewer', '--password-stdin', '--json'], { cwd, env, input: 'a-very-long-password\n' });
    expect(add.status, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ username: 'alice', role: 'reviewer', disabled: false });
    const dup = runCli(['users', 'add', 'alice', '--role', 'viewer'], { cwd, env });
    expect(dup.status).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
    const badRole = runCli(['users', 'add', 'bob', '--role', 'root'], { cwd, env });
    expect(badRole.status).toBe(2);
    expect(badRole.stderr).toMatch(/role must be one of viewer, analyst, reviewer, admin/);
    const short = runCli(['users', 'add', 'bob', '--role', 'viewer', '--password-stdin'], { cwd, env, input: 'short' });
    expect(short.status).toBe(2);

    const token = runCli(['tokens', 'create', '--user', 'alice', '--name', 'ci', '--json'], { cwd, env });
    expect(token.status, token.stderr).toBe(0);
    const created = JSON.parse(token.stdout) as { id: string; token: string; username: string };
    expect(created.token).toMatch(/^hs_/);
    const list = runCli(['tokens', 'list', '--json'], { cwd, env });
    expect(list.stdout).not.toContain(created.token);
    expect(runCli(['tokens', 'revoke', created.id], { cwd, env }).status).toBe(0);
    expect(runCli(['users', 'disable', 'alice'], { cwd, env }).status).toBe(0);
    const users = JSON.parse(runCli(['users', 'list', '--json'], { cwd, env }).stdout) as { users: { username: string; disabled: boolean }[] };
    expect(users.users).toEqual([expect.objectContaining({ username: 'alice', disabled: true })]);

    const verify = runCli(['audit', 'verify', '--json'], { cwd, env });
    expect(verify.status).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, entries: 4 });
    const log = JSON.parse(runCli(['audit', 'log', '--json'], { cwd, env }).stdout) as { entries: { actor: string; action: string }[] };
    expect(log.entries.map((e) => e.action)).toEqual(['user.disable', 'token.revoke', 'token.create', 'user.add']);
    expect(log.entries.every((e) => e.actor === 'cli:ops-lead')).toBe(true);

    const db = new Database(join(cwd, 'hindsight.db'));
    db.prepare("update audit_log set actor = 'someone-else' where seq = 2").run();
    db.close();
    const broken = runCli(['audit', 'verify'], { cwd, env });
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN at entry 2/);
  });
});
