import type { KnowledgeBase, Technique } from '../attack/types.js';
import type { Incident } from '../model/index.js';

export interface IncidentTechnique {
  id: string;
  name: string;
  /** The tactic this entry is listed under (shortname). */
  tactic: string;
  isSubtechnique: boolean;
  parentId: string | null;
  /** Source ids of the alerts that carried it. */
  alertIds: string[];
  /** IDs as the alerts wrote them, when they differ (revoked IDs remapped). */
  reportedAs: string[];
  url: string | null;
}

export interface TacticGroup {
  id: string;
  shortname: string;
  name: string;
  techniques: IncidentTechnique[];
}

export interface IncidentTechniqueMap {
  attackVersion: string;
  domain: string;
  /** Tactics in kill-chain (matrix) order, only those with techniques. */
  tactics: TacticGroup[];
  /** Distinct live technique IDs seen. */
  techniqueIds: string[];
  /** IDs the knowledge base does not know, with the alerts that carried them. */
  unknown: { id: string; alertIds: string[] }[];
  /** Revoked IDs that were followed to their replacement. */
  remapped: { from: string; to: string }[];
}

/**
 * Maps the techniques an incident's alerts carry onto the loaded ATT&CK version, grouped by
 * tactic in matrix order. A technique that belongs to several tactics is listed under each.
 */
export function mapIncidentTechniques(incident: Incident, kb: KnowledgeBase): IncidentTechniqueMap {
  const byTechnique = new Map<string, { technique: Technique; alertIds: Set<string>; reportedAs: Set<string> }>();
  const unknown = new Map<string, Set<string>>();
  const remapped = new Map<string, string>();
  for (const alert of incident.alerts) {
    for (const raw of alert.techniques) {
      const ref = raw.trim();
      if (!ref) continue;
      const resolved = kb.technique(ref);
      if (!resolved) {
        const set = unknown.get(ref.toUpperCase()) ?? new Set<string>();
        set.add(alert.sourceId);
        unknown.set(ref.toUpperCase(), set);
        continue;
      }
      const t = resolved.object;
      if (resolved.revokedFrom) remapped.set(ref.toUpperCase(), t.id);
      const entry = byTechnique.get(t.id) ?? { technique: t, alertIds: new Set<string>(), reportedAs: new Set<string>() };
      entry.alertIds.add(alert.sourceId);
      if (ref.toUpperCase() !== t.id) entry.reportedAs.add(ref.toUpperCase());
      byTechnique.set(t.id, entry);
    }
  }

  const tactics: TacticGroup[] = [];
  for (const tactic of kb.tactics()) {
    const techniques: IncidentTechnique[] = [];
    for (const { technique, alertIds, reportedAs } of byTechnique.values()) {
      if (!technique.tactics.includes(tactic.shortname)) continue;
      techniques.push({
        id: technique.id,
        name: technique.isSubtechnique && technique.parentId ? `${kb.technique(technique.parentId)?.object.name ?? technique.parentId}: ${technique.name}` : technique.name,
        tactic: tactic.shortname,
        isSubtechnique: technique.isSubtechnique,
        parentId: technique.parentId,
        alertIds: [...alertIds].sort(),
        reportedAs: [...reportedAs].sort(),
        url: technique.url,
      });
    }
    if (techniques.length === 0) continue;
    techniques.sort((a, b) => (a.id < b.id ? -1 : 1));
    tactics.push({ id: tactic.id, shortname: tactic.shortname, name: tactic.name, techniques });
  }

  return {
    attackVersion: kb.meta.version,
    domain: kb.meta.domain,
    tactics,
    techniqueIds: [...byTechnique.keys()].sort(),
    unknown: [...unknown.entries()].map(([id, alertIds]) => ({ id, alertIds: [...alertIds].sort() })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    remapped: [...remapped.entries()].map(([from, to]) => ({ from, to })),
  };
}
