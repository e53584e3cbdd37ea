import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importRules } from '../../src/rules/index.js';
import { byId, fixtures } from './helpers.js';

const dir = join(fixtures, 'splunk');

describe('Splunk security_content importer', () => {
  it('imports detections and skips stories, macros and lookups', async () => {
    const inv = await importRules([dir]);
    expect(inv.stats).toEqual({ files: 6, parsed: 3, failed: 0, skipped: 3, mapped: 1, unmapped: 1, deprecated: 1 });
    expect(inv.skippedFiles).toEqual([
      { file: join(dir, 'lookups', 'attacker_tools.yml'), reason: 'Splunk lookup, not a detection' },
      { file: join(dir, 'macros', 'sysmon.yml'), reason: 'Splunk macro, not a detection' },
      { file: join(dir, 'stories', 'credential_dumping.yml'), reason: 'Splunk analytic story, not a detection' },
    ]);
  });

  it('reads tags.mitre_attack_id (deduplicated), data_source and analytic stories', async () => {
    const inv = await importRules([dir]);
    const rule = byId(inv.rules, 'fb4c31b0-13e8-4155-8aa5-24de4b8d6717');
    expect(rule.format).toBe('splunk');
    expect(rule.name).toBe('Access LSASS Memory for Dump Creation');
    expect(rule.status).toBe('production');
    expect(rule.level).toBe('63');
    expect(rule.techniqueIds).toEqual(['T1003.001', 'T1003']);
    expect(rule.dataSources).toEqual(['Sysmon EventID 10']);
    expect(rule.tags).toEqual(['Credential Dumping', 'CISA AA23-347A']);
    expect(rule.tactics).toEqual([]);
  });

  it('takes the risk from rba when tags carry none, and lists the unmapped detection', async () => {
    const inv = await importRules([dir]);
    expect(byId(inv.rules, '4b6a2f0e-7c3d-4e8a-9b1f-2d5c6e7f8a90').level).toBe('25');
    expect(inv.unmappedRules.map((r) => r.name)).toEqual(['Windows Rare Service Installed']);
  });

  it('flags status: deprecated', async () => {
    const inv = await importRules([dir]);
    const old = byId(inv.rules, 'b89919ed-fe5f-492c-b139-95dbb162040e');
    expect(old.deprecated).toBe(true);
    expect(old.deprecatedReason).toBe('status: deprecated');
  });
});
