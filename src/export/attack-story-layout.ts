import type { AttackStory, StoryNode } from './attack-story.js';

/**
 * A deterministic layered layout of the attack story: the steps left to right in time order, each
 * in the lane of its tactic (lanes in matrix order, so the story reads from initial access down to
 * impact), and the assets and observables in a band below, each under the first step that touched
 * it. Pure arithmetic: the same story always gets the same picture, in Node as in the browser.
 */

export interface PositionedNode extends StoryNode {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface StoryLayout {
  width: number;
  height: number;
  lanes: { shortname: string; name: string; y: number; height: number }[];
  nodes: PositionedNode[];
}

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 56;
const COLUMN_GAP = 48;
const LANE_GAP = 16;
const LANE_LABEL = 150;
const MARGIN = 24;
const BAND_GAP = 56;
const BAND_ROW = NODE_HEIGHT + 18;

export function layoutAttackStory(story: AttackStory): StoryLayout {
  const actions = story.nodes.filter((n) => n.kind === 'action').sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  const laneOrder: { shortname: string; name: string }[] = [];
  // Lanes follow the order the tactics first appear in the story, which is time order.
  for (const a of actions) {
    if (a.tactic && !laneOrder.some((l) => l.shortname === a.tactic?.shortname)) laneOrder.push({ shortname: a.tactic.shortname, name: a.tactic.name });
  }
  const laneY = new Map(laneOrder.map((l, i) => [l.shortname, MARGIN + i * (NODE_HEIGHT + LANE_GAP)]));
  const columnX = (i: number) => MARGIN + LANE_LABEL + i * (NODE_WIDTH + COLUMN_GAP);
  const positioned: PositionedNode[] = actions.map((a, i) => ({ ...a, x: columnX(i), y: laneY.get(a.tactic?.shortname ?? '') ?? MARGIN, width: NODE_WIDTH, height: NODE_HEIGHT }));
  const lanesBottom = MARGIN + Math.max(1, laneOrder.length) * (NODE_HEIGHT + LANE_GAP) - LANE_GAP;

  // Each asset or observable goes under the first step that points at it, stacked in that column.
  const firstColumn = new Map<string, number>();
  for (const e of story.edges) {
    if (e.kind === 'next') continue;
    const column = actions.findIndex((a) => a.id === e.source);
    if (column >= 0 && !firstColumn.has(e.target)) firstColumn.set(e.target, column);
  }
  const stack = new Map<number, number>();
  let bandBottom = lanesBottom;
  for (const n of story.nodes) {
    if (n.kind === 'action') continue;
    const column = firstColumn.get(n.id) ?? 0;
    const row = stack.get(column) ?? 0;
    stack.set(column, row + 1);
    const y = lanesBottom + BAND_GAP + row * BAND_ROW;
    positioned.push({ ...n, x: columnX(column), y, width: NODE_WIDTH, height: NODE_HEIGHT });
    bandBottom = Math.max(bandBottom, y + NODE_HEIGHT);
  }
  return {
    width: columnX(Math.max(1, actions.length)) - COLUMN_GAP + MARGIN,
    height: bandBottom + MARGIN,
    lanes: laneOrder.map((l) => ({ ...l, y: laneY.get(l.shortname) ?? 0, height: NODE_HEIGHT })),
    nodes: positioned,
  };
}
