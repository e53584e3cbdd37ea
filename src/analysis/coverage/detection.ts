/**
 * The review's "Detection" section: for each technique of one incident, which alerts detected it
 * or that the review confirmed it without any alert (missed), and how many rules exist for it.
 */
import type { KnowledgeBase } from '../../attack/types.js';
import type { Incident } from '../../model/index.js';
import { alertOutcome, TechniqueResolver, type CoverageIndex } from './compute.js';

export interface IncidentTechniqueDetection {
  id: string;
  name: string;
  tactics: string[];
  /** A review confirmed it for this incident. */
  confirmed: boolean;
  /** Alerts that carried it (or, for a confirmed technique, its parent or one of its sub-techniques). */
  detectedBy: { alertId: string; title: string; reportedAs: string }[];
  /** Confirmed by the review and no alert carried it or an equivalent ID. */
  missed: boolean;
  /** Rules mapping to it in the last coverage run, or null when no rule inventory was given. */
  rules: number | null;
}

export interface IncidentDetection {
  techniques: IncidentTechniqueDetection[];
  detected: number;
  missed: number;
  /** Technique IDs (from alerts or the review) the loaded ATT&CK version does not know. */
  unknown: string[];
}

/**
 * `confirmed` is the list of technique IDs the review confirmed (any ATT&CK version: revoked IDs
 * are followed). An alert detects a confirmed technique when it carries the same technique, its
 * parent, or one of its sub-techniques; siblings do not count.
 */
export function detectionForIncident(
  incident: Pick<Incident, 'alerts'>,
  kb: KnowledgeBase,
  coverageIndex: CoverageIndex | null,
  confirmed: readonly string[],
): IncidentDetection {
  const resolver = new TechniqueResolver(kb);
  const unknown = new Set<string>();
  const carriedBy = new Map<string, { alertId: string; title: string; reportedAs: string }[]>();
  for (const alert of incident.alerts) {
    for (const raw of new Set(alert.techniques)) {
      const id = resolver.liveId(raw);
      if (!id) {
        unknown.add(raw.toUpperCase());
        continue;
      }
      const list = carriedBy.get(id) ?? [];
      if (!list.some((x) => x.alertId === alert.sourceId)) list.push({ alertId: alert.sourceId, title: alert.title, reportedAs: raw });
      carriedBy.set(id, list);
    }
  }
  const confirmedIds = new Set<string>();
  for (const raw of confirmed) {
    const id = resolver.liveId(raw);
    if (id) confirmedIds.add(id);
    else unknown.add(raw.toUpperCase());
  }
  const carried = new Set(carriedBy.keys());
  const ids = [...new Set([...carried, ...confirmedIds])].sort();
  const techniques: IncidentTechniqueDetection[] = ids.map((id) => {
    const t = kb.technique(id)?.object;
    const isConfirmed = confirmedIds.has(id);
    let detectedBy = carriedBy.get(id) ?? [];
    let missed = false;
    if (isConfirmed) {
      const outcome = alertOutcome(id, carried);
      if (outcome === 'equivalent') {
        detectedBy = [...carried]
          .filter((c) => c === id.split('.')[0] || c.split('.')[0] === id)
          .flatMap((c) => carriedBy.get(c) ?? []);
      }
      missed = outcome === 'missed';
    }
    return {
      id,
      name: t?.name ?? id,
      tactics: t?.tactics ?? [],
      confirmed: isConfirmed,
      detectedBy,
      missed,
      rules: coverageIndex ? (coverageIndex.get(id) ?? 0) : null,
    };
  });
  return {
    techniques,
    detected: techniques.filter((t) => t.detectedBy.length > 0).length,
    missed: techniques.filter((t) => t.missed).length,
    unknown: [...unknown].sort(),
  };
}
