import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { attackBundle, requireOrSkip } from '../helpers/env.js';
import { stixProblems } from '../helpers/share-validators.js';
import { built, examples, runCli, scratch } from './run.js';

const bundle = attackBundle();

describe.runIf(requireOrSkip('built CLI (npm run build)', built, 'dist/cli/main.js is missing') && requireOrSkip('ATT&CK bundle', Boolean(bundle.path), bundle.reason))('hindsight export', () => {
  const dir = scratch('hindsight-export-');
  const db = join(dir, 'h.db');
  const env = { HINDSIGHT_ATTACK_DATA: bundle.path as string, HINDSIGHT_TEAM_NAME: 'Example CSIRT' };
  let incident: string;
  beforeAll(() => {
    const r = runCli(['import', join(examples, 'ransomware.json'), '--db', db, '--json'], { cwd: dir, env });
    expect(r.status, r.stderr).toBe(0);
    incident = (JSON.parse(r.stdout) as { reviews: { id: string }[] }).reviews[0]?.id as string;
  });

  it('prints the bundle on stdout, or writes the file and prints what it wrote under --json', () => {
    const out = runCli(['export', incident, '--format', 'stix', '--db', db], { cwd: dir, env });
    expect(out.status, out.stderr).toBe(0);
    const stix = JSON.parse(out.stdout) as { type: string; id: string; objects: { type: string; id: string; name?: string }[] };
    expect(stixProblems(stix)).toEqual([]);
    expect(stix.objects.find((o) => o.type === 'identity')?.name).toBe('Example CSIRT');
    const file = join(dir, 'flow.json');
    const written = runCli(['export', incident, '--format', 'attack-flow', '-o', file, '--tlp-max', 'TLP:AMBER', '--db', db, '--json'], { cwd: dir, env });
    expect(written.status, written.stderr).toBe(0);
    const summary = JSON.parse(written.stdout) as { file: string; format: string; tlpMax: string; counts: Record<string, number> };
    expect(summary).toMatchObject({ file, format: 'attack-flow', tlpMax: 'AMBER' });
    expect(summary.counts['attack-action']).toBeGreaterThanOrEqual(15);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { objects: unknown[] }).objects.length).toBeGreaterThan(30);
  });

  it('draws the attack story in the HTML review', () => {
    const r = runCli(['review', incident, '--format', 'html', '--db', db], { cwd: dir, env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('<section class="attack-story"><h2>Attack story</h2>');
    expect((r.stdout.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(2);
  });

  it('refuses bad input with one line and exit 2, writing nothing', () => {
    const file = join(dir, 'never.json');
    for (const args of [
      ['export', incident, '--format', 'xml'],
      ['export', incident, '--format', 'stix', '--tlp-max', 'purple'],
      ['export', 'inc_000000000000', '--format', 'misp'],
      ['export', incident, '--format', 'attack-flow', '--tlp-max', 'green'],
    ]) {
      const r = runCli([...args, '-o', file, '--db', db], { cwd: dir, env });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(existsSync(file)).toBe(false);
    }
  });
});
