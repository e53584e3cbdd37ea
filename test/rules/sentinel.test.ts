import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importRules, parseRuleFile } from '../../src/rules/index.js';
import { byId, fixtures } from './helpers.js';

const dir = join(fixtures, 'sentinel');

describe('Microsoft Sentinel analytic rule importer', () => {
  it('imports analytic rules and skips hunting queries', async () => {
    const inv = await importRules([dir]);
    expect(inv.stats).toEqual({ files: 4, parsed: 3, failed: 0, skipped: 1, mapped: 2, unmapped: 0, deprecated: 1 });
    expect(inv.skippedFiles.map((s) => s.reason)).toEqual(['Sentinel hunting query (no queryFrequency or kind), not an analytic rule']);
  });

  it('reads tactics as written, relevantTechniques, severity and data types', async () => {
    const inv = await importRules([dir]);
    const spray = byId(inv.rules, '48607a29-a26a-4abf-8078-a06dbdd174a4');
    expect(spray.format).toBe('sentinel');
    expect(spray.level).toBe('Medium');
    expect(spray.status).toBe('Available');
    expect(spray.tactics).toEqual(['CredentialAccess']);
    expect(spray.techniqueIds).toEqual(['T1110']);
    expect(spray.dataSources).toEqual(['SigninLogs', 'AADNonInteractiveUserSignInLogs']);
    expect(spray.tags).toEqual(['kind:Scheduled']);
    const nrt = byId(inv.rules, '508cef41-2cd8-4d40-a519-b04826a9085f');
    expect(nrt.techniqueIds).toEqual(['T1070.001', 'T1070']);
    expect(nrt.tactics).toEqual(['DefenseEvasion']);
    expect(nrt.dataSources).toEqual(['SecurityEvent']);
  });

  it('flags [Deprecated] rules', async () => {
    const inv = await importRules([dir]);
    const old = byId(inv.rules, '65c78944-930b-4cae-bd79-c3664ae30ba7');
    expect(old.deprecated).toBe(true);
    expect(old.deprecatedReason).toBe('name contains [Deprecated]');
  });

  it('flags a rule in a Deprecated folder', () => {
    const source = 'id: s-1\nname: Old rule\nseverity: Low\nqueryFrequency: 1h\nquery: |\n  SecurityEvent\nrelevantTechniques:\n  - T1078\n';
    const [rule] = parseRuleFile(source, 'Detections/Deprecated/Old.yaml', 'yaml', 'auto').rules;
    expect(rule?.deprecated).toBe(true);
    expect(rule?.deprecatedReason).toBe('in a folder named Deprecated/');
  });
});
