import type { Candidate, Confidence, Verdict } from './types.js';

/** How confident a ranking is, and what it says in words. */

/** Posterior thresholds of the confidence levels (see docs/attribution.md for their calibration). */
export const CONFIDENCE_THRESHOLDS = { high: 0.7, medium: 0.5, low: 0.2 } as const;
/**
 * Confidence from the posterior. Techniques alone are weak evidence (many groups share them), so
 * `high` also needs corroboration from a second, independent kind of evidence: shared software
 * that few groups use (`DISTINCTIVE_SOFTWARE_GROUPS`).
 */
export function confidenceOf(probability: number, corroborated: boolean): Confidence {
  if (probability >= CONFIDENCE_THRESHOLDS.high && corroborated) return 'high';
  if (probability >= CONFIDENCE_THRESHOLDS.medium) return 'medium';
  if (probability >= CONFIDENCE_THRESHOLDS.low) return 'low';
  return 'none';
}

export function verdictFor(candidates: Candidate[], thin: boolean, information: number): Verdict {
  const first = candidates[0];
  if (!first) return { attributed: false, confidence: 'none', statement: 'No confident attribution: nothing observed matches a known group or campaign.' };
  if (thin) {
    return {
      attributed: false,
      confidence: 'none',
      statement: `No confident attribution: the observation carries too little distinctive evidence (${information.toFixed(1)} nats); observe more techniques or software.`,
    };
  }
  if (first.confidence === 'none') {
    return {
      attributed: false,
      confidence: 'none',
      statement: `No confident attribution: the best match, ${first.name} (${first.id}), is not clearly ahead of the alternatives or of an actor unknown to ATT&CK.`,
    };
  }
  const pct = Math.round(first.probability * 100);
  return {
    attributed: true,
    confidence: first.confidence,
    statement: `${capitalise(first.confidence)} confidence: ${first.name} (${first.id}), posterior ${pct}%.`,
  };
}


function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
