/**
 * The indexed knowledge base as plain, serialisable data: what the STIX bundle is reduced to, and
 * what the compact cache stores. `AttackKnowledgeBase` builds its lookup maps over it.
 */
import type {
  Analytic,
  Campaign,
  DataComponent,
  DetectionStrategy,
  Group,
  KnowledgeBaseMeta,
  Mitigation,
  RevokedInfo,
  Software,
  Tactic,
  Technique,
  UsesRelationship,
} from './types.js';

/** Bumped whenever the shape below changes, so stale compact caches are rebuilt. */
export const DATA_FORMAT_VERSION = 1;

/** A revoked object and where `revoked-by` leads. */
export type RevokedEntry = RevokedInfo;

export interface KnowledgeBaseData {
  formatVersion: number;
  meta: KnowledgeBaseMeta;
  /** Tactics in matrix order (deprecated ones, and those in no matrix, last). */
  tactics: Tactic[];
  /** Techniques and sub-techniques in ID order, deprecated ones included (flagged). */
  techniques: Technique[];
  mitigations: Mitigation[];
  detectionStrategies: DetectionStrategy[];
  analytics: Analytic[];
  dataComponents: DataComponent[];
  groups: Group[];
  campaigns: Campaign[];
  software: Software[];
  uses: UsesRelationship[];
  revoked: RevokedEntry[];
}
