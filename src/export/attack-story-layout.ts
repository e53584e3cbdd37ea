import type { AttackStory, StoryEdge, StoryNode } from './attack-story.js';

/**
 * A deterministic layered layout of the attack story: the steps left to right in time order, each
 * in the lane of its tactic (lanes in the order the tactics first appear), wrapped into rows of a
 * few steps so a long story fits a page; under each row, the hosts, accounts and observables its
 * steps touched (one that several rows touched is drawn under each). Pure arithmetic: the same
 * story always gets the same picture.
 */

export interface PositionedNode extends StoryNode {
  /** Unique within the layout (a node drawn under two rows has two keys, one id). */
  key: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PositionedEdge extends Omit<StoryEdge, 'source' | 'target'> {
  source: string;
  target: string;
}

export interface StoryLayout {
  width: number;
  height: number;
  lanes: { shortname: string; name: string; y: number; height: number }[];
  nodes: PositionedNode[];
  /** Edges between node keys. */
  edges: PositionedEdge[];
  /** The vertical extent of each row (its lanes and the band below), for printing a row per block. */
  rows: { top: number; bottom: number }[];
}

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 52;
export const STEPS_PER_ROW = 6;
const COLUMN_GAP = 36;
const LANE_GAP = 10;
const LANE_LABEL = 140;
const MARGIN = 20;
const BAND_GAP = 36;
const ROW_GAP = 44;
const BAND_COLUMNS = 1;

export function layoutAttackStory(story: AttackStory, stepsPerRow = STEPS_PER_ROW): StoryLayout {
  const actions = story.nodes.filter((n) => n.kind === 'action').sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  const byId = new Map(story.nodes.map((n) => [n.id, n]));
  const columnX = (i: number) => MARGIN + LANE_LABEL + i * (NODE_WIDTH + COLUMN_GAP);
  const nodes: PositionedNode[] = [];
  const edges: PositionedEdge[] = [];
  const lanes: StoryLayout['lanes'] = [];
  const rows: StoryLayout['rows'] = [];
  const actionKey = new Map<string, string>();
  let top = MARGIN;
  for (let start = 0; start < Math.max(1, actions.length); start += stepsPerRow) {
    const row = actions.slice(start, start + stepsPerRow);
    const laneOrder: { shortname: string; name: string }[] = [];
    for (const a of row) if (a.tactic && !laneOrder.some((l) => l.shortname === a.tactic?.shortname)) laneOrder.push({ shortname: a.tactic.shortname, name: a.tactic.name });
    const laneY = new Map(laneOrder.map((l, i) => [l.shortname, top + i * (NODE_HEIGHT + LANE_GAP)]));
    for (const l of laneOrder) lanes.push({ ...l, y: laneY.get(l.shortname) ?? top, height: NODE_HEIGHT });
    row.forEach((a, i) => {
      actionKey.set(a.id, a.id);
      nodes.push({ ...a, key: a.id, x: columnX(i), y: laneY.get(a.tactic?.shortname ?? '') ?? top, width: NODE_WIDTH, height: NODE_HEIGHT });
    });
    const lanesBottom = top + Math.max(1, laneOrder.length) * (NODE_HEIGHT + LANE_GAP) - LANE_GAP;

    // The row's assets and observables, each under the first of the row's steps that touched it.
    const placed = new Map<string, string>();
    const stacked = new Map<number, number>();
    let bandBottom = lanesBottom;
    row.forEach((a, column) => {
      for (const e of story.edges) {
        if (e.source !== a.id || e.kind === 'next') continue;
        const target = byId.get(e.target);
        if (!target) continue;
        let key = placed.get(target.id);
        if (!key) {
          key = `${target.id}#${start}`;
          placed.set(target.id, key);
          const depth = stacked.get(column) ?? 0;
          stacked.set(column, depth + 1);
          const y = lanesBottom + BAND_GAP + Math.floor(depth / BAND_COLUMNS) * (NODE_HEIGHT + 12);
          nodes.push({ ...target, key, x: columnX(column), y, width: NODE_WIDTH, height: NODE_HEIGHT });
          bandBottom = Math.max(bandBottom, y + NODE_HEIGHT);
        }
        edges.push({ id: `${e.id}#${start}`, kind: e.kind, source: a.id, target: key });
      }
    });
    rows.push({ top: Math.max(0, top - MARGIN / 2), bottom: bandBottom + MARGIN / 2 });
    top = bandBottom + ROW_GAP;
  }
  for (const e of story.edges) if (e.kind === 'next') edges.push({ ...e, source: actionKey.get(e.source) ?? e.source, target: actionKey.get(e.target) ?? e.target });
  const columns = Math.min(stepsPerRow, Math.max(1, actions.length));
  return { width: columnX(columns) - COLUMN_GAP + MARGIN, height: top - ROW_GAP + MARGIN, lanes, nodes, edges, rows };
}
