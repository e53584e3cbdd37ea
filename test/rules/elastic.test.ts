import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importRules, parseElasticToml } from '../../src/rules/index.js';
import { byId, fixtures } from './helpers.js';

const dir = join(fixtures, 'elastic');

describe('Elastic detection-rules importer', () => {
  it('imports the fixture folder with exact totals', async () => {
    const inv = await importRules([dir]);
    expect(inv.stats).toEqual({ files: 6, parsed: 4, failed: 1, skipped: 1, mapped: 2, unmapped: 1, deprecated: 1 });
    expect(inv.byFormat.elastic).toBe(4);
  });

  it('reads [rule] and every [[rule.threat]] with techniques and subtechniques', async () => {
    const inv = await importRules([dir]);
    const rule = byId(inv.rules, '9f962927-1a4f-45f3-a57b-287f2c7029c1');
    expect(rule.name).toBe('Potential Credential Access via DCSync');
    expect(rule.status).toBe('production');
    expect(rule.level).toBe('medium');
    expect(rule.techniqueIds).toEqual(['T1003', 'T1003.006', 'T1078', 'T1078.002']);
    expect(rule.tactics).toEqual(['TA0006', 'TA0004']);
    expect(rule.dataSources).toEqual(['Active Directory', 'Windows Security Event Logs']);
    expect(rule.logsource).toBeNull();
  });

  it('ignores threat entries of other frameworks (MITRE ATLAS)', async () => {
    const inv = await importRules([dir]);
    const rule = byId(inv.rules, '4c1f8f0e-2d7b-4b55-9f3e-6a0b9d2e7c31');
    expect(rule.techniqueIds).toEqual(['T1059']);
    expect(rule.invalidReferences).toEqual([]);
    expect(rule.tactics).toEqual(['TA0002']);
  });

  it('flags maturity = "deprecated" and lists the rule without threat as unmapped', async () => {
    const inv = await importRules([dir]);
    const old = byId(inv.rules, '68921d85-d0dc-48b3-865f-43291ca2c4f2');
    expect(old.deprecated).toBe(true);
    expect(old.deprecatedReason).toBe('maturity = "deprecated"');
    expect(old.techniqueIds).toEqual(['T1053', 'T1053.005']);
    expect(inv.unmappedRules.map((r) => r.id)).toEqual(['6d448b96-c922-4adb-b51c-b767f1ea5b76']);
  });

  it('reports a broken TOML file with its line and skips a TOML without [rule]', async () => {
    const inv = await importRules([dir]);
    expect(inv.problems).toEqual([
      {
        file: join(dir, 'rules', 'windows', 'broken_unterminated_string.toml'),
        line: 6,
        reason: 'invalid TOML: Invalid TOML document: control characters are not allowed in strings',
      },
    ]);
    expect(inv.skippedFiles).toEqual([{ file: join(dir, '_meta.toml'), reason: 'TOML without a [rule] table: not an Elastic detection rule' }]);
  });

  it('upper-cases technique IDs and keeps malformed ones aside', () => {
    const source = [
      '[metadata]',
      'maturity = "production"',
      '[rule]',
      'rule_id = "r-1"',
      'name = "Lower-case IDs"',
      '[[rule.threat]]',
      'framework = "MITRE ATT&CK"',
      '[[rule.threat.technique]]',
      'id = "t1059"',
      '[[rule.threat.technique.subtechnique]]',
      'id = "T1059.1"',
      '[rule.threat.tactic]',
      'name = "Execution"',
    ].join('\n');
    const [rule] = parseElasticToml(source, 'x.toml').rules;
    expect(rule?.techniqueIds).toEqual(['T1059']);
    expect(rule?.invalidReferences).toEqual(['T1059.1']);
    expect(rule?.tactics).toEqual(['Execution']);
  });
});
