import { binEdges, type Histogram } from '../../model/learning.js';

/**
 * Statistics for learning across incidents, computed from aggregates (counts and histograms), never
 * from rows. Every test is one-sided ("worse than" / "rose"), as the questions asked are.
 */

export function histogramTotal(h: Histogram): number {
  let n = 0;
  for (const v of Object.values(h)) n += v;
  return n;
}

export function addHistogram(into: Histogram, bin: number, count: number): void {
  into[bin] = (into[bin] ?? 0) + count;
}

export function mergeHistograms(into: Histogram, from: Histogram): Histogram {
  for (const [bin, count] of Object.entries(from)) addHistogram(into, Number(bin), count);
  return into;
}

/** `a` minus `b`, bin by bin (for "everything else" baselines). */
export function subtractHistogram(a: Histogram, b: Histogram): Histogram {
  const out: Histogram = { ...a };
  for (const [bin, count] of Object.entries(b)) {
    const left = (out[Number(bin)] ?? 0) - count;
    if (left > 0) out[Number(bin)] = left;
    else delete out[Number(bin)];
  }
  return out;
}

/**
 * The q-quantile (0..1) of a histogram in seconds, interpolated geometrically inside its bin
 * (linearly in bin 0); null for an empty histogram. Accurate to one bin (about 19%).
 */
export function histogramQuantile(h: Histogram, q: number): number | null {
  const bins = Object.keys(h)
    .map(Number)
    .sort((x, y) => x - y);
  const total = histogramTotal(h);
  if (total === 0) return null;
  const target = q * total;
  let seen = 0;
  for (const bin of bins) {
    const count = h[bin] ?? 0;
    if (count === 0) continue;
    if (seen + count >= target) {
      const fraction = count === 0 ? 0 : Math.min(1, Math.max(0, (target - seen) / count));
      const [lo, hi] = binEdges(bin);
      return bin === 0 ? lo + (hi - lo) * fraction : lo * (hi / lo) ** fraction;
    }
    seen += count;
  }
  return binEdges(bins[bins.length - 1] as number)[1];
}

/** Standard normal upper tail P(Z >= z), via erfc (W. J. Cody's rational approximation through Math). */
export function normalUpperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Complementary error function (Numerical Recipes `erfcc`, fractional error below 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export interface MannWhitneyResult {
  /** U of the first sample (its count of wins over the second, ties counting one half). */
  u: number;
  z: number;
  /** One-sided: P(first sample is not stochastically larger). */
  p: number;
}

/**
 * Mann-Whitney U test of "sample a tends to be larger than sample b", from two histograms over the
 * same bins (values in one bin are ties), with the normal approximation, tie-corrected variance
 * and a continuity correction of 0.5. Null when either sample is empty.
 */
export function mannWhitneyGreater(a: Histogram, b: Histogram): MannWhitneyResult | null {
  const n1 = histogramTotal(a);
  const n2 = histogramTotal(b);
  if (n1 === 0 || n2 === 0) return null;
  const bins = [...new Set([...Object.keys(a), ...Object.keys(b)].map(Number))].sort((x, y) => x - y);
  let u = 0;
  let bBelow = 0;
  let tieTerm = 0;
  for (const bin of bins) {
    const ca = a[bin] ?? 0;
    const cb = b[bin] ?? 0;
    u += ca * (bBelow + 0.5 * cb);
    bBelow += cb;
    const t = ca + cb;
    tieTerm += t * t * t - t;
  }
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, z: 0, p: 1 };
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return { u, z, p: normalUpperTail(z) };
}

/**
 * Two-proportion z-test (pooled) of "rate 1 is higher than rate 2": x1 of n1 against x2 of n2.
 * Null when a sample is empty.
 */
export function twoProportionGreater(x1: number, n1: number, x2: number, n2: number): { z: number; p: number } | null {
  if (n1 === 0 || n2 === 0) return null;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, p: 1 };
  const z = (x1 / n1 - x2 / n2) / se;
  return { z, p: normalUpperTail(z) };
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const xx = x - 1;
  let a = c[0] as number;
  const t = xx + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (xx + i);
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Exact binomial upper tail P(X >= k) for X ~ Binomial(n, p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const logC = (i: number) => logGamma(n + 1) - logGamma(i + 1) - logGamma(n - i + 1);
  let sum = 0;
  for (let i = k; i <= n; i++) {
    const term = Math.exp(logC(i) + i * Math.log(p) + (n - i) * Math.log(1 - p));
    sum += term;
    if (term < sum * 1e-15 && i > n * p) break;
  }
  return Math.min(1, sum);
}

/**
 * Conditional (exact binomial) test of two Poisson rates (Przyborowski & Wilenski 1940): counts
 * `recent` over exposure `recentExposure` against `earlier` over `earlierExposure`; under equal rates
 * `recent` given the total is Binomial(total, recentExposure / (recentExposure + earlierExposure)).
 * One-sided p of "the recent rate is higher", and the rate ratio.
 */
export function poissonRateIncrease(recent: number, recentExposure: number, earlier: number, earlierExposure: number): { p: number; rateRatio: number } {
  const share = recentExposure / (recentExposure + earlierExposure);
  const p = binomialUpperTail(recent, recent + earlier, share);
  const earlierRate = earlier / earlierExposure;
  const recentRate = recent / recentExposure;
  return { p, rateRatio: earlierRate === 0 ? (recentRate > 0 ? Number.POSITIVE_INFINITY : 1) : recentRate / earlierRate };
}
