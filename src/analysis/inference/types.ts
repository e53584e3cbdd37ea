/** Technique inference: what probably also happened, given what was observed. */

export interface InferenceParams {
  /** Weight of one document of each kind in the counts (software sets are about tools, not intrusions). */
  kindWeight: { group: number; campaign: number; software: number };
  /** Documents with many techniques say less about each pair: a document weighs 1 / size^sizeDamping. */
  sizeDamping: number;
  /** Similarity = C(i,j) / (n(i)^(1−β) · n(j)^β): 0 is P(j|i) (favours common j), 0.5 is cosine. */
  targetNormalisation: number;
  /** Shrinkage: a pair seen together c times counts c / (c + shrinkage) of its similarity. */
  shrinkage: number;
  /** Share of the popularity prior added to the normalised co-occurrence score. */
  popularityWeight: number;
  /** Added to the prior's share divided by the number of observed techniques (thin observations lean on it). */
  thinPopularityWeight: number;
  /** Share of the matrix-factorisation score in the blend (0: item-item only; 1: factorisation only). */
  factorisationWeight: number;
  factors: number;
  iterations: number;
  regularisation: number;
  alpha: number;
  /** An observed sub-technique also counts as its parent, at this weight (sub-technique families). */
  parentWeight: number;
  /** Added per observed software (ATT&CK records it using the candidate), on the normalised scale. */
  softwareWeight: number;
  /** Factor for candidates of a tactic later in the kill chain than every observed one. */
  laterTacticFactor: number;
  /** Factor for candidates whose tactics all come before every observed one. */
  earlierTacticFactor: number;
  /** Factor for candidates with no platform of the incident's assets (when those are known). */
  platformMismatchFactor: number;
}

export interface InferenceQuery {
  /** Live ATT&CK technique IDs observed (resolve revoked ones first). */
  techniques: readonly string[];
  /** Live ATT&CK software IDs observed. */
  software?: readonly string[];
  /** Platforms of the incident's assets (`Windows`, `Linux`, `IaaS`...), when known. */
  platforms?: readonly string[];
  /** How many suggestions; default 10. */
  top?: number;
}

export interface InferenceReason {
  /** An observed technique that implies the suggestion. */
  technique: string;
  /** How strongly (its share of the co-occurrence evidence, 0–1). */
  weight: number;
}

export interface InferredTechnique {
  id: string;
  name: string;
  tactics: string[];
  /** 0–1, the best suggestion of a query near 1. */
  score: number;
  because: InferenceReason[];
  /** Observed software ATT&CK records using this technique. */
  software: string[];
  /** Share of the training sets (groups, campaigns, software) that use it: how common it is. */
  baseRate: number;
}

export interface InferenceResult {
  attackVersion: string;
  observed: string[];
  techniques: InferredTechnique[];
  /** True when the observation is too thin for the suggestions to mean much. */
  thin: boolean;
  /** Why, in a sentence, when thin; else null. */
  note: string | null;
}
