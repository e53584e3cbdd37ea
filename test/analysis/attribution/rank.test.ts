import { describe, expect, it } from 'vitest';
import { buildAttributionIndex, rankCandidates, resolveObservation } from '../../../src/analysis/attribution/index.js';
import { fakeKb } from './fake-kb.js';

const kb = fakeKb();
const index = buildAttributionIndex(kb);

describe('resolveObservation', () => {
  it('resolves IDs, names, counts and aliases, remaps revoked IDs with a note, and lists unknowns', () => {
    const r = resolveObservation(kb, {
      techniques: ['t1566.001', 'PowerShell', 'T1105:3', 'T1086', 'T9999', ' '],
      software: ['beacon', 'S0002', 'NoSuchTool'],
    });
    expect(r.techniques).toEqual([
      { id: 'T1566.001', count: 1 },
      { id: 'T1059.001', count: 2 },
      { id: 'T1105', count: 3 },
    ]);
    expect(r.software).toEqual(['S0154', 'S0002']);
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]?.note).toContain('T1086 is revoked; counted as T1059.001');
    expect(r.unknownTechniques).toEqual(['T9999']);
    expect(r.unknownSoftware).toEqual(['NoSuchTool']);
  });
});

describe('rankCandidates', () => {
  it('puts the group whose rare behaviour and software match first, with its reasons', () => {
    const r = rankCandidates(index, { techniques: ['T1566.001', 'T1059.001', 'T1105'], software: ['S0154'] }, { types: ['intrusion-set'] });
    const top = r.candidates[0];
    expect(top?.id).toBe('G0001');
    expect(top?.type).toBe('intrusion-set');
    expect(top?.aliases).toEqual(['TA-PHISH']);
    expect(top?.evidence.sharedSoftware.map((s) => s.id)).toEqual(['S0154']);
    expect(top?.evidence.sharedTechniques.map((t) => t.id).sort()).toEqual(['T1059.001', 'T1105', 'T1566.001']);
    // Most distinctive first: T1105 is used by two groups, the others by fewer.
    expect(top?.evidence.sharedTechniques.at(-1)?.id).toBe('T1105');
    // What to hunt for next: its techniques that were not seen.
    expect(top?.evidence.unobservedCharacteristic.map((m) => m.id)).toContain('T1218.011');
    expect(top?.evidence.unobservedCharacteristic.map((m) => m.id)).not.toContain('T1059.001');
    expect(r.candidates[0]!.score).toBeGreaterThan(r.candidates[1]!.score);
    expect(r.observed.software).toEqual([{ id: 'S0154', name: 'Cobalt Strike' }]);
  });

  it('gives a sub-technique partial credit from the parent, and a parent from its sub-techniques, but not siblings', () => {
    const r = rankCandidates(index, { techniques: ['T1566.002'] }, { types: ['intrusion-set'], top: 10 });
    const phish = r.candidates.find((c) => c.id === 'G0001');
    const everything = r.candidates.find((c) => c.id === 'G0004');
    // G0001's own campaign uses T1566.002 exactly.
    expect(phish?.evidence.sharedTechniques[0]).toMatchObject({ id: 'T1566.002', match: 'exact' });
    expect(everything?.evidence.sharedTechniques[0]).toMatchObject({ id: 'T1566.002', match: 'parent', via: 'T1566' });
    // Without the campaign G0001 only knows T1566.001: a different behaviour, no credit by default.
    const withoutCampaign = rankCandidates(index, { techniques: ['T1566.002'] }, { types: ['intrusion-set'], excludeCampaigns: ['C0001'] });
    const phish2 = withoutCampaign.candidates.find((c) => c.id === 'G0001');
    expect(phish2?.evidence.sharedTechniques).toEqual([]);
    expect(phish2?.evidence.unmatchedTechniques).toEqual(['T1566.002']);
    expect(phish2!.score).toBeLessThan(phish!.score);
    // An alert that carries only the parent ID is credited from the profile's sub-techniques.
    const parentOnly = rankCandidates(index, { techniques: ['T1566'] }, { types: ['intrusion-set'], excludeCampaigns: ['C0001'] });
    expect(parentOnly.candidates.find((c) => c.id === 'G0001')?.evidence.sharedTechniques[0]).toMatchObject({ id: 'T1566', match: 'child', via: 'T1566.001' });
    // Sibling credit is there for whoever wants it.
    const lenient = rankCandidates(buildAttributionIndex(kb, { siblingCredit: 0.5 }), { techniques: ['T1566.002'] }, { types: ['intrusion-set'], excludeCampaigns: ['C0001'] });
    const phish3 = lenient.candidates.find((c) => c.id === 'G0001');
    expect(phish3?.evidence.sharedTechniques[0]).toMatchObject({ id: 'T1566.002', match: 'sibling', via: 'T1566.001' });
    expect(phish3!.score).toBeGreaterThan(phish2!.score);
    const lock = r.candidates.find((c) => c.id === 'G0002');
    expect(lock?.evidence.sharedTechniques).toEqual([]);
    expect(lock?.evidence.unmatchedTechniques).toEqual(['T1566.002']);
  });

  it('charges big profiles for what was not observed, more the more was observed', () => {
    // G0001 and G0004 both use T1105; G0004's profile is much bigger.
    const gap = (count: number): number => {
      const r = rankCandidates(index, { techniques: [{ id: 'T1105', count }] }, { types: ['intrusion-set'] });
      const score = (id: string): number => r.candidates.find((c) => c.id === id)!.score;
      return score('G0004') - score('G0001');
    };
    expect(gap(1)).toBeLessThan(0);
    expect(gap(1)).toBeGreaterThan(-0.2);
    expect(gap(50)).toBeLessThan(gap(1) - 0.1);
  });

  it('keeps high confidence for software no other known group uses', () => {
    // A sharper posterior than the default so that both observations clear the high threshold.
    const sharp = buildAttributionIndex(kb, { temperature: 0.5, unknownPrior: 0.2 });
    const ransomware = ['T1486', 'T1490', 'T1021.001', 'T1047', 'T1059.003'];
    const own = rankCandidates(sharp, { techniques: ransomware, software: ['S0500'] }, { types: ['intrusion-set'] });
    const shared = rankCandidates(sharp, { techniques: ransomware, software: ['S0002'] }, { types: ['intrusion-set'] });
    for (const r of [own, shared]) {
      expect(r.candidates[0]?.id).toBe('G0002');
      expect(r.candidates[0]!.probability).toBeGreaterThanOrEqual(0.7);
    }
    expect(own.candidates[0]?.evidence.sharedSoftware).toMatchObject([{ id: 'S0500', usedByGroups: 1 }]);
    expect(own.verdict.confidence).toBe('high');
    // Mimikatz is used by G0002 and G0004: corroboration, but not enough for high.
    expect(shared.candidates[0]?.evidence.sharedSoftware).toMatchObject([{ id: 'S0002', usedByGroups: 2 }]);
    expect(shared.verdict.confidence).toBe('medium');
  });

  it('prefers the specialist over the generalist that merely overlaps', () => {
    const r = rankCandidates(index, { techniques: ['T1486', 'T1490', 'T1021.001', 'T1047', 'T1059.003'], software: ['S0500'] });
    expect(r.candidates[0]?.id).toBe('G0002');
    expect(r.candidates.findIndex((c) => c.id === 'G0004')).toBeGreaterThan(0);
  });

  it('says "no confident attribution" when the evidence is thin and common', () => {
    const r = rankCandidates(index, { techniques: ['T1059', 'T1105'] });
    expect(r.verdict.attributed).toBe(false);
    expect(r.verdict.confidence).toBe('none');
    expect(r.verdict.statement).toMatch(/^No confident attribution/);
    expect(r.candidates.every((c) => c.confidence === 'none')).toBe(true);
  });

  it('removes excluded campaigns from profiles and from the ranking (leave-one-out)', () => {
    const obs = { techniques: ['T1566.002', 'T1059.001', 'T1218.011'], software: ['S0154'] };
    const all = rankCandidates(index, obs);
    expect(all.candidates.map((c) => c.id)).toContain('C0001');
    const g1 = all.candidates.find((c) => c.id === 'G0001');
    expect(g1?.evidence.sharedTechniques.find((t) => t.id === 'T1218.011')?.match).toBe('exact');
    const loo = rankCandidates(index, obs, { excludeCampaigns: ['C0001'] });
    expect(loo.candidates.map((c) => c.id)).not.toContain('C0001');
    const g1loo = loo.candidates.find((c) => c.id === 'G0001');
    expect(g1loo?.evidence.sharedTechniques.map((t) => t.id)).not.toContain('T1218.011');
    // The index itself is untouched.
    expect(rankCandidates(index, obs).candidates).toEqual(all.candidates);
  });

  it('down-weights campaigns outside the observation window without excluding them', () => {
    const obs = { techniques: ['T1195.002', 'T1027', 'T1071.001'], software: ['S0600'] };
    const inside = rankCandidates(index, { ...obs, timeWindow: { start: '2020-06-01T00:00:00Z', end: '2020-07-01T00:00:00Z' } }, { types: ['campaign'] });
    const outside = rankCandidates(index, { ...obs, timeWindow: { start: '2024-01-01T00:00:00Z', end: '2024-02-01T00:00:00Z' } }, { types: ['campaign'] });
    const a = inside.candidates.find((c) => c.id === 'C0002');
    const b = outside.candidates.find((c) => c.id === 'C0002');
    expect(a?.evidence.timeNote).toBeUndefined();
    expect(b?.evidence.timeNote).toContain('outside the observation window');
    expect(b!.score).toBeLessThan(a!.score);
    expect(outside.candidates.every((c) => c.type === 'campaign')).toBe(true);
    const groups = rankCandidates(index, obs, { asOf: '2019-01-01T00:00:00Z', types: ['intrusion-set'] });
    expect(groups.candidates[0]?.id).toBe('G0003');
    expect(groups.candidates[0]?.evidence.timeNote).toContain('1 attributed campaign');
  });

  it('limits the list to top N and reports ignored IDs', () => {
    const r = rankCandidates(index, { techniques: ['T1566.001', 'T0000'] }, { top: 2 });
    expect(r.candidates).toHaveLength(2);
    expect(r.observed.ignored).toEqual(['T0000']);
    expect(r.attackVersion).toBe('test-1.0');
  });
});
