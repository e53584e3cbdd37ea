import { incidentLayerEntries } from '../analysis/incident-layer.js';
import type { KnowledgeBase } from '../attack/types.js';
import { buildNavigatorLayer, type LayerEntry, type NavigatorLayer } from '../export/navigator.js';
import type { StoredIncident } from '../model/index.js';
import type { OpenedStore } from '../store/index.js';
import { incidentPage, observedTechniques } from './incidents.js';

/** The legend every incident layer carries: the gradient runs from one alert to the most alerts. */
const ALERT_LEGEND = [
  { label: 'more alerts', color: '#b30000' },
  { label: 'one alert', color: '#fff7ec' },
];

/** The Navigator layer (4.5) of one incident's techniques: score = number of alerts. The same from every front end. */
export function incidentLayer(kb: KnowledgeBase, incident: StoredIncident): NavigatorLayer {
  return buildNavigatorLayer(kb, {
    name: `${incident.sourceId}: ${incident.title}`.slice(0, 120),
    description: `Techniques observed in incident ${incident.id} (${incident.source} ${incident.sourceId}); score = number of alerts.`,
    entries: incidentLayerEntries([incident], kb),
    legend: ALERT_LEGEND,
    metadata: [incidentMetadata(incident)],
  });
}

/** How often a technique ID (as the alerts wrote it) appears across the incidents a reader may see. */
export interface TechniqueCount {
  techniqueId: string;
  alerts: number;
  incidents: number;
}

/**
 * The layer of every technique observed across incidents, from counts aggregated in the store (so
 * it costs the same on ten incidents or a year of them). IDs revoked in the loaded ATT&CK version
 * count under their replacement.
 */
export function observedLayer(kb: KnowledgeBase, counts: readonly TechniqueCount[], incidents: { total: number; named: readonly IncidentName[] }): NavigatorLayer {
  const byTechnique = new Map<string, { alerts: number; incidents: number }>();
  for (const c of counts) {
    const id = kb.technique(c.techniqueId)?.object.id;
    if (!id) continue;
    const entry = byTechnique.get(id) ?? { alerts: 0, incidents: 0 };
    entry.alerts += c.alerts;
    entry.incidents = Math.max(entry.incidents, c.incidents);
    byTechnique.set(id, entry);
  }
  const entries: LayerEntry[] = [...byTechnique].map(([techniqueId, e]) => ({ techniqueId, score: e.alerts, comment: `${e.alerts} alert(s) in ${e.incidents} incident(s)` }));
  return buildNavigatorLayer(kb, {
    name: 'Observed techniques',
    description: `Techniques observed across ${incidents.total} incident${incidents.total === 1 ? '' : 's'}; score = number of alerts.`,
    entries,
    legend: ALERT_LEGEND,
    metadata: incidents.named.slice(0, LAYER_METADATA_INCIDENTS).map(incidentMetadata),
  });
}

/** What a layer's metadata names of an incident. */
export type IncidentName = Pick<StoredIncident, 'id' | 'source' | 'sourceId' | 'title'>;

/** Incidents a layer's metadata names at most (a layer is opened in a browser). */
export const LAYER_METADATA_INCIDENTS = 200;

function incidentMetadata(i: IncidentName): { name: string; value: string } {
  return { name: 'incident', value: `${i.id} ${i.source}:${i.sourceId} ${i.title}` };
}

/**
 * The layer of every technique observed across the incidents a reader may see (`hidden`: restricted
 * to other people), counted in the store, naming the newest incidents in its metadata; and how many
 * incidents it covers. `hindsight layer --all` and `GET /api/layers/observed` both answer with it.
 */
export async function observedLayerOf(store: OpenedStore, kb: KnowledgeBase, hidden: ReadonlySet<string> = new Set()): Promise<{ layer: NavigatorLayer; incidents: number }> {
  const [counts, page] = await Promise.all([observedTechniques(store, { hidden }), incidentPage(store, { limit: LAYER_METADATA_INCIDENTS, offset: 0 }, hidden)]);
  return { layer: observedLayer(kb, counts, { total: page.total, named: page.incidents }), incidents: page.total };
}
