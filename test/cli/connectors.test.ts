/**
 * `hindsight connectors add|list|show|disable|enable|remove` and `hindsight sync --json` as a user
 * runs them (the built CLI), against a Microsoft Graph stand-in on loopback. The CLI runs as a
 * child process without blocking this one, which serves the stand-in.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../helpers/env.js';
import { BAD_SECRET, CLIENT, GOOD_SECRET, graphIncident, startStandIn, TENANT, type StandIn } from '../connectors/stand-in.js';
import { bin, built, scratch, type RunResult } from './run.js';

const dir = scratch();
const db = join(dir, 'h.db');

function hindsight(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, '--db', db, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, HINDSIGHT_CACHE_DIR: join(dir, '.cache'), HINDSIGHT_USER: 'ana', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe.runIf(requireOrSkip('built CLI (npm run build:server)', built, 'dist/cli/main.js is missing'))('hindsight connectors and sync', () => {
  let api: StandIn;
  beforeAll(async () => {
    api = await startStandIn();
    api.incidents = ['201', '202', '203'].map((id, n) => graphIncident(id, `2026-11-2${n}T10:00:00Z`));
  });
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds connectors, syncs them with --json (exit 1 when one fails), and manages them', async () => {
    const common = ['--type', 'defender', '--tenant-id', TENANT, '--client-id', CLIENT, '--graph-url', api.url, '--login-url', api.url];
    const added = await hindsight(['connectors', 'add', 'defender-prod', ...common, '--client-secret-env', 'DEFENDER_SECRET', '--interval', '15', '--json']);
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ name: 'defender-prod', type: 'defender', intervalMinutes: 15, enabled: true, secret: { kind: 'env', ref: 'DEFENDER_SECRET' }, lastRun: null, checkpoint: null });
    expect((await hindsight(['connectors', 'add', 'defender-bad', ...common, '--client-secret-env', 'BAD_SECRET'])).status).toBe(0);

    // Bad usage: no secret reference, two of them, an unknown type, a sentinel flag on defender.
    for (const args of [common, [...common, '--client-secret-env', 'A', '--client-secret-file', '/x'], ['--type', 'splunk', '--tenant-id', 't', '--client-id', 'c', '--client-secret-env', 'A'], [...common, '--client-secret-env', 'A', '--workspace', 'w']]) {
      const bad = await hindsight(['connectors', 'add', 'other', ...args]);
      expect(bad.status, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(/^hindsight: .+\n$/);
    }
    expect((await hindsight(['connectors', 'add', 'defender-prod', ...common, '--client-secret-env', 'X'])).status).toBe(1);

    const env = { DEFENDER_SECRET: GOOD_SECRET, BAD_SECRET };
    const sync = await hindsight(['sync', '--since', '2026-11-01', '--json'], env);
    expect(sync.status).toBe(1);
    const report = JSON.parse(sync.stdout) as { connectors: Record<string, unknown>[] };
    expect(report.connectors.map((c) => Object.keys(c))).toEqual([
      ['name', 'type', 'fetched', 'created', 'updated', 'unchanged', 'checkpoint', 'error'],
      ['name', 'type', 'fetched', 'created', 'updated', 'unchanged', 'checkpoint', 'error'],
    ]);
    expect(report.connectors[0]).toMatchObject({ name: 'defender-bad', fetched: 0, checkpoint: null, error: expect.stringContaining('AADSTS7000215') });
    expect(report.connectors[1]).toEqual({ name: 'defender-prod', type: 'defender', fetched: 3, created: 3, updated: 0, unchanged: 0, checkpoint: '2026-11-22T10:00:00.000Z', error: null });
    expect(sync.stderr).toContain('defender-prod: GET /v1.0/security/incidents 200');
    expect(sync.stdout + sync.stderr).not.toContain(GOOD_SECRET);
    expect(sync.stdout + sync.stderr).not.toContain(BAD_SECRET);

    const again = await hindsight(['sync', 'defender-prod', '--json'], env);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout).connectors[0]).toMatchObject({ fetched: 1, created: 0, unchanged: 1, error: null });
    expect((await hindsight(['sync', 'nope'], env)).status).toBe(2);
    expect((await hindsight(['sync', '--since', 'last tuesday'], env)).status).toBe(2);

    const listed = JSON.parse((await hindsight(['connectors', 'list', '--json'])).stdout) as { connectors: { name: string; lastRun: { ok: boolean } | null }[] };
    expect(listed.connectors.map((c) => [c.name, c.lastRun?.ok])).toEqual([['defender-bad', false], ['defender-prod', true]]);
    const shown = await hindsight(['connectors', 'show', 'defender-prod']);
    expect(shown.stdout).toContain('secret: environment variable DEFENDER_SECRET');
    expect((await hindsight(['connectors', 'disable', 'defender-bad', '--json'])).stdout).toContain('"enabled": false');
    expect(JSON.parse((await hindsight(['sync', '--json'], env)).stdout).connectors.map((c: { name: string }) => c.name)).toEqual(['defender-prod']);
    expect((await hindsight(['connectors', 'enable', 'defender-bad'])).status).toBe(0);
    expect((await hindsight(['connectors', 'remove', 'defender-bad'])).status).toBe(0);
    expect((await hindsight(['connectors', 'show', 'defender-bad'])).status).toBe(2);
  });
});
