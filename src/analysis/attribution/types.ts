/**
 * Shapes of the attribution engine: what is observed, what is ranked, and why.
 * Everything here is plain data so the CLI, the review and the server can print it as JSON.
 */

export type CandidateType = 'intrusion-set' | 'campaign';

/** `none` is the explicit "no confident attribution". */
export type Confidence = 'none' | 'low' | 'medium' | 'high';

/** An observation, already resolved to ATT&CK IDs (see `resolveObservation`). */
export interface Observation {
  /** Technique IDs (`T1059.001`), optionally with how often each was seen (default 1). */
  techniques: Array<string | { id: string; count?: number }>;
  /** Software IDs (`S0154`). */
  software?: string[];
  /** When the activity happened (ISO-8601). Campaigns outside the window are down-weighted, never excluded. */
  timeWindow?: { start?: string | null; end?: string | null } | null;
}

export interface RankOptions {
  /** How many candidates to return (default 10). */
  top?: number;
  /** Which kinds of candidates to rank (default both). */
  types?: CandidateType[];
  /**
   * Campaign IDs whose contribution is removed from every profile, and which are not ranked
   * themselves (leave-one-out evaluation, or "is this like anything other than C0024?").
   */
  excludeCampaigns?: string[];
  /** Shorthand for a time window ending at this instant. */
  asOf?: string;
}

export interface TechniqueEvidence {
  id: string;
  name: string;
  /**
   * How much this technique moved the score (log-likelihood ratio, nats). Rare behaviour weighs
   * more than common behaviour.
   */
  weight: number;
  /** `exact` when the profile has the technique itself, `parent`/`sibling`/`child` for partial credit. */
  match: 'exact' | 'parent' | 'sibling' | 'child';
  /** The profile's technique that matched, when not exact. */
  via?: string;
}

export interface SoftwareEvidence {
  id: string;
  name: string;
  weight: number;
  /** How many known groups use it: the fewer, the more it says (Mimikatz: dozens; a group's own malware: one). */
  usedByGroups: number;
}

export interface MissingTechnique {
  id: string;
  name: string;
  /** How characteristic the technique is of this candidate (rarity across all groups). */
  distinctiveness: number;
}

export interface CandidateEvidence {
  /** Observed techniques the candidate's profile shares, most distinctive first. */
  sharedTechniques: TechniqueEvidence[];
  /** Observed software the candidate is known to use. */
  sharedSoftware: SoftwareEvidence[];
  /** The candidate's characteristic techniques that were not observed: what to hunt for next. */
  unobservedCharacteristic: MissingTechnique[];
  /** Observed techniques the candidate is not known to use. */
  unmatchedTechniques: string[];
  /** Observed software the candidate is not known to use. */
  unmatchedSoftware: string[];
  /** Set for campaigns (and for groups whose campaigns fell outside the observation window). */
  timeNote?: string;
}

export interface Candidate {
  id: string;
  name: string;
  aliases: string[];
  type: CandidateType;
  /** Log-likelihood ratio of the observation under this candidate's profile versus the background of all groups (nats). */
  score: number;
  /** Posterior probability among all ranked candidates and the "someone else" hypothesis. */
  probability: number;
  confidence: Confidence;
  evidence: CandidateEvidence;
}

export interface ObservedSummary {
  techniques: Array<{ id: string; name: string; count: number }>;
  software: Array<{ id: string; name: string }>;
  timeWindow: { start: string | null; end: string | null } | null;
  /** Observed IDs that the index does not know (should have been caught by `resolveObservation`). */
  ignored: string[];
  /** Total information carried by the observation (nats): thin observations cannot attribute. */
  information: number;
}

export interface Verdict {
  attributed: boolean;
  /** Confidence of the top candidate (`none` when not attributed). */
  confidence: Confidence;
  statement: string;
}

export interface RankResult {
  attackVersion: string;
  observed: ObservedSummary;
  candidates: Candidate[];
  verdict: Verdict;
}
