import { describe, expect, it } from 'vitest';
import { binEdges, binOf } from '../../../src/model/learning.js';
import { binomialUpperTail, histogramQuantile, mannWhitneyGreater, normalUpperTail, poissonRateIncrease, twoProportionGreater } from '../../../src/analysis/trends/stats.js';
import type { Histogram } from '../../../src/model/learning.js';

describe('learning statistics', () => {
  it('bins durations four per doubling and interpolates quantiles inside a bin', () => {
    expect(binOf(0.5)).toBe(0);
    expect(binOf(1)).toBe(1);
    expect(binOf(2)).toBe(5);
    expect(binOf(3600)).toBe(48);
    const [lo, hi] = binEdges(48);
    expect(lo).toBeLessThanOrEqual(3600);
    expect(hi).toBeGreaterThan(3600);
    const h: Histogram = {};
    for (const s of [60, 120, 3600, 7200, 86_400]) h[binOf(s)] = (h[binOf(s)] ?? 0) + 1;
    const median = histogramQuantile(h, 0.5) as number;
    expect(median / 3600).toBeGreaterThan(0.84);
    expect(median / 3600).toBeLessThan(1.19);
    expect(histogramQuantile({}, 0.5)).toBeNull();
  });

  it('normal tail matches tables', () => {
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 6);
    expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 5);
    expect(normalUpperTail(2.326348)).toBeCloseTo(0.01, 5);
    expect(normalUpperTail(-1.644854)).toBeCloseTo(0.95, 5);
  });

  it('Mann-Whitney U from histograms equals the textbook U for distinct values', () => {
    // a = {5, 6, 7}, b = {1, 2, 3, 4}: every a beats every b, U = 12.
    const a: Histogram = { 5: 1, 6: 1, 7: 1 };
    const b: Histogram = { 1: 1, 2: 1, 3: 1, 4: 1 };
    const r = mannWhitneyGreater(a, b);
    expect(r?.u).toBe(12);
    // Normal approximation: z = (12 - 6 - 0.5) / sqrt(3*4*8/12) = 5.5 / 2.828 = 1.9445
    expect(r?.z).toBeCloseTo(1.9445, 3);
    expect(r?.p).toBeCloseTo(0.0259, 3);
    // Ties count one half.
    expect(mannWhitneyGreater({ 1: 2 }, { 1: 2 })?.u).toBe(2);
    expect(mannWhitneyGreater({}, b)).toBeNull();
  });

  it('two-proportion z-test', () => {
    // 30/100 vs 15/100: pooled 0.225, se = sqrt(.225*.775*.02) = 0.05906, z = 2.540
    const r = twoProportionGreater(30, 100, 15, 100);
    expect(r?.z).toBeCloseTo(2.54, 2);
    expect(r?.p).toBeCloseTo(0.00554, 4);
  });

  it('binomial tail and the conditional Poisson rate test', () => {
    expect(binomialUpperTail(3, 3, 0.5)).toBeCloseTo(0.125, 10);
    expect(binomialUpperTail(2, 4, 0.5)).toBeCloseTo(11 / 16, 10);
    expect(binomialUpperTail(0, 4, 0.5)).toBe(1);
    // 20 events this month against 20 over the four months before (rate ratio 4): highly significant.
    const up = poissonRateIncrease(20, 30, 20, 120);
    expect(up.rateRatio).toBeCloseTo(4, 6);
    expect(up.p).toBeLessThan(1e-4);
    // Same rate: not significant.
    expect(poissonRateIncrease(10, 30, 40, 120).p).toBeGreaterThan(0.4);
  });
});
