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
});
