/**
 * The operator's command line for tokens, service accounts and the audit trail: `users add
 * --service`, `tokens create --scope --expires-in` (for any enabled user, never a disabled one),
 * and `audit list` with its filters, one JSON document on stdout, exit 2 and one line for bad input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCliInProcess, type CliRun } from '../helpers/cli-in-process.js';
import { attackBundle, projectRoot, requireOrSkip } from '../helpers/env.js';

const bundle = attackBundle();
const run = requireOrSkip('CLI audit list tests (ATT&CK 18.1 bundle)', Boolean(bundle.path), bundle.reason);
const dir = mkdtempSync(join(tmpdir(), 'hindsight-cli-audit-list-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function hs(db: string, ...args: string[]): Promise<CliRun> {
  return runCliInProcess(['--db', db, '--attack', bundle.path as string, ...args], { HINDSIGHT_USER: 'ops' });
}

describe.runIf(run)('hindsight users add --service, tokens create --scope, audit list', () => {
  it('makes service accounts and scoped tokens, and lists the trail filtered, as one JSON document', async () => {
    const db = join(dir, 'cli.db');
    expect((await hs(db, 'import', join(projectRoot, 'examples', 'ransomware.json'), '--json')).status).toBe(0);
    const robot = await hs(db, 'users', 'add', 'ci-robot', '--role', 'analyst', '--service', '--json');
    expect(robot.status, robot.stderr).toBe(0);
    expect(JSON.parse(robot.stdout)).toMatchObject({ username: 'ci-robot', kind: 'service' });
    const token = await hs(db, 'tokens', 'create', '--user', 'ci-robot', '--scope', 'read', '--expires-in', '30', '--json');
    expect(token.status, token.stderr).toBe(0);
    const created = JSON.parse(token.stdout) as { scope: string; expiresAt: string; token: string };
    expect(created.scope).toBe('read');
    expect(Math.round((Date.parse(created.expiresAt) - Date.now()) / 86_400_000)).toBe(30);
    // Bad input: one line, exit 2.
    for (const args of [
      ['tokens', 'create', '--user', 'ci-robot', '--scope', 'admin'],
      ['tokens', 'create', '--user', 'ci-robot', '--scope', 'root'],
      ['tokens', 'create', '--user', 'ci-robot', '--expires-in', '400'],
      ['audit', 'list', '--since', '2026-02-30'],
      ['audit', 'list', '--until', 'yesterday'],
      ['audit', 'list', '--action', 'user.delete'],
      ['audit', 'list', '--limit', '0'],
    ]) {
      const bad = await hs(db, ...args);
      expect(bad.status, args.join(' ')).toBe(2);
      expect(bad.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect((await hs(db, 'audit', 'list', '--action', 'user.delete')).stderr).toMatch(/unknown action "user.delete"/);
    expect((await hs(db, 'tokens', 'create', '--user', 'ci-robot', '--expires-in', '400')).stderr).toMatch(/1 to 365 days/);
    // A disabled account gets no token, even from the operator.
    expect((await hs(db, 'users', 'disable', 'ci-robot')).status).toBe(0);
    const refused = await hs(db, 'tokens', 'create', '--user', 'ci-robot');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/disabled/);

    const all = await hs(db, 'audit', 'list', '--json');
    expect(all.status, all.stderr).toBe(0);
    const doc = JSON.parse(all.stdout) as { entries: { seq: number; action: string; actor: string; entityId: string }[]; nextBefore: number | null };
    expect(doc.entries.map((e) => e.action)).toEqual(['user.disable', 'token.revoke', 'token.create', 'user.add', 'incident.import']);
    expect(doc.entries.every((e) => e.actor === 'cli:ops')).toBe(true);
    expect(doc.nextBefore).toBeNull();
    const byAction = JSON.parse((await hs(db, 'audit', 'list', '--action', 'token.create,token.revoke', '--json')).stdout) as typeof doc;
    expect(byAction.entries.map((e) => e.action)).toEqual(['token.revoke', 'token.create']);
    const incident = doc.entries.find((e) => e.action === 'incident.import')?.entityId as string;
    const byIncident = JSON.parse((await hs(db, 'audit', 'list', '--incident', incident, '--json')).stdout) as typeof doc;
    expect(byIncident.entries.map((e) => e.action)).toEqual(['incident.import']);
    expect((await hs(db, 'audit', 'list', '--incident', 'inc_000000000000')).status).toBe(2);
    const today = new Date().toISOString().slice(0, 10);
    expect((JSON.parse((await hs(db, 'audit', 'list', '--since', today, '--until', today, '--actor', 'cli:ops', '--json')).stdout) as typeof doc).entries).toHaveLength(5);
    expect((JSON.parse((await hs(db, 'audit', 'list', '--until', '2000-01-01', '--json')).stdout) as typeof doc).entries).toHaveLength(0);
    const page1 = JSON.parse((await hs(db, 'audit', 'list', '--limit', '2', '--json')).stdout) as typeof doc;
    expect(page1.entries).toHaveLength(2);
    const page2 = JSON.parse((await hs(db, 'audit', 'list', '--limit', '2', '--before', String(page1.nextBefore), '--json')).stdout) as typeof doc;
    expect(page2.entries.map((e) => e.action)).toEqual(['token.create', 'user.add']);
    const text = await hs(db, 'audit', 'list', '--limit', '2');
    expect(text.stdout).toMatch(/user\.disable/);
    expect(text.stdout).toMatch(/more: --before \d+/);
  });
});
