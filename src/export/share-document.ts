/**
 * The plain data every sharing format (STIX 2.1, MISP, Attack Flow) and the attack story are
 * rendered from. `app/share-export.ts` gathers it from the review, the observables and ATT&CK;
 * the renderers are pure functions of it, so the same incident always exports the same way.
 */

/** TLP 2.0 levels, least to most restricted. */
export const SHARE_TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type ShareTlp = (typeof SHARE_TLP_LEVELS)[number];

/** The rank of a level (0 = CLEAR); higher is more restricted. */
export function tlpRank(level: ShareTlp): number {
  return SHARE_TLP_LEVELS.indexOf(level);
}

/** The more restricted of the levels given (CLEAR when none). */
export function strictestTlp(...levels: ShareTlp[]): ShareTlp {
  return levels.reduce<ShareTlp>((worst, l) => (tlpRank(l) > tlpRank(worst) ? l : worst), 'clear');
}

export interface ShareTactic {
  /** ATT&CK ID, `TA0002`. */
  id: string;
  /** `execution`. */
  shortname: string;
  name: string;
}

/** An ATT&CK technique the incident showed. */
export interface ShareTechnique {
  /** `T1059.001`. */
  id: string;
  name: string;
  /** The ATT&CK object's STIX id (`attack-pattern--...`), when the knowledge base has it. */
  stixId: string | null;
  url: string | null;
  description: string;
  /** Every tactic ATT&CK lists it under, in matrix order. */
  tactics: ShareTactic[];
}

/**
 * One technique step of the sequence of events: when the adversary used the technique (from the
 * activity of the alerts that carried it, or a hand-written event), under which tactic.
 */
export interface ShareStep {
  /** Stable within the incident: `T1059.001@execution`. */
  key: string;
  techniqueId: string;
  tactic: ShareTactic;
  start: string;
  end: string;
  /** The timeline events' titles that show it, in time order (a few). */
  events: string[];
  /** Source ids of the alerts that carried it. */
  alertIds: string[];
}

/** A host or account the steps touched. */
export interface ShareAsset {
  /** Stable within the incident (`host:ws-01`). */
  key: string;
  kind: 'host' | 'account';
  name: string;
  /** Extra identifying text (OS, UPN). */
  detail: string | null;
  alertIds: string[];
}

/** An observable of the incident, as the exports need it (a projection of the stored observable). */
export interface ShareObservable {
  id: string;
  /** The observable's type (`ipv4`, `domain`, `sha256`, `registry-key`...). */
  type: string;
  /** Normalised value. */
  value: string;
  ioc: boolean;
  tlp: ShareTlp;
  tags: string[];
  firstSeen: string | null;
  lastSeen: string | null;
  /** Source ids of this incident's alerts it was seen in (empty when added by hand). */
  alertIds: string[];
}

/** A follow-up of the review that may be shared as a course of action. */
export interface ShareAction {
  id: string;
  title: string;
  description: string | null;
  status: string;
  /** ATT&CK technique IDs the action addresses, when the review links them. */
  techniqueIds: string[];
}

/** An ATT&CK group or campaign the review attributes the incident to. */
export interface ShareAttribution {
  /** ATT&CK ID, `G0016` / `C0024`. */
  id: string;
  name: string;
  type: 'intrusion-set' | 'campaign';
  stixId: string | null;
  aliases: string[];
  url: string | null;
  /** 0-100 (the attribution's probability, in percent). */
  confidence: number;
  /** `low` / `medium` / `high`: the attribution's own words. */
  confidenceLabel: string;
}

export interface ShareDocument {
  /** When the export was made (ISO, UTC). Objects without their own time use it. */
  generatedAt: string;
  /** The team that shares (HINDSIGHT_TEAM_NAME). */
  team: { name: string };
  attack: { domain: string; version: string };
  incident: {
    id: string;
    source: string;
    sourceId: string;
    title: string;
    severity: string;
    status: string;
    classification: string | null;
    determination: string | null;
    createdAt: string;
    updatedAt: string;
    resolvedAt: string | null;
    /** The incident's own marking; objects about the incident carry it. */
    tlp: ShareTlp;
  };
  /** The review's summary. */
  summary: string;
  techniques: ShareTechnique[];
  /** The technique steps in time order (ties in matrix order). */
  steps: ShareStep[];
  assets: ShareAsset[];
  observables: ShareObservable[];
  actions: ShareAction[];
  attribution: ShareAttribution[];
  /**
   * Observables one piece of evidence carried together (a file's name and hashes; a host name and
   * its address), by observable id: MISP shares each group as one object.
   */
  groups: { kind: 'file' | 'domain-ip'; observableIds: string[] }[];
}
