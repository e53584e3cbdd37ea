import { describe, expect, it } from 'vitest';
import { computeCoverage, alertOutcome, coverageIndexOf } from '../../../src/analysis/coverage/compute.js';
import { detectionForIncident } from '../../../src/analysis/coverage/detection.js';
import { EMPTY_INCIDENT_AGGREGATE, type CoverageRule, type IncidentCoverageAggregate } from '../../../src/analysis/coverage/types.js';
import { miniKb } from '../../attack/mini.js';

const kb = miniKb();

function rule(id: string, techniqueIds: string[], extra: Partial<CoverageRule> = {}): CoverageRule {
  return { id, status: 'stable', level: 'high', deprecated: false, techniqueIds, tactics: [], ...extra };
}

const rules: CoverageRule[] = [
  rule('r1', ['T1059.001'], { level: 'high', status: 'stable' }),
  rule('r2', ['T1086'], { level: 'medium', status: 'test', tactics: ['attack.stealth'.slice(7), 'execution'] }),
  rule('r3', ['T1547', 'T9999'], { level: 'low', status: 'experimental' }),
  rule('r4', ['T1562'], { deprecated: true }),
  rule('r5', ['T1099']),
  rule('r6', [], { tactics: ['stealth'] }),
];

describe('computeCoverage (mini ATT&CK)', () => {
  const result = computeCoverage(kb, rules, EMPTY_INCIDENT_AGGREGATE, { kind: 'prevalence' });
  const by = (id: string) => result.perTechnique.find((t) => t.id === id);

  it('counts rules per technique, by level and status, following revoked IDs', () => {
    expect(by('T1059.001')?.rules).toEqual({ count: 2, byLevel: { high: 1, medium: 1 }, byStatus: { stable: 1, test: 1 } });
    expect(by('T1547')?.rules.count).toBe(1);
    expect(result.remappedTechniques).toEqual([{ from: 'T1086', to: 'T1059.001', rules: 1 }]);
  });

  it('leaves deprecated rules out unless asked, and reports unknown and deprecated technique IDs', () => {
    expect(result.rulesCounted).toBe(5);
    expect(by('T1562')?.rules.count).toBe(0);
    expect(result.unknownTechniques).toEqual([
      { id: 'T1099', rules: 1, reason: 'deprecated' },
      { id: 'T9999', rules: 1, reason: 'unknown' },
    ]);
    const withDeprecated = computeCoverage(kb, rules, EMPTY_INCIDENT_AGGREGATE, { kind: 'prevalence' }, { includeDeprecated: true });
    expect(withDeprecated.perTechnique.find((t) => t.id === 'T1562')?.rules.count).toBe(1);
    expect(withDeprecated.techniques.covered).toBe(3);
  });

  it('counts covered live techniques and maps v19 tactic names', () => {
    expect(result.techniques.total).toBe(5);
    expect(result.techniques.covered).toBe(2);
    const stealth = result.tactics.find((t) => t.from === 'stealth');
    expect(stealth).toMatchObject({ to: 'defense-evasion', mappedFrom: 'stealth', rules: 2 });
  });

  it('rolls sub-technique coverage up to the parent and lists what to collect', () => {
    // T1059 has no rules of its own; its only live sub-technique is covered.
    expect(by('T1059')?.coverageFactor).toBe(1);
    expect(by('T1059.001')?.coverageFactor).toBe(1);
    const gapIds = result.gaps.map((g) => g.id);
    expect(gapIds).not.toContain('T1059');
    // Relevance by prevalence: G0001 (the only live group) uses T1059.001 and, through S0001, T1059.
    expect(result.threat.name).toContain('1 ATT&CK groups');
    expect(by('T1059')?.relevance).toBe(1);
    expect(by('T1562')?.relevance).toBe(0);
  });

  it('derives the recommendation from detection strategies, analytics and data components', () => {
    const withDs = computeCoverage(kb, [], EMPTY_INCIDENT_AGGREGATE, { kind: 'actors', refs: ['G0001'] });
    const gap = withDs.gaps.find((g) => g.id === 'T1059');
    expect(gap).toBeDefined();
    expect(gap?.score).toBe(1);
    expect(gap?.uncoveredSubtechniques.map((s) => s.id)).toEqual(['T1059.001']);
    expect(gap?.detectionStrategies.map((d) => d.id)).toEqual(['DET0001']);
    expect(gap?.dataComponents.map((d) => d.id).sort()).toEqual(['DC0032', 'DC0064']);
    expect(gap?.logSources).toContain('WinEventLog:Sysmon (EventCode=1)');
  });

  it('weights by a threat profile of groups and campaigns, and refuses unknown actors', () => {
    const campaign = computeCoverage(kb, [], EMPTY_INCIDENT_AGGREGATE, { kind: 'actors', refs: ['Operation Mini'] });
    expect(campaign.threat.actors).toEqual([{ id: 'C0001', name: 'Operation Mini' }]);
    expect(campaign.gaps.map((g) => g.id).sort()).toEqual(['T1036', 'T1547']);
    expect(() => computeCoverage(kb, [], EMPTY_INCIDENT_AGGREGATE, { kind: 'actors', refs: ['Nobody'] })).toThrow(/Nobody/);
  });

  it('weights by a Navigator layer', () => {
    const layer = computeCoverage(kb, rules, EMPTY_INCIDENT_AGGREGATE, { kind: 'layer', name: 'L', weights: new Map([['T1562', 1], ['T1547', 0.5], ['T1086', 0.2]]) });
    expect(layer.gaps.map((g) => [g.id, g.score])).toEqual([['T1562', 1]]);
    expect(layer.threat.techniques).toBe(3);
  });
});

describe('incidents: detected and missed', () => {
  const aggregate: IncidentCoverageAggregate = {
    alertTechniques: [
      { techniqueId: 'T1059', alerts: 3, incidents: 2 },
      { techniqueId: 'T1086', alerts: 1, incidents: 1 },
    ],
    confirmed: [
      { incidentId: 'inc_a', techniqueId: 'T1059.001' }, // alert carried the parent T1059: detected (equivalent)
      { incidentId: 'inc_b', techniqueId: 'T1562' }, // nothing carried it: missed
      { incidentId: 'inc_c', techniqueId: 'T1059.001' }, // carried as revoked T1086: exact
    ],
    alertTechniquesOfConfirmedIncidents: [
      { incidentId: 'inc_a', techniqueId: 'T1059', alerts: 1 },
      { incidentId: 'inc_b', techniqueId: 'T1036', alerts: 1 },
      { incidentId: 'inc_c', techniqueId: 'T1086', alerts: 1 },
    ],
  };
  const result = computeCoverage(kb, [], aggregate, { kind: 'actors', refs: ['Operation Mini'] });
  const by = (id: string) => result.perTechnique.find((t) => t.id === id);

  it('counts observed, detected and missed incidents per technique', () => {
    expect(by('T1059')).toMatchObject({ observed: 2, detected: 2, missed: 0, alerts: 3 });
    expect(by('T1059.001')).toMatchObject({ observed: 2, detected: 2, missed: 0, alerts: 1 });
    expect(by('T1562')).toMatchObject({ observed: 1, detected: 0, missed: 1 });
    expect(result.techniques).toMatchObject({ observed: 3, detected: 2, missed: 1 });
  });

  it('raises observed techniques and missed detections in the gap list', () => {
    const gap = result.gaps.find((g) => g.id === 'T1562');
    // relevance 0.5 (observed in our incidents) x (1 - 0) + 0.5 x 1/1 missed.
    expect(gap?.score).toBe(1);
    // Equal scores rank the more threat-relevant first (the campaign's T1036 and T1547 have relevance 1).
    // T1059 is observed (relevance 0.5) with no rules and nothing missed: 0.5.
    expect(result.gaps.map((g) => [g.id, g.score])).toEqual([['T1036', 1], ['T1547', 1], ['T1562', 1], ['T1059', 0.5]]);
    for (let i = 1; i < result.gaps.length; i++) expect(result.gaps[i - 1]!.score).toBeGreaterThanOrEqual(result.gaps[i]!.score);
  });

  it('decides the alert outcome by the stated equivalence', () => {
    expect(alertOutcome('T1059.001', new Set(['T1059']))).toBe('equivalent');
    expect(alertOutcome('T1059', new Set(['T1059.003']))).toBe('equivalent');
    expect(alertOutcome('T1059.001', new Set(['T1059.003']))).toBe('missed');
    expect(alertOutcome('T1059.001', new Set(['T1059.001']))).toBe('exact');
    expect(alertOutcome('T1059', undefined)).toBe('missed');
  });
});

describe('detectionForIncident', () => {
  const alert = (sourceId: string, title: string, techniques: string[]) => ({ sourceId, title, techniques }) as never;
  it('names the alerts that detected each technique, the missed ones and the rules', () => {
    const coverage = computeCoverage(kb, rules, EMPTY_INCIDENT_AGGREGATE, { kind: 'prevalence' });
    const d = detectionForIncident(
      { alerts: [alert('a1', 'Encoded PowerShell', ['T1086']), alert('a2', 'Odd task', ['T1547', 'T0000'])] },
      kb,
      coverageIndexOf(coverage),
      ['T1059', 'T1562'],
    );
    expect(d.techniques.map((t) => [t.id, t.detectedBy.map((a) => a.alertId), t.missed, t.rules])).toEqual([
      ['T1059', ['a1'], false, 0],
      ['T1059.001', ['a1'], false, 2],
      ['T1547', ['a2'], false, 1],
      ['T1562', [], true, 0],
    ]);
    expect(d.unknown).toEqual(['T0000']);
    expect(d).toMatchObject({ detected: 3, missed: 1 });
    expect(detectionForIncident({ alerts: [] }, kb, null, ['T1562']).techniques[0]?.rules).toBeNull();
  });
});
