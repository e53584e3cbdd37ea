/**
 * Run counts of the fuzz suite. FUZZ_RUNS scales every property (default 1: the counts below, sized so
 * the whole suite stays well under a minute on a shared 2-core machine); FUZZ_SEED replays a run.
 */
const scale = Number(process.env.FUZZ_RUNS ?? '1');

/** `base` runs times FUZZ_RUNS (at least 1). */
export function runs(base: number): number {
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/** fast-check parameters for a property of `base` runs. */
export function params(base: number): { numRuns: number; seed?: number; endOnFailure: true } {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  return { numRuns: runs(base), ...(seed === undefined ? {} : { seed }), endOnFailure: true };
}
