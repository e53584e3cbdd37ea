import type { KnowledgeBase } from '../attack/types.js';
import type { LayerEntry } from '../export/navigator.js';
import type { StoredIncident } from '../model/index.js';

/**
 * Layer entries for one or many incidents: score = number of alerts that carried the technique
 * (revoked IDs followed to their replacement), comment = which incidents and alerts.
 */
export function incidentLayerEntries(incidents: StoredIncident[], kb: KnowledgeBase): LayerEntry[] {
  const byTechnique = new Map<string, { alerts: number; incidents: Set<string>; titles: Set<string> }>();
  for (const incident of incidents) {
    for (const alert of incident.alerts) {
      const seen = new Set<string>();
      for (const ref of alert.techniques) {
        const t = kb.technique(ref)?.object;
        if (!t || seen.has(t.id)) continue;
        seen.add(t.id);
        const entry = byTechnique.get(t.id) ?? { alerts: 0, incidents: new Set<string>(), titles: new Set<string>() };
        entry.alerts += 1;
        entry.incidents.add(`${incident.id} (${incident.sourceId})`);
        entry.titles.add(alert.title);
        byTechnique.set(t.id, entry);
      }
    }
  }
  return [...byTechnique.entries()].map(([techniqueId, e]) => ({
    techniqueId,
    score: e.alerts,
    comment: `${e.alerts} alert${e.alerts === 1 ? '' : 's'}: ${[...e.titles].slice(0, 5).join('; ')}${e.titles.size > 5 ? '; …' : ''}`,
    metadata: [...e.incidents].map((value) => ({ name: 'incident', value })),
  }));
}
