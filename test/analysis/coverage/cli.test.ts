import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { miniBundlePath } from '../../attack/mini.js';
import { requireOrSkip } from '../../helpers/env.js';
import { built, examples, runCli, scratch } from '../../cli/run.js';

interface CoverageJson {
  attackVersion: string;
  rules: Record<string, number>;
  techniques: { total: number; covered: number; observed: number; detected: number; missed: number };
  unknownTechniques: string[];
  gaps: { id: string; score: number; relevance: number; rules: number; observed: number; missed: number; dataComponents: { id: string }[] }[];
}

const SIGMA = (id: string, tags: string[]) =>
  [`title: Rule ${id}`, `id: 00000000-0000-4000-8000-00000000000${id}`, 'status: stable', 'level: high', 'logsource:', '  product: windows', '  category: process_creation', 'detection:', '  sel:', '    Image|endswith: x.exe', '  condition: sel', 'tags:', ...tags.map((t) => `  - ${t}`), ''].join('\n');

describe.runIf(requireOrSkip('built CLI (npm run build)', built, 'dist/cli/main.js is missing'))('hindsight coverage', () => {
  const dir = scratch('hindsight-coverage-');
  const rules = join(dir, 'rules');
  mkdirSync(rules);
  writeFileSync(join(rules, 'a.yml'), SIGMA('1', ['attack.execution', 'attack.t1059.001']));
  writeFileSync(join(rules, 'b.yml'), SIGMA('2', ['attack.stealth', 'attack.t1036', 'attack.t1685']));
  writeFileSync(join(rules, 'c.yml'), SIGMA('3', ['attack.persistence']));
  const attack = miniBundlePath;

  it('prints the JSON contract, weighted by a threat layer, and writes three layers', () => {
    const layerOut = join(dir, 'layers.json');
    const r = runCli(['coverage', '--rules', rules, '--attack', attack, '--threat-layer', join(examples, '..', 'test', 'fixtures', 'coverage', 'threat-4.5.json'), '--layer', layerOut, '--json', '--no-incidents'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as CoverageJson;
    expect(out.rules).toMatchObject({ files: 3, parsed: 3, failed: 0, mapped: 2, unmapped: 1, deprecated: 0 });
    expect(out.techniques).toMatchObject({ total: 5, covered: 2, observed: 0 });
    expect(out.unknownTechniques).toEqual(['T1685']);
    expect(out.gaps.map((g) => [g.id, g.score])).toEqual([['T1562', 1], ['T1547', 0.5]]);
    const layers = JSON.parse(readFileSync(layerOut, 'utf8')) as { name: string; versions: { layer: string }; legendItems: unknown[]; techniques: { techniqueID: string; score?: number }[] }[];
    expect(layers.map((l) => l.name)).toEqual(['Detection coverage', 'Threat relevance', 'Detection gaps']);
    for (const l of layers) {
      expect(l.versions.layer).toBe('4.5');
      expect(l.legendItems.length).toBeGreaterThan(0);
    }
    expect(layers[0]?.techniques.find((t) => t.techniqueID === 'T1059.001')?.score).toBe(1);
    expect(layers[2]?.techniques.find((t) => t.techniqueID === 'T1562')?.score).toBe(100);
  });

  it('refuses a broken threat layer with exit 2 naming the file and path, and unknown actors', () => {
    const broken = join(examples, '..', 'test', 'fixtures', 'coverage', 'broken-score.json');
    const r = runCli(['coverage', '--rules', rules, '--attack', attack, '--threat-layer', broken, '--no-incidents'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('broken-score.json');
    expect(r.stderr).toContain('$.techniques[1].score');
    const u = runCli(['coverage', '--rules', rules, '--attack', attack, '--threat', 'G0001,Nobody', '--no-incidents'], { cwd: dir });
    expect(u.status).toBe(2);
    expect(u.stderr).toContain('Nobody');
    expect(runCli(['coverage', '--attack', attack], { cwd: dir }).status).toBe(2);
  });

  it('confirms review techniques and counts the missed detection', () => {
    const db = join(dir, 'h.db');
    // The mini bundle knows few techniques: of the ransomware example's alert techniques it knows only
    // T1059.001 (T1562.001 and the rest are unknown to it), so a confirmed T1562 has no alert.
    const bundle = attack;
    expect(runCli(['import', join(examples, 'ransomware.json'), '--db', db], { cwd: dir }).status).toBe(0);
    const c = runCli(['coverage', 'confirm', '41873', 'T1562', 'T1086', '--actor', 'alice', '--db', db, '--attack', bundle, '--json'], { cwd: dir });
    expect(c.stderr).toBe('');
    const confirmed = JSON.parse(c.stdout) as { confirmed: { techniqueId: string; confirmedBy: string }[] };
    expect(confirmed.confirmed.map((x) => [x.techniqueId, x.confirmedBy])).toEqual([['T1059.001', 'alice'], ['T1562', 'alice']]);
    expect(runCli(['coverage', 'confirm', '41873', 'T9999', '--db', db, '--attack', bundle], { cwd: dir }).status).toBe(2);
    expect(runCli(['coverage', 'confirm', 'nope', 'T1562', '--db', db, '--attack', bundle], { cwd: dir }).status).toBe(2);

    const listed = JSON.parse(runCli(['coverage', 'confirmed', '41873', '--db', db, '--attack', bundle, '--json'], { cwd: dir }).stdout) as {
      detection: { techniques: { id: string; missed: boolean; detectedBy: { title: string }[] }[] };
    };
    const byId = new Map(listed.detection.techniques.map((t) => [t.id, t]));
    expect(byId.get('T1059.001')?.detectedBy.map((a) => a.title)).toEqual(['Suspicious Office macro spawned PowerShell']);
    expect(byId.get('T1562')?.missed).toBe(true);
    expect(byId.get('T1059.001')?.missed).toBe(false);

    const cov = JSON.parse(runCli(['coverage', '--rules', rules, '--db', db, '--attack', bundle, '--json'], { cwd: dir }).stdout) as CoverageJson;
    // T1059.001 (alert), T1562 (review, missed), and T1059 is not counted: nothing carried the parent itself.
    expect(cov.techniques).toMatchObject({ observed: 2, detected: 1, missed: 1 });
    // Missed, observed, no rules: relevance 0.5 (seen in our incidents) x 1 + 0.5 x 1/1.
    expect(cov.gaps.find((g) => g.id === 'T1562')).toMatchObject({ observed: 1, missed: 1, rules: 0, score: 1 });
  });

  it('unconfirms a technique confirmed by mistake: rows gone, audited, listing and coverage follow, the rest untouched', () => {
    const db = join(dir, 'unconfirm.db');
    const bundle = attack;
    const run = (args: string[]) => runCli([...args, '--db', db, '--attack', bundle], { cwd: dir, env: { HINDSIGHT_USER: 'carol' } });
    expect(run(['import', join(examples, 'ransomware.json')]).status).toBe(0);
    expect(run(['coverage', 'confirm', '41873', 'T1562', 'T1086', 'T1547', '--actor', 'alice', '--note', 'review']).status).toBe(0);
    const before = JSON.parse(run(['coverage', 'confirmed', '41873', '--json']).stdout) as { incident: string; confirmed: { techniqueId: string; confirmedAt: string; confirmedBy: string; note: string }[] };
    expect(before.confirmed.map((c) => c.techniqueId)).toEqual(['T1059.001', 'T1547', 'T1562']);

    const r = run(['coverage', 'unconfirm', '41873', 'T1562', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { incident: string; removed: { techniqueId: string; confirmedBy: string }[]; confirmed: typeof before.confirmed };
    expect(Object.keys(out)).toEqual(['incident', 'removed', 'confirmed']);
    expect(out.incident).toBe(before.incident);
    expect(out.removed.map((c) => [c.techniqueId, c.confirmedBy])).toEqual([['T1562', 'alice']]);
    // The other confirmations are exactly as they were (same who, when and note).
    expect(out.confirmed).toEqual(before.confirmed.filter((c) => c.techniqueId !== 'T1562'));

    // `coverage confirmed` no longer lists it, and coverage no longer counts it as missed.
    const listed = JSON.parse(run(['coverage', 'confirmed', '41873', '--json']).stdout) as { confirmed: { techniqueId: string }[]; detection: { techniques: { id: string }[] } };
    expect(listed.confirmed.map((c) => c.techniqueId)).toEqual(['T1059.001', 'T1547']);
    expect(listed.detection.techniques.map((t) => t.id)).not.toContain('T1562');
    const cov = JSON.parse(run(['coverage', '--rules', rules, '--json']).stdout) as CoverageJson;
    expect(cov.gaps.find((g) => g.id === 'T1562')?.missed ?? 0).toBe(0);

    // The audit trail names the removal, with the confirmations before and after.
    const audit = JSON.parse(run(['audit', 'log', '--json']).stdout) as { entries: { action: string; actor: string; entityId: string; before: { confirmed: { techniqueId: string }[] }; after: { confirmed: { techniqueId: string }[] } }[] };
    const removal = audit.entries.filter((e) => e.action === 'coverage.unconfirm');
    expect(removal).toHaveLength(1);
    expect(removal[0]).toMatchObject({ actor: 'cli:carol', entityId: before.incident });
    expect(removal[0]?.before.confirmed.map((c) => c.techniqueId)).toEqual(['T1059.001', 'T1547', 'T1562']);
    expect(removal[0]?.after.confirmed.map((c) => c.techniqueId)).toEqual(['T1059.001', 'T1547']);

    // Some not confirmed: the others go, the rest is named on stderr, exit 0. A revoked ID removes its replacement.
    const partial = run(['coverage', 'unconfirm', '41873', 'T1086,T1036']);
    expect(partial.status).toBe(0);
    expect(partial.stdout).toContain('removed T1059.001; 1 confirmed technique(s) left');
    expect(partial.stderr).toBe(`warning: T1036 is not confirmed for incident ${before.incident}; nothing to remove\n`);
    // None confirmed, an unknown incident, a malformed ID: exit 2, one line, nothing changed.
    for (const args of [['41873', 'T1036'], ['no-such-incident', 'T1547'], ['41873', 'T1547', 'powershell']]) {
      const refused = run(['coverage', 'unconfirm', ...args]);
      expect(refused.status, args.join(' ')).toBe(2);
      expect(refused.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    const left = JSON.parse(run(['coverage', 'confirmed', '41873', '--json']).stdout) as { confirmed: { techniqueId: string }[] };
    expect(left.confirmed.map((c) => c.techniqueId)).toEqual(['T1547']);
    const entries = (JSON.parse(run(['audit', 'log', '--json']).stdout) as { entries: { action: string }[] }).entries.filter((e) => e.action === 'coverage.unconfirm');
    expect(entries).toHaveLength(2);
  });
});
