import type { ShareDocument, ShareObservable } from './share-document.js';

/**
 * The incident's attack story as a graph: one node per technique step of the sequence of events
 * (in time order, each under its tactic), the hosts and accounts they touched and the observables
 * involved. The web app draws it, the report embeds it as SVG, and the Attack Flow export writes
 * the same steps, assets and observables as STIX: one definition of the story for all three.
 */

export type StoryNodeKind = 'action' | 'asset' | 'observable';

export interface StoryNode {
  id: string;
  kind: StoryNodeKind;
  label: string;
  /** Second line: the technique id and tactic, the asset kind, the observable type. */
  detail: string;
  /** Actions: the tactic's shortname and name, and when. */
  tactic?: { id: string; shortname: string; name: string };
  start?: string;
  end?: string;
  /** Observables: flagged as an indicator. */
  ioc?: boolean;
  /** Actions: position in the sequence (0 first). */
  order?: number;
}

export interface StoryEdge {
  id: string;
  source: string;
  target: string;
  /** `next`: the following step; `asset`: the step touched the asset; `observable`: the step involved it. */
  kind: 'next' | 'asset' | 'observable';
}

export interface AttackStory {
  incidentId: string;
  title: string;
  nodes: StoryNode[];
  edges: StoryEdge[];
}

/** At most this many observables per step are drawn (IOCs first); the exports carry all of them. */
const OBSERVABLES_PER_STEP = 4;

export function buildAttackStory(doc: ShareDocument): AttackStory {
  const nodes: StoryNode[] = [];
  const edges: StoryEdge[] = [];
  const techniques = new Map(doc.techniques.map((t) => [t.id, t]));
  const placed = new Set<string>();
  doc.steps.forEach((step, i) => {
    const technique = techniques.get(step.techniqueId);
    const id = `action:${step.key}`;
    nodes.push({
      id,
      kind: 'action',
      label: technique?.name ?? step.techniqueId,
      detail: `${step.techniqueId} · ${step.tactic.name}`,
      tactic: step.tactic,
      start: step.start,
      end: step.end,
      order: i,
    });
    const next = doc.steps[i + 1];
    if (next) edges.push({ id: `next:${step.key}`, source: id, target: `action:${next.key}`, kind: 'next' });
    for (const asset of doc.assets) {
      if (!asset.alertIds.some((a) => step.alertIds.includes(a))) continue;
      const assetNode = `asset:${asset.key}`;
      if (!placed.has(assetNode)) {
        placed.add(assetNode);
        nodes.push({ id: assetNode, kind: 'asset', label: asset.name, detail: asset.kind === 'host' ? 'host' : 'account' });
      }
      edges.push({ id: `asset:${step.key}:${asset.key}`, source: id, target: assetNode, kind: 'asset' });
    }
    for (const o of observablesOfStep(doc.observables, step.alertIds)) {
      const node = `observable:${o.id}`;
      if (!placed.has(node)) {
        placed.add(node);
        nodes.push({ id: node, kind: 'observable', label: o.value, detail: o.type, ioc: o.ioc });
      }
      edges.push({ id: `observable:${step.key}:${o.id}`, source: id, target: node, kind: 'observable' });
    }
  });
  return { incidentId: doc.incident.id, title: doc.incident.title, nodes, edges };
}

/** The observables a step involved (seen in the alerts that carried its technique), IOCs first. */
export function observablesOfStep(observables: ShareObservable[], alertIds: string[], limit = OBSERVABLES_PER_STEP): ShareObservable[] {
  const involved = observables.filter((o) => o.alertIds.some((a) => alertIds.includes(a)));
  involved.sort((a, b) => Number(b.ioc) - Number(a.ioc) || a.type.localeCompare(b.type) || a.value.localeCompare(b.value));
  return involved.slice(0, limit);
}
