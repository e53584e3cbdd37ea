import type { KnowledgeBase } from '../attack/types.js';

/** ATT&CK Navigator layer, format 4.5. */
export interface NavigatorLayer {
  name: string;
  versions: { attack: string; navigator: string; layer: '4.5' };
  domain: string;
  description: string;
  filters?: { platforms: string[] };
  sorting: number;
  layout: {
    layout: 'side' | 'flat' | 'mini';
    showID: boolean;
    showName: boolean;
    showAggregateScores: boolean;
    countUnscored: boolean;
    aggregateFunction: 'average' | 'min' | 'max' | 'sum';
    expandedSubtechniques: 'none' | 'all' | 'annotated';
  };
  hideDisabled: boolean;
  techniques: NavigatorTechnique[];
  gradient: { colors: string[]; minValue: number; maxValue: number };
  legendItems: { label: string; color: string }[];
  showTacticRowBackground: boolean;
  tacticRowBackground: string;
  selectTechniquesAcrossTactics: boolean;
  selectSubtechniquesWithParent: boolean;
  selectVisibleTechniques: boolean;
  metadata: ({ name: string; value: string } | { divider: true })[];
  links: { label: string; url: string }[];
}

export interface NavigatorTechnique {
  techniqueID: string;
  tactic?: string;
  score?: number;
  color?: string;
  comment?: string;
  enabled?: boolean;
  metadata?: ({ name: string; value: string } | { divider: true })[];
  links?: { label: string; url: string }[];
  showSubtechniques?: boolean;
}

export interface LayerEntry {
  techniqueId: string;
  score: number;
  comment?: string;
  metadata?: { name: string; value: string }[];
}

export interface LayerOptions {
  name: string;
  description: string;
  entries: LayerEntry[];
  /** Gradient colours from low to high score. */
  colors?: string[];
  legend?: { label: string; color: string }[];
  metadata?: { name: string; value: string }[];
  /** Navigator version the layer declares (must be at least 4.9.0). */
  navigatorVersion?: string;
}

/**
 * Builds a Navigator 4.5 layer over the loaded ATT&CK version. Each technique is annotated under
 * every tactic it belongs to (with `tactic` set), and a parent of an annotated sub-technique is
 * listed with `showSubtechniques` so the sub-technique is visible when the layer opens.
 */
export function buildNavigatorLayer(kb: KnowledgeBase, options: LayerOptions): NavigatorLayer {
  const techniques: NavigatorTechnique[] = [];
  const parentsToExpand = new Map<string, string[]>();
  let maxScore = 0;
  for (const entry of options.entries) {
    const resolved = kb.technique(entry.techniqueId);
    if (!resolved) continue;
    const t = resolved.object;
    maxScore = Math.max(maxScore, entry.score);
    for (const tactic of t.tactics) {
      techniques.push({
        techniqueID: t.id,
        tactic,
        score: entry.score,
        comment: entry.comment ?? '',
        enabled: true,
        metadata: entry.metadata ?? [],
        links: t.url ? [{ label: `${t.id} on attack.mitre.org`, url: t.url }] : [],
        showSubtechniques: false,
      });
      if (t.isSubtechnique && t.parentId) {
        const tactics = parentsToExpand.get(t.parentId) ?? [];
        if (!tactics.includes(tactic)) tactics.push(tactic);
        parentsToExpand.set(t.parentId, tactics);
      }
    }
  }
  for (const [parentId, tactics] of parentsToExpand) {
    for (const tactic of tactics) {
      const existing = techniques.find((x) => x.techniqueID === parentId && x.tactic === tactic);
      if (existing) existing.showSubtechniques = true;
      else techniques.push({ techniqueID: parentId, tactic, enabled: true, showSubtechniques: true });
    }
  }
  techniques.sort((a, b) => (a.techniqueID === b.techniqueID ? String(a.tactic).localeCompare(String(b.tactic)) : a.techniqueID < b.techniqueID ? -1 : 1));
  const majorVersion = kb.meta.version.split('.')[0] ?? kb.meta.version;
  return {
    name: options.name,
    versions: { attack: majorVersion, navigator: options.navigatorVersion ?? '5.1.0', layer: '4.5' },
    domain: kb.meta.domain,
    description: options.description,
    sorting: 3,
    layout: {
      layout: 'side',
      showID: true,
      showName: true,
      showAggregateScores: false,
      countUnscored: false,
      aggregateFunction: 'average',
      expandedSubtechniques: 'annotated',
    },
    hideDisabled: false,
    techniques,
    gradient: { colors: options.colors ?? ['#fff7ecff', '#fc8d59ff', '#b30000ff'], minValue: 0, maxValue: Math.max(1, maxScore) },
    legendItems: options.legend ?? [],
    showTacticRowBackground: false,
    tacticRowBackground: '#dddddd',
    selectTechniquesAcrossTactics: true,
    selectSubtechniquesWithParent: false,
    selectVisibleTechniques: false,
    metadata: options.metadata ?? [],
    links: [],
  };
}
