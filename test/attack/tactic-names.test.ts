import { describe, expect, it } from 'vitest';
import { tacticKey } from '../../src/attack/tactic-names.js';
import { miniKb, miniV19Kb } from './mini.js';

describe('tactic names', () => {
  const kb = miniKb();

  it('folds every style to one key', () => {
    for (const style of ['DefenseEvasion', 'Defense Evasion', 'defense-evasion', 'defense_evasion', 'DEFENSE-EVASION']) {
      expect(tacticKey(style)).toBe('defenseevasion');
    }
  });

  it.each(['TA0005', 'ta0005', 'DefenseEvasion', 'Defense Evasion', 'defense-evasion', 'defense_evasion', 'DEFENSE EVASION', 'defenseevasion'])(
    'resolves %s to defense-evasion',
    (ref) => {
      const hit = kb.tactic(ref);
      expect(hit?.object.shortname).toBe('defense-evasion');
      expect(hit?.mappedFrom).toBeNull();
    },
  );

  it.each([
    ['stealth', 'stealth'],
    ['Stealth', 'stealth'],
    ['defense-impairment', 'defense-impairment'],
    ['DefenseImpairment', 'defense-impairment'],
    ['Defense Impairment', 'defense-impairment'],
    ['TA0112', 'defense-impairment'],
  ])('with an 18.x bundle, maps v19 %s back to defense-evasion', (ref, from) => {
    const hit = kb.tactic(ref);
    expect(hit?.object.id).toBe('TA0005');
    expect(hit?.object.shortname).toBe('defense-evasion');
    expect(hit?.mappedFrom).toBe(from);
  });

  it('with a v19 bundle, maps defense-evasion to stealth', () => {
    const v19 = miniV19Kb();
    for (const ref of ['defense-evasion', 'Defense Evasion', 'DefenseEvasion', 'defense_evasion']) {
      const hit = v19.tactic(ref);
      expect(hit?.object).toMatchObject({ id: 'TA0005', shortname: 'stealth' });
      expect(hit?.mappedFrom).toBe('defense-evasion');
    }
    expect(v19.tactic('TA0005')).toMatchObject({ object: { shortname: 'stealth' }, mappedFrom: null });
    expect(v19.tactic('TA0112')).toMatchObject({ object: { shortname: 'defense-impairment' }, mappedFrom: null });
    expect(v19.tactic('stealth')?.mappedFrom).toBeNull();
    expect(v19.technique('T1562')?.object.tactics).toEqual(['stealth']);
  });

  it('does not invent tactics', () => {
    expect(kb.tactic('lateral-movement')).toBeUndefined();
    expect(kb.tactic('TA9999')).toBeUndefined();
  });
});
