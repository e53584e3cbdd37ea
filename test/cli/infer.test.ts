import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attackBundle, requireOrSkip } from '../helpers/env.js';
import { built, examples, runCli, scratch } from './run.js';

const bundle = attackBundle();
const ready = requireOrSkip('hindsight infer / rules CLI (built dist and ATT&CK 18.1)', built && Boolean(bundle.path), built ? bundle.reason : 'dist is not built (npm run build:server)');

describe.runIf(ready)('hindsight infer and rules', () => {
  const cwd = scratch('hindsight-infer-');
  const env = { HINDSIGHT_ATTACK_DATA: bundle.path!, HINDSIGHT_AUDIT_KEY_FILE: join(cwd, 'audit.key') };
  const run = (...args: string[]) => runCli(['--db', join(cwd, 'h.db'), ...args], { cwd, env });

  it('prints the contract for a list of techniques', () => {
    const r = run('infer', '--techniques', 'T1566.001,T1059.001', '--top', '5', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { attackVersion: string; observed: string[]; techniques: Record<string, unknown>[] };
    expect(out.attackVersion).toBe('18.1');
    expect(out.observed).toEqual(['T1566.001', 'T1059.001']);
    expect(out.techniques).toHaveLength(5);
    for (const t of out.techniques) {
      expect(Object.keys(t)).toEqual(expect.arrayContaining(['id', 'name', 'tactics', 'score', 'because', 'rules']));
      expect(t.rules).toBe(0);
      expect(Array.isArray(t.because)).toBe(true);
    }
    expect(out.techniques.map((t) => t.id)).toContain('T1204.002');
  });

  it('refuses unknown IDs with exit 2 naming them, and remaps revoked ones with a note', () => {
    const bad = run('infer', '--techniques', 'T1566.001,T9999', '--json');
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('T9999');
    const revoked = run('infer', '--techniques', 'T1086,T1566.001', '--json');
    expect(revoked.status).toBe(0);
    expect(JSON.parse(revoked.stdout).observed).toContain('T1059.001');
    expect(revoked.stderr).toMatch(/T1086 is revoked/);
    expect(run('infer', '--json').status).toBe(2);
  });

  it('infers for an incident, stores the rules, verifies a detection fix and flags its regression', () => {
    expect(run('import', join(examples, 'ransomware.json')).status).toBe(0);
    const list = JSON.parse(run('incidents', '--json').stdout) as { incidents: { id: string }[] };
    const incident = list.incidents[0]!.id;
    const inferred = JSON.parse(run('infer', '--incident', incident, '--json').stdout) as { observed: string[]; techniques: { id: string }[]; thin: boolean };
    expect(inferred.observed.length).toBeGreaterThan(5);
    expect(inferred.thin).toBe(false);
    for (const t of inferred.techniques) expect(inferred.observed).not.toContain(t.id);

    const added = JSON.parse(run('actions', 'add', incident, '--type', 'detection-engineering', '--title', 'Detect LSASS access', '--owner', 'ben', '--json').stdout) as { id: string };
    expect(run('actions', 'cover', added.id, '--techniques', 'T1003.001').status).toBe(0);
    const rules = join(cwd, 'rules');
    mkdirSync(rules);
    const rule = (id: string, tag: string) => `title: Rule ${id}\nid: ${id}\nstatus: stable\ntags:\n  - attack.${tag}\nlogsource:\n  product: windows\n  category: process_access\ndetection:\n  selection:\n    TargetImage|endswith: '\\\\lsass.exe'\n  condition: selection\n`;
    writeFileSync(join(rules, 'lsass.yml'), rule('bbbbbbbb-0000-4000-8000-000000000001', 't1003.001'));
    const first = JSON.parse(run('rules', 'import', rules, '--json').stdout) as { import: { id: string; techniquesCovered: number }; verification: { state: string }[] };
    expect(first.import.techniquesCovered).toBe(1);
    expect(first.verification).toEqual([expect.objectContaining({ state: 'verified' })]);
    const withRules = JSON.parse(run('infer', '--techniques', 'T1059.001,T1078.002', '--top', '50', '--json').stdout) as { techniques: { id: string; rules: number }[] };
    expect(withRules.techniques.find((t) => t.id === 'T1003.001')?.rules).toBe(1);

    writeFileSync(join(rules, 'lsass.yml'), rule('bbbbbbbb-0000-4000-8000-000000000002', 't1059.001'));
    const second = JSON.parse(run('rules', 'import', rules, '--json').stdout) as { verification: { state: string }[] };
    expect(second.verification).toEqual([expect.objectContaining({ state: 'regressed' })]);
    const verify = JSON.parse(run('actions', 'verify', '--json').stdout) as { items: { state: string; evidence: { uncovered: string[] } }[] };
    expect(verify.items[0]).toMatchObject({ state: 'regressed', evidence: { uncovered: ['T1003.001'] } });
    const history = JSON.parse(run('rules', 'history', '--json').stdout) as { imports: { techniquesCovered: number; lost: string[] }[] };
    expect(history.imports.map((i) => i.techniquesCovered)).toEqual([1, 1]);
    expect(history.imports[1]!.lost).toEqual(['T1003.001']);
    // Coverage reads the stored inventory when not given --rules.
    const coverage = run('coverage', '--json');
    expect(coverage.status).toBe(0);
    expect(JSON.parse(coverage.stdout).rules).toBeTruthy();
    // The review's Detection section lists what probably also happened.
    const review = JSON.parse(run('review', incident, '--format', 'json').stdout) as { detection: { probablyAlsoHappened: { techniques: { id: string; rules: number | null }[] } } };
    expect(review.detection.probablyAlsoHappened.techniques.length).toBeGreaterThan(0);
    expect(review.detection.probablyAlsoHappened.techniques[0]!.rules).not.toBeNull();
  }, 120_000);
});
