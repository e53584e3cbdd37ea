import { describe, expect, it } from 'vitest';
import {
  inferTechniques,
  scoreRanking,
  splitHalf,
  trainInference,
  trainingCorpus,
  evaluateRanking,
  expandObservation,
  finalScores,
  popularityScores,
  rankedItems,
} from '../../../src/analysis/inference/index.js';
import { loadBundle } from '../../../src/attack/resolve.js';
import { inferenceKb } from './inference-kb.js';
import { attackBundle, requireOrSkip } from '../../helpers/env.js';

describe('technique inference on the mini bundle', () => {
  const kb = inferenceKb();

  it('learns from the technique sets of groups, campaigns and software', () => {
    const corpus = trainingCorpus(kb);
    const g1 = corpus.find((d) => d.source === 'G0101');
    expect(g1?.kind).toBe('group');
    expect(g1?.techniques).toEqual(['T1036', 'T1059.001', 'T1562']);
    expect(corpus.some((d) => d.kind === 'software')).toBe(true);
    expect(corpus.some((d) => d.kind === 'campaign')).toBe(true);
    // A held-out source is left out whole; a held-out pair only drops that relationship.
    expect(trainingCorpus(kb, { sources: new Set(['G0101']) }).some((d) => d.source === 'G0101')).toBe(false);
    const withoutPair = trainingCorpus(kb, { pairs: new Set(['G0101>T1036']) }).find((d) => d.source === 'G0101');
    expect(withoutPair?.techniques).not.toContain('T1036');
    expect(withoutPair?.techniques).toContain('T1562');
  });

  it('ranks what co-occurs with the observation, with the reasons and base rate', () => {
    const model = trainInference(kb);
    const result = inferTechniques(model, { techniques: ['T1562', 'T1059.001'], top: 5 });
    expect(result.observed).toEqual(['T1562', 'T1059.001']);
    const ids = result.techniques.map((t) => t.id);
    expect(ids[0]).toBe('T1036');
    const top = result.techniques[0]!;
    expect(top.because.map((b) => b.technique).sort()).toEqual(['T1059.001', 'T1562']);
    expect(top.because.reduce((s, b) => s + b.weight, 0)).toBeCloseTo(1, 2);
    expect(top.baseRate).toBeGreaterThan(0);
    expect(top.score).toBe(1);
    // Observed techniques and the parent of an observed sub-technique are never suggested.
    expect(ids).not.toContain('T1562');
    expect(ids).not.toContain('T1059.001');
    expect(ids).not.toContain('T1059');
    expect(result.thin).toBe(false);
  });

  it('says when the observation is too thin', () => {
    const model = trainInference(kb);
    const one = inferTechniques(model, { techniques: ['T1547'] });
    expect(one.thin).toBe(true);
    expect(one.note).toMatch(/only 1 known technique/);
    const none = inferTechniques(model, { techniques: [] });
    expect(none).toMatchObject({ thin: true, techniques: [] });
    expect(none.note).toMatch(/nothing to infer/);
  });

  it('counts observed software: techniques ATT&CK records it using are raised and named', () => {
    const model = trainInference(kb);
    const software = kb.software()[0]!;
    const result = inferTechniques(model, { techniques: ['T1562'], software: [software.id], top: 10 });
    const used = result.techniques.filter((t) => t.software.includes(software.id));
    expect(used.length).toBeGreaterThan(0);
    for (const t of used) expect(software.techniqueIds).toContain(t.id);
  });

  it('puts down techniques for platforms the incident has none of', () => {
    const model = trainInference(kb, { factorisationWeight: 0 });
    const observed = [model.indexOf.get('T1562')!];
    const any = finalScores(model, observed, expandObservation(model, observed));
    const cloud = finalScores(model, observed, expandObservation(model, observed), [], ['NoSuchPlatform']);
    const j = model.indexOf.get('T1036')!;
    expect(cloud[j]!).toBeCloseTo(any[j]! * model.params.platformMismatchFactor, 6);
  });

  it('splits and scores by the Technique Inference Engine protocol', () => {
    const a = splitHalf(['T1', 'T2', 'T3', 'T4', 'T5'], 3);
    expect(a).toEqual(splitHalf(['T5', 'T4', 'T3', 'T2', 'T1'], 3));
    expect(a.observed).toHaveLength(2);
    expect(a.hidden).toHaveLength(3);
    expect(new Set([...a.observed, ...a.hidden]).size).toBe(5);
    const s = scoreRanking(['X', 'A', 'Y', 'B'], new Set(['A', 'B']));
    expect(s.recall10).toBe(1);
    expect(s.ndcg20).toBeCloseTo((1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3)), 6);
    expect(evaluateRanking([s, { recall10: 0, recall20: 0, recall50: 0, ndcg20: 0 }]).recall10).toBe(0.5);
  });
});

const bundle = attackBundle();
describe.runIf(requireOrSkip('technique inference on ATT&CK 18.1', Boolean(bundle.path), bundle.reason))('technique inference on the real Enterprise bundle', () => {
  it('suggests user execution after spearphishing, and beats popularity on held-out campaigns', async () => {
    const kb = await loadBundle(bundle.path!);
    const model = trainInference(kb);
    expect(model.documents).toBeGreaterThan(900);
    const phishing = inferTechniques(model, { techniques: ['T1566.001', 'T1059.001'], top: 5 });
    expect(phishing.techniques.map((t) => t.id)).toContain('T1204.002');

    // Eight campaigns, each left out of training: the method finds more of the hidden half than popularity.
    const campaigns = kb.campaigns().filter((c) => c.techniqueIds.length >= 10).slice(0, 8);
    let method = 0;
    let popular = 0;
    for (const c of campaigns) {
      const m = trainInference(kb, {}, { sources: new Set([c.id]) });
      const { observed, hidden } = splitHalf(c.techniqueIds, 1);
      const idx = observed.map((id) => m.indexOf.get(id)!).filter((i) => i !== undefined);
      const hiddenSet = new Set(hidden);
      method += scoreRanking(rankedItems(finalScores(m, idx, expandObservation(m, idx)), 20).map((j) => m.items[j]!), hiddenSet).recall20;
      const pop = popularityScores(m);
      for (const i of idx) pop[i] = -Infinity;
      popular += scoreRanking(rankedItems(pop, 20).map((j) => m.items[j]!), hiddenSet).recall20;
    }
    expect(method).toBeGreaterThan(popular);
  }, 120_000);
});
