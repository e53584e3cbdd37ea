import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attackBundle, projectRoot, requireOrSkip } from '../helpers/env.js';

/**
 * `hindsight actions list` across incidents through the command line (needs `npm run build`):
 * incident titles, fuzzy search, due soon, order, and the spreadsheet-safe CSV export.
 */
const bundle = attackBundle();
const built = existsSync(join(projectRoot, 'dist', 'cli', 'main.js'));
const run = requireOrSkip('ATT&CK bundle for the action list CLI test', Boolean(bundle.path), bundle.reason) && requireOrSkip('a build (npm run build) for the action list CLI test', built, 'dist/cli/main.js is missing');
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe.runIf(run)('hindsight actions list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-actions-cli-'));
  const db = join(dir, 'h.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const hs = (args: string[]) => {
    const r = spawnSync(process.execPath, [join(projectRoot, 'bin', 'hindsight.js'), '--db', db, '--attack', bundle.path as string, ...args], { encoding: 'utf8', env: { ...process.env, HINDSIGHT_USER: 'ana', HINDSIGHT_POLICY: '' }, cwd: dir });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const json = <T>(args: string[]): T => {
    const r = hs(['--json', ...args]);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  };
  let incident = '';
  let title = '';

  beforeAll(() => {
    const imported = json<{ reviews: { id: string }[] }>(['import', join(projectRoot, 'examples', 'ransomware.json')]);
    incident = imported.reviews[0]?.id ?? '';
    title = json<{ incident: { title: string } }>(['review', incident, '--format', 'json']).incident.title;
    json(['actions', 'add', incident, '--type', 'fix', '--title', 'Patch the VPN appliance', '--owner', 'zoe.miller@example.org', '--due', day(3), '--priority', 'critical']);
    json(['actions', 'add', incident, '--type', 'training', '--title', '=cmd|calc', '--owner', 'bob@example.org', '--due', day(-1)]);
    json(['actions', 'add', incident, '--type', 'fix', '--title', 'Review firewall rules', '--due', day(40)]);
  }, 120_000);

  it('searches fuzzily, keeps items due soon, orders, and names each incident', () => {
    const found = json<{ actions: { title: string; incidentTitle: string }[] }>(['actions', 'list', '--search', 'Zoë vpn']);
    expect(found.actions.map((a) => a.title)).toEqual(['Patch the VPN appliance']);
    expect(found.actions[0]?.incidentTitle).toBe(title);
    expect(json<{ actions: { title: string }[] }>(['actions', 'list', '--due-soon', '7']).actions.map((a) => a.title)).toEqual(['Patch the VPN appliance']);
    expect(json<{ actions: { dueDate: string }[] }>(['actions', 'list', '--sort', 'due', '--desc']).actions.map((a) => a.dueDate)).toEqual([day(40), day(3), day(-1)]);
  });

  it('exports CSV with formulas neutralised, and refuses bad options with exit 2', () => {
    const csv = hs(['actions', 'list', '--format', 'csv', '--sort', 'due']);
    expect(csv.status, csv.stderr).toBe(0);
    const lines = csv.stdout.trimEnd().split(/\r?\n/);
    expect(lines[0]).toMatch(/^id,incident_id,incident_title,title,/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(",'=cmd|calc,");
    expect(lines[1]).toContain(title.includes(',') ? `"${title}"` : title);
    for (const [args, message] of [
      [['actions', 'list', '--due-soon', 'soon'], /--due-soon: "soon" is not a number of days/],
      [['actions', 'list', '--status', 'opened'], /--status must be one of open, in-progress, done, verified, wont-do, not "opened"/],
      [['--json', 'actions', 'list', '--format', 'csv'], /--format csv and --json both choose the output/],
      [['actions', 'list', '--sort', 'colour'], /colour/],
    ] as const) {
      const r = hs([...args]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });
});
