/**
 * The ATT&CK knowledge base as the rest of Hindsight sees it: plain, indexed, read-only.
 * Every ID here is an ATT&CK ID (`T1059.001`, `TA0002`, `G0016`, `S0154`, `C0024`, `M1036`,
 * `DET0001`, `AN0001`, `DC0001`); STIX ids are kept for exports.
 */

export type AttackDomain = 'enterprise-attack' | 'mobile-attack' | 'ics-attack';

export interface AttackObjectBase {
  /** ATT&CK ID, e.g. `T1059.001`. */
  id: string;
  /** STIX id, e.g. `attack-pattern--...`. */
  stixId: string;
  name: string;
  description: string;
  /** attack.mitre.org page. */
  url: string | null;
  /** Flagged by `x_mitre_deprecated`; deprecated objects stay resolvable but are not counted as live. */
  deprecated: boolean;
  /** ATT&CK object version (`x_mitre_version`). */
  version: string | null;
  modified: string | null;
}

export interface Tactic extends AttackObjectBase {
  /** `x_mitre_shortname`: `defense-evasion`. */
  shortname: string;
  /** Position in the matrix (0 = first column). */
  order: number;
}

export interface Technique extends AttackObjectBase {
  /** Tactic shortnames, in matrix order. */
  tactics: string[];
  platforms: string[];
  isSubtechnique: boolean;
  /** For a sub-technique, its parent's ATT&CK ID. */
  parentId: string | null;
  /** For a technique, its live sub-techniques' IDs in ID order. */
  subtechniqueIds: string[];
  /** Mitigations (`mitigates` relationships), ATT&CK IDs. */
  mitigationIds: string[];
  /** ATT&CK v18 detection strategies (`detects` relationships), ATT&CK IDs. */
  detectionStrategyIds: string[];
  /** Legacy (pre-v18) `x_mitre_data_sources` strings, e.g. `Process: Process Creation`. */
  dataSources: string[];
}

export interface Mitigation extends AttackObjectBase {
  techniqueIds: string[];
}

export interface LogSourceRef {
  dataComponentId: string | null;
  /** e.g. `WinEventLog:Security`. */
  name: string;
  /** e.g. `EventCode=4688`. */
  channel: string | null;
}

export interface DetectionStrategy extends AttackObjectBase {
  techniqueIds: string[];
  analyticIds: string[];
}

export interface Analytic extends AttackObjectBase {
  platforms: string[];
  dataComponentIds: string[];
  logSources: LogSourceRef[];
}

export interface DataComponent extends AttackObjectBase {
  /** The data source it belongs to, where the bundle says (`Process`). */
  dataSourceName: string | null;
}

export interface Group extends AttackObjectBase {
  aliases: string[];
  /** Techniques from the group's own `uses` relationships. */
  techniqueIds: string[];
  /** Software from the group's own `uses` relationships. */
  softwareIds: string[];
  /** Campaigns `attributed-to` this group. */
  campaignIds: string[];
}

export interface Campaign extends AttackObjectBase {
  aliases: string[];
  firstSeen: string | null;
  lastSeen: string | null;
  techniqueIds: string[];
  softwareIds: string[];
  /** Groups this campaign is `attributed-to`. */
  attributedTo: string[];
}

export interface Software extends AttackObjectBase {
  type: 'malware' | 'tool';
  aliases: string[];
  platforms: string[];
  techniqueIds: string[];
}

/** A `uses` relationship between live objects, by ATT&CK ID. */
export interface UsesRelationship {
  sourceId: string;
  sourceType: 'intrusion-set' | 'campaign' | 'malware' | 'tool';
  targetId: string;
  targetType: 'attack-pattern' | 'malware' | 'tool';
}

export type AttackObjectKind =
  | 'tactic'
  | 'technique'
  | 'mitigation'
  | 'detection-strategy'
  | 'analytic'
  | 'data-component'
  | 'group'
  | 'campaign'
  | 'software';

export type AnyAttackObject =
  | ({ kind: 'tactic' } & Tactic)
  | ({ kind: 'technique' } & Technique)
  | ({ kind: 'mitigation' } & Mitigation)
  | ({ kind: 'detection-strategy' } & DetectionStrategy)
  | ({ kind: 'analytic' } & Analytic)
  | ({ kind: 'data-component' } & DataComponent)
  | ({ kind: 'group' } & Group)
  | ({ kind: 'campaign' } & Campaign)
  | ({ kind: 'software' } & Software);

/** The result of resolving a reference: the live object, and how it was reached. */
export interface Resolved<T> {
  object: T;
  /** The reference as given. */
  query: string;
  /** Set when the reference named a revoked object: the chain of IDs followed via `revoked-by`. */
  revokedFrom: string[] | null;
  /** Set when the reference named a deprecated object (it is returned, flagged). */
  deprecated: boolean;
  /** Set when the reference was a tactic name or technique ID from another ATT&CK version (see crosswalk.ts), mapped to this one. */
  mappedFrom: string | null;
}

export interface KnowledgeBaseMeta {
  domain: AttackDomain;
  /** ATT&CK release, e.g. `18.1`. */
  version: string;
  /** Where the bundle was read from. */
  source: string;
  /** STIX spec version of the bundle (`2.0` or `2.1`). */
  specVersion: string;
}

export interface KnowledgeBaseCounts {
  domain: AttackDomain;
  version: string;
  techniques: number;
  subtechniques: number;
  tactics: number;
  groups: number;
  campaigns: number;
  software: number;
  mitigations: number;
  detectionStrategies: number;
}

/** A revoked object, whether or not its `revoked-by` chain leads to a replacement. */
export interface RevokedInfo {
  id: string;
  stixId: string;
  kind: AttackObjectKind;
  name: string;
  /** The IDs followed via `revoked-by`, starting with this one. */
  chain: string[];
  /** The replacement's ATT&CK ID, or null when the chain ends nowhere. */
  replacementId: string | null;
}

/** Read-only view of one loaded ATT&CK domain. Lookups are case-insensitive and O(1). */
export interface KnowledgeBase {
  readonly meta: KnowledgeBaseMeta;
  counts(): KnowledgeBaseCounts;

  /** Live tactics in matrix order. */
  tactics(): Tactic[];
  /** Live techniques and sub-techniques, in ID order. */
  techniques(): Technique[];
  groups(): Group[];
  campaigns(): Campaign[];
  software(): Software[];
  mitigations(): Mitigation[];
  detectionStrategies(): DetectionStrategy[];
  usesRelationships(): UsesRelationship[];

  /**
   * Tactic by ID (`TA0005`), shortname, name, or any style (`DefenseEvasion`, `defense_evasion`),
   * including names from other ATT&CK versions (v19 `stealth`, `defense-impairment`, `TA0112`).
   */
  tactic(ref: string): Resolved<Tactic> | undefined;
  /** Technique by ID (revoked IDs follow `revoked-by`) or exact name. */
  technique(ref: string): Resolved<Technique> | undefined;
  group(ref: string): Resolved<Group> | undefined;
  campaign(ref: string): Resolved<Campaign> | undefined;
  /** Software by ID, name or alias. */
  softwareByRef(ref: string): Resolved<Software> | undefined;
  mitigation(ref: string): Resolved<Mitigation> | undefined;
  detectionStrategy(ref: string): Resolved<DetectionStrategy> | undefined;
  analytic(ref: string): Resolved<Analytic> | undefined;
  dataComponent(ref: string): Resolved<DataComponent> | undefined;
  /** Any object by ATT&CK ID, name or alias. */
  lookup(ref: string): Resolved<AnyAttackObject> | undefined;
  /** A revoked object by ID or name (also those revoked with no replacement, which lookups cannot resolve). */
  revokedEntry?(ref: string): RevokedInfo | undefined;
}
