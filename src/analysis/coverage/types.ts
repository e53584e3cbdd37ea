/**
 * Detection coverage: the shapes the pure coverage functions take and return. The incident side
 * arrives as an aggregate computed in SQL (store/coverage/confirmed-techniques.ts `coverageAggregate`).
 */

import type { IncidentCoverageAggregate } from '../../model/coverage.js';

export type { AlertTechniqueCount, ConfirmedTechniqueRow, IncidentAlertTechniqueRow, IncidentCoverageAggregate } from '../../model/coverage.js';

export const EMPTY_INCIDENT_AGGREGATE: IncidentCoverageAggregate = { alertTechniques: [], confirmed: [], alertTechniquesOfConfirmedIncidents: [] };

/** Which adversaries matter: ATT&CK groups or campaigns, a Navigator layer's weights, or all groups. */
export type ThreatProfile =
  | { kind: 'actors'; refs: string[] }
  | { kind: 'layer'; name: string; weights: Map<string, number> }
  | { kind: 'prevalence' };

/** The part of a rule coverage needs (a DetectionRule fits). */
export interface CoverageRule {
  id: string;
  status: string | null;
  level: string | null;
  deprecated: boolean;
  techniqueIds: string[];
  tactics: string[];
}

export interface CoverageOptions {
  /** Count deprecated rules. Default false. */
  includeDeprecated?: boolean;
  /** Weight of missed detections in the gap score. Default 0.5. */
  missedWeight?: number;
  /** Relevance a technique gets from being seen in our own incidents. Default 0.5. */
  observedRelevance?: number;
}

export interface RuleCounts {
  count: number;
  byLevel: Record<string, number>;
  byStatus: Record<string, number>;
}

export interface NamedRef {
  id: string;
  name: string;
}

export interface DataComponentRef extends NamedRef {
  dataSource: string | null;
}

/** Coverage of one live technique or sub-technique of the loaded ATT&CK version. */
export interface TechniqueCoverage {
  id: string;
  name: string;
  tactics: string[];
  isSubtechnique: boolean;
  parentId: string | null;
  /** Rules mapping to this very ID (revoked IDs counted on their replacement). */
  rules: RuleCounts;
  /** In [0, 1]: see docs/coverage.md. */
  coverageFactor: number;
  /** In [0, 1]: how much the threat profile cares. */
  relevance: number;
  /** Incidents that showed it: alerts carried it, or a review confirmed it. */
  observed: number;
  alerts: number;
  /** Incidents whose review confirmed it and an alert carried it (or an equivalent ID). */
  detected: number;
  /** Incidents whose review confirmed it and no alert carried it. */
  missed: number;
  detectionStrategies: NamedRef[];
  dataComponents: DataComponentRef[];
  logSources: string[];
}

/** A gap: a parent technique with its sub-techniques rolled up. */
export interface CoverageGap {
  id: string;
  name: string;
  tactics: string[];
  relevance: number;
  /** Rules on the technique and its sub-techniques. */
  rules: number;
  coverageFactor: number;
  observed: number;
  detected: number;
  missed: number;
  score: number;
  dataComponents: DataComponentRef[];
  logSources: string[];
  detectionStrategies: NamedRef[];
  /** Relevant sub-techniques without rules of their own, most relevant first. */
  uncoveredSubtechniques: (NamedRef & { relevance: number })[];
}

export interface UnknownTechnique {
  id: string;
  /** Rules carrying it. */
  rules: number;
  /** `unknown` to this ATT&CK version, `revoked` without replacement, or `deprecated`. */
  reason: 'unknown' | 'revoked' | 'deprecated';
}

export interface TacticMapping {
  /** As the rules wrote it. */
  from: string;
  /** Shortname in the loaded version, or null when unknown. */
  to: string | null;
  /** Set when a name from another ATT&CK version was mapped (`stealth` -> `defense-evasion`). */
  mappedFrom: string | null;
  rules: number;
}

export interface CoverageResult {
  attackVersion: string;
  threat: { kind: ThreatProfile['kind']; name: string; actors: NamedRef[]; techniques: number };
  rulesCounted: number;
  techniques: { total: number; covered: number; observed: number; detected: number; missed: number };
  /** Technique IDs the rules carry that the loaded version does not know as live techniques. */
  unknownTechniques: UnknownTechnique[];
  /** Revoked IDs the rules carry, followed to their replacement. */
  remappedTechniques: { from: string; to: string; rules: number }[];
  tactics: TacticMapping[];
  /** Per live technique and sub-technique, in ID order. */
  perTechnique: TechniqueCoverage[];
  /** Parent techniques with sub-techniques rolled up, highest score first (score > 0 only). */
  gaps: CoverageGap[];
}
