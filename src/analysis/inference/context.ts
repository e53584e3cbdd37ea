import type { KnowledgeBase } from '../../attack/types.js';
import type { Incident } from '../../model/index.js';

/** What the incident and ATT&CK add around an inference: the assets' platforms, and where to look. */

const PLATFORM_PATTERNS: [RegExp, string][] = [
  [/windows/i, 'Windows'],
  [/linux|ubuntu|debian|centos|rhel|red ?hat|suse|amazon ?linux/i, 'Linux'],
  [/mac ?os|os ?x|darwin/i, 'macOS'],
];

/** ATT&CK platforms of the incident's devices, from what the evidence says of their operating system. */
export function platformsOfIncident(incident: Incident): string[] {
  const found = new Set<string>();
  for (const alert of incident.alerts) {
    for (const e of alert.evidence) {
      if (e.kind !== 'device') continue;
      for (const [key, value] of Object.entries(e.attributes)) {
        if (typeof value !== 'string' || !/os(platform|\.name|\.family|\.platform|name|family)$/i.test(key.replace(/[_-]/g, ''))) continue;
        for (const [pattern, platform] of PLATFORM_PATTERNS) if (pattern.test(value)) found.add(platform);
      }
    }
  }
  return [...found].sort();
}

/**
 * The data to check for a technique: the data components its detection strategies' analytics read
 * (ATT&CK v18 and later), else the legacy `x_mitre_data_sources` strings, as `Source: Component`.
 */
export function dataSourcesToCheck(kb: KnowledgeBase, techniqueId: string): string[] {
  const technique = kb.technique(techniqueId)?.object;
  if (!technique) return [];
  const out = new Set<string>();
  for (const strategyId of technique.detectionStrategyIds) {
    const strategy = kb.detectionStrategy(strategyId)?.object;
    for (const analyticId of strategy?.analyticIds ?? []) {
      for (const componentId of kb.analytic(analyticId)?.object.dataComponentIds ?? []) {
        const component = kb.dataComponent(componentId)?.object;
        if (component) out.add(component.dataSourceName ? `${component.dataSourceName}: ${component.name}` : component.name);
      }
    }
  }
  if (out.size === 0) for (const s of technique.dataSources) out.add(s);
  return [...out].sort();
}
