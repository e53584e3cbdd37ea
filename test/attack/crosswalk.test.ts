import { describe, expect, it } from 'vitest';
import crosswalk from '../../src/attack/v18-to-v19.json' with { type: 'json' };
import { mapBackTechnique, reportTechniques } from '../../src/attack/crosswalk.js';
import { loadBundle } from '../../src/attack/resolve.js';
import { attackBundle, requireOrSkip } from '../helpers/env.js';

const bundle = attackBundle();

describe('the v18 -> v19 crosswalk', () => {
  it('maps v19 IDs back to the v18 technique of the same name, and nothing else', () => {
    expect(mapBackTechnique('t1685')).toEqual({ id: 'T1562.001', name: 'Disable or Modify Tools' });
    expect(mapBackTechnique('T1685.001')?.id).toBe('T1562.002');
    expect(mapBackTechnique('T1059.001')).toBeUndefined();
    // Every "back" ID is one of the IDs v19 replaced with it.
    for (const entry of Object.values(crosswalk.techniques)) expect(entry.replaced).toContain(entry.back);
  });

  it('reports without a knowledge base: crosswalk IDs mapped, malformed IDs unknown, others unjudged', () => {
    expect(reportTechniques(['T1685', 't1685', 'T1059.001', 'Tx'])).toEqual({ seen: 3, mapped: [{ id: 'T1685', to: 'T1562.001' }], unknown: ['TX'] });
  });

  it.runIf(requireOrSkip('ATT&CK 18.1 bundle', Boolean(bundle.path), bundle.reason))(
    'resolves v19 IDs through the crosswalk in an 18.1 bundle; the raw ID is the query, the mapping is mappedFrom',
    async () => {
      const kb = await loadBundle(bundle.path!);
      const hit = kb.technique('T1685');
      expect(hit).toMatchObject({ object: { id: 'T1562.001', name: 'Disable or Modify Tools' }, query: 'T1685', mappedFrom: 'T1685', revokedFrom: null });
      expect(kb.lookup('T1686')?.object.id).toBe('T1562.004');
      expect(kb.technique('T1562.001')?.mappedFrom).toBeNull();
      expect(kb.tactic('defense-impairment')?.object.shortname).toBe('defense-evasion');
      expect(reportTechniques(['T1685', 'T1059.001', 'T1999.999'], kb)).toEqual({ seen: 3, mapped: [{ id: 'T1685', to: 'T1562.001' }], unknown: ['T1999.999'] });
    },
    60_000,
  );
});
