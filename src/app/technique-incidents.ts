import type { OpenedStore } from '../store/index.js';
import { incidentsWithTechnique, type TechniqueIncident } from '../store/incidents/technique-incidents.js';

export type { TechniqueIncident };

/**
 * The incidents that showed an ATT&CK technique (their alerts carry it or one of its
 * sub-techniques), newest first, leaving out those the reader may not see.
 */
export function incidentsShowingTechnique(store: OpenedStore, techniqueId: string, options: { hidden?: ReadonlySet<string>; limit?: number } = {}): Promise<{ total: number; incidents: TechniqueIncident[] }> {
  return incidentsWithTechnique(store.db, techniqueId, options);
}
