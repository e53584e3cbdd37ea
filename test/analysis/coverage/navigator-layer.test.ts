import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerTechniqueWeights, parseNavigatorLayer, readNavigatorLayer } from '../../../src/attack/navigator-layer.js';
import { InputError } from '../../../src/model/errors.js';
import { projectRoot, requireOrSkip, sharedDir } from '../../helpers/env.js';

const fixtures = join(projectRoot, 'test', 'fixtures', 'coverage');

describe('Navigator layer as a threat profile', () => {
  it('reads a 4.5 layer: scored entries weighted by the highest enabled score, colour marks, disabled ones left out', async () => {
    const layer = await readNavigatorLayer(join(fixtures, 'threat-4.5.json'));
    expect(layer).toMatchObject({ name: 'Threats we care about', layerVersion: '4.5', domain: 'enterprise-attack', attackVersion: '18' });
    expect(layer.techniques).toHaveLength(6);
    expect([...layerTechniqueWeights(layer)].sort()).toEqual([
      ['T1036', 1],
      ['T1547', 0.5],
      ['T1562', 1],
    ]);
  });

  it('refuses a broken layer naming the file and the JSON path', async () => {
    const file = join(fixtures, 'broken-score.json');
    const error = await readNavigatorLayer(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain('$.techniques[1].score');
    expect((error as InputError).location).toEqual({ file, path: '$.techniques[1].score' });
    expect((error as InputError).exitCode).toBe(2);
    expect(() => parseNavigatorLayer('{"name":"x","techniques":[]}', 'f.json')).toThrow(/f\.json: \$: no layer format version/);
    expect(() => parseNavigatorLayer('{"name":"x","versions":{"layer":"5.0"},"techniques":[]}', 'f.json')).toThrow(/\$\.versions\.layer/);
    expect(() => parseNavigatorLayer('{"name":"x","version":"3.0","techniques":[{"techniqueID":"TA0001"}]}', 'f.json')).toThrow(/\$\.techniques\[0\]\.techniqueID/);
    expect(() => parseNavigatorLayer('{"name": ', 'f.json')).toThrow(/f\.json: not a JSON Navigator layer/);
  });

  const shared = sharedDir();
  describe.runIf(requireOrSkip('Navigator 3.0 samples', Boolean(shared), 'no ../shared directory'))('the 3.0 samples in ../shared/navigator', () => {
    it('reads the colour-marked Bear APT layer', async () => {
      const layer = await readNavigatorLayer(join(shared as string, 'navigator', 'sample-Bear_APT.json'));
      expect(layer).toMatchObject({ layerVersion: '3.0', domain: 'mitre-enterprise', name: '*Bear APTs' });
      const weights = layerTechniqueWeights(layer);
      expect(weights.size).toBe(new Set(layer.techniques.map((t) => t.techniqueId)).size);
      expect(weights.get('T1105')).toBe(1);
    });

    it('reads the scored heat map layer', async () => {
      const layer = await readNavigatorLayer(join(shared as string, 'navigator', 'sample-heatmap_layer.json'));
      const weights = layerTechniqueWeights(layer);
      expect(weights.get('T1548')).toBeCloseTo(77 / Math.max(...layer.techniques.map((t) => t.score ?? 0)), 6);
      for (const w of weights.values()) expect(w).toBeGreaterThan(0);
    });
  });
});
