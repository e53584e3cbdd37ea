import { describe, expect, it } from 'vitest';
import { evaluateHoldout, withoutRelationships, type HoldoutCase } from '../../../src/analysis/attribution/index.js';
import { fakeKb } from './fake-kb.js';

const kb = fakeKb();

describe('withoutRelationships', () => {
  it('drops exactly the named relationships of groups and campaigns, leaving the knowledge base untouched', () => {
    const view = withoutRelationships(kb, [
      ['G0001', 'T1566.001'],
      ['G0001', 'S0154'],
      ['C0001', 'T1218.011'],
    ]);
    const g1 = view.groups().find((g) => g.id === 'G0001')!;
    expect(g1.techniqueIds).toEqual(['T1059.001', 'T1105', 'T1071.001']);
    expect(g1.softwareIds).toEqual([]);
    expect(view.campaigns().find((c) => c.id === 'C0001')?.techniqueIds).toEqual(['T1566.002', 'T1059.001']);
    expect(view.groups().find((g) => g.id === 'G0002')).toBe(kb.groups().find((g) => g.id === 'G0002'));
    expect(kb.groups().find((g) => g.id === 'G0001')?.techniqueIds).toContain('T1566.001');
    expect(view.meta).toBe(kb.meta);
  });
});

describe('evaluateHoldout', () => {
  it('ranks each held-out report against an index built without it', () => {
    const ransomware: HoldoutCase = {
      label: 'report on Lock Crew',
      groups: ['G0002'],
      techniques: ['T1486', 'T1490', 'T1047'],
      software: ['S0500'],
      // The report was the only source for LockDown and for T1047.
      removed: [
        ['G0002', 'S0500'],
        ['G0002', 'T1047'],
      ],
    };
    const supplyChain: HoldoutCase = {
      label: 'report on Chain Crew',
      groups: ['G0003'],
      techniques: ['T1195.002', 'T1218.011'],
      software: ['S0600'],
      // Everything Chain Crew is known for came from this report and its campaign.
      removed: [
        ['G0003', 'T1195.002'],
        ['G0003', 'T1027'],
        ['G0003', 'T1218.011'],
        ['G0003', 'S0600'],
        ['C0002', 'T1195.002'],
        ['C0002', 'T1027'],
        ['C0002', 'T1071.001'],
        ['C0002', 'S0600'],
      ],
    };
    const report = evaluateHoldout(kb, [ransomware, supplyChain]);
    expect(report.cases).toBe(2);
    // Lock Crew keeps T1486 and T1490, which nobody else uses: still first.
    expect(report.outcomes[0]).toMatchObject({ campaignId: 'report on Lock Crew', rank: 1, topId: 'G0002' });
    // Chain Crew has no profile left: it cannot be ranked at all.
    expect(report.outcomes[1]?.rank).toBe(Infinity);
    expect(report.techniquesAndSoftware).toMatchObject({ cases: 2, top1: 0.5, top5: 0.5 });
    expect(report.calibration.reduce((a, c) => a + c.cases, 0)).toBe(4);
  });
});
