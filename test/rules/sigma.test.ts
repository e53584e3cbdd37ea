import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importRules, parseRuleFile } from '../../src/rules/index.js';
import { byId, fixtures } from './helpers.js';

const dir = join(fixtures, 'sigma');

describe('Sigma importer', () => {
  it('imports the fixture folder with exact totals', async () => {
    const inv = await importRules([dir]);
    expect(inv.stats).toEqual({ files: 7, parsed: 8, failed: 1, skipped: 1, mapped: 6, unmapped: 1, deprecated: 1 });
    expect(inv.byFormat.sigma).toBe(8);
    expect(inv.rules.every((r) => r.format === 'sigma')).toBe(true);
    // README.md is not a rule-looking file: never opened, never counted.
    expect(inv.rules.some((r) => r.file.endsWith('README.md'))).toBe(false);
  });

  it('reads technique, tactic and other tags as written', async () => {
    const inv = await importRules([dir]);
    const rule = byId(inv.rules, 'ca2092a1-c273-4878-9b4b-0d60115bf5ea');
    expect(rule.name).toBe('Suspicious Encoded PowerShell Command Line');
    expect(rule.status).toBe('test');
    expect(rule.level).toBe('high');
    expect(rule.techniqueIds).toEqual(['T1059.001', 'T1027']);
    expect(rule.invalidReferences).toEqual(['attack.t1059.1']);
    expect(rule.tactics).toEqual(['execution']);
    expect(rule.tags).toContain('cve.2021-44228');
    expect(rule.tags).toContain('attack.g0016');
    expect(rule.logsource).toEqual({ category: 'process_creation', product: 'windows' });
    expect(rule.deprecated).toBe(false);
  });

  it('keeps ATT&CK v19 tactic tags (stealth, defense-impairment) and tactic IDs', async () => {
    const inv = await importRules([dir]);
    const rule = byId(inv.rules, '1f0e9b2c-5a47-4d0e-8e0b-0d1c5c9b0a11');
    expect(rule.tactics).toEqual(['stealth', 'defense-impairment', 'TA0005']);
    expect(rule.techniqueIds).toEqual(['T1562.002', 'T1070.001']);
    expect(inv.tactics).toEqual(
      ['TA0005', 'command-and-control', 'credential-access', 'defense-evasion', 'defense-impairment', 'execution', 'persistence', 'stealth'],
    );
  });

  it('expands a multi-document collection (global, reset, correlation) and ignores filters', async () => {
    const inv = await importRules([join(dir, 'multi_doc_collection.yml')]);
    expect(inv.rules.map((r) => r.id)).toEqual([
      '92626ddd-662c-49e3-ac59-f6535f12d189',
      '8f0b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      '0e95725d-7320-415d-80f7-004da920fc11',
      '9ac3dd67-1a3b-4d17-9c4e-2c4f2a1f0f8e',
    ]);
    const [first, second, afterReset, correlation] = inv.rules;
    expect(first?.name).toBe('Suspicious Scheduled Task Creation');
    expect(first?.logsource).toEqual({ product: 'windows', category: 'process_creation' });
    expect(second?.name).toBe('Suspicious Scheduled Task Creation');
    expect(second?.logsource).toEqual({ product: 'windows', service: 'security' });
    expect(second?.techniqueIds).toEqual(['T1053.005']);
    expect((second?.raw as { detection: Record<string, unknown> }).detection).toEqual({ condition: 'selection', selection: { EventID: 4698 } });
    expect(afterReset?.techniqueIds).toEqual(['T1110']);
    expect(afterReset?.level).toBe('low');
    expect(correlation?.techniqueIds).toEqual(['T1110.001']);
    expect(correlation?.level).toBe('high');
    expect(inv.stats.skipped).toBe(0);
  });

  it('flags deprecated rules and leaves them out of mapped unless asked', async () => {
    const without = await importRules([dir]);
    const old = byId(without.rules, '5c6f2a10-0000-4a2b-9c3d-111111111111');
    expect(old.deprecated).toBe(true);
    expect(old.deprecatedReason).toBe('status: deprecated');
    const withDeprecated = await importRules([dir], { includeDeprecated: true });
    expect(withDeprecated.stats.mapped).toBe(without.stats.mapped + 1);
    expect(withDeprecated.stats.deprecated).toBe(1);
  });

  it('flags a rule in a deprecated/ folder even when its status is not deprecated', () => {
    const source = 'title: T\nid: x-1\nstatus: test\ndetection:\n  sel:\n    a: 1\n  condition: sel\n';
    const result = parseRuleFile(source, 'rules/deprecated/windows/x.yml', 'yaml', 'auto');
    expect(result.rules[0]?.deprecated).toBe(true);
    expect(result.rules[0]?.deprecatedReason).toBe('in a folder named deprecated/');
  });

  it('reports the unmapped rule and the broken file with its line', async () => {
    const inv = await importRules([dir]);
    expect(inv.unmappedRules).toEqual([
      { id: '3b7f2d6e-8c41-4a95-9b7a-2f6e0c1d4e55', name: 'DNS Query For Newly Registered Domain Suffix', file: join(dir, 'net_dns_unmapped.yml') },
    ]);
    expect(inv.problems).toHaveLength(1);
    expect(basename(inv.problems[0]?.file ?? '')).toBe('broken_indentation.yml');
    expect(inv.problems[0]?.line).toBe(6);
    expect(inv.problems[0]?.reason).toMatch(/^invalid YAML: /);
  });

  it('skips a Sigma configuration file and says why', async () => {
    const inv = await importRules([dir]);
    expect(inv.skippedFiles).toEqual([{ file: join(dir, 'config_winlogbeat.yml'), reason: 'Sigma configuration file, not a rule (no detection)' }]);
  });
});
