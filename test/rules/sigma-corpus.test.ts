/** Integration: the real SigmaHQ corpus in ../shared/detections/sigma, imported in full. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireOrSkip, sharedDir } from '../helpers/env.js';
import { importRules } from '../../src/rules/index.js';

const shared = sharedDir();
const corpus = shared ? join(shared, 'detections', 'sigma') : '';
const available = Boolean(shared) && existsSync(corpus);
const run = requireOrSkip('SigmaHQ rules in ../shared/detections/sigma', available, shared ? `${corpus} does not exist` : 'no ../shared directory');

describe.runIf(run)('SigmaHQ corpus', () => {
  it('imports all 3,754 rule files with plausible totals', async () => {
    const inv = await importRules([corpus]);
    expect(inv.stats.files).toBe(3754);
    expect(inv.byFormat.sigma).toBe(inv.stats.parsed);
    expect(inv.stats.failed).toBeLessThanOrEqual(10);
    expect(inv.stats.parsed + inv.stats.failed + inv.stats.skipped).toBeGreaterThanOrEqual(3754);
    expect(inv.stats.parsed).toBeGreaterThanOrEqual(3700);
    expect(inv.stats.mapped).toBeGreaterThan(3000);
    expect(inv.stats.mapped / inv.stats.parsed).toBeGreaterThan(0.8);
    expect(inv.stats.mapped + inv.stats.unmapped + inv.stats.deprecated).toBe(inv.stats.parsed);
    expect(inv.unmappedRules).toHaveLength(inv.stats.unmapped);
    expect(inv.techniqueIds.length).toBeGreaterThan(300);
    expect(inv.techniqueIds.every((id) => /^T\d{4}(\.\d{3})?$/.test(id))).toBe(true);
    expect(inv.techniqueIds).toContain('T1059.001');
    // ATT&CK v19 tactic tags are present alongside the classic ones.
    expect(inv.tactics).toEqual(expect.arrayContaining(['execution', 'persistence', 'credential-access', 'stealth', 'defense-impairment']));
    const ids = new Set(inv.rules.map((r) => r.id));
    expect(ids.size).toBe(inv.rules.length);
    const sample = inv.rules.find((r) => r.file.endsWith('proc_creation_win_7zip_exfil_dmp_files.yml'));
    expect(sample).toMatchObject({
      id: 'ec570e53-4c76-45a9-804d-dc3f355ff7a7',
      name: '7Zip Compressing Dump Files',
      status: 'test',
      level: 'medium',
      techniqueIds: ['T1560.001'],
      tactics: ['collection'],
      logsource: { category: 'process_creation', product: 'windows' },
    });
    console.log(
      `[sigma corpus] files ${inv.stats.files}, parsed ${inv.stats.parsed}, failed ${inv.stats.failed}, skipped ${inv.stats.skipped}, ` +
        `mapped ${inv.stats.mapped}, unmapped ${inv.stats.unmapped}, techniques ${inv.techniqueIds.length}, tactics ${inv.tactics.join(' ')}`,
    );
  });
});
