import { useEffect, useMemo, useState } from 'react';
import { Background, Controls, Handle, MarkerType, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { api, dataOf, type Answer } from '../api';
import { ErrorNote, useApi, when } from './common';

type Story = Answer<'get', '/api/incidents/{id}/attack-story'>;
type StoryNode = Story['nodes'][number];
type StoryNodeData = { node: StoryNode };
type LaneData = { name: string };
type Layout = 'lanes' | 'layered';

/** One node of the story: a technique step, a host or account, an observable. */
function StoryCard({ data }: NodeProps<Node<StoryNodeData>>) {
  const n = data.node;
  return (
    <div className={`story-node story-${n.kind}${n.ioc ? ' story-ioc' : ''}`} title={`${n.label}\n${n.detail}${n.start ? `\n${when(n.start)} – ${when(n.end)}` : ''}`}>
      <Handle type="target" position={Position.Left} id="in" isConnectable={false} />
      <Handle type="target" position={Position.Top} id="top" isConnectable={false} />
      <strong>{n.label}</strong>
      <span>{n.kind === 'action' && n.start ? `${n.detail.split(' · ')[0]} · ${when(n.start).slice(5)}` : `${n.detail}${n.ioc ? ' · IOC' : ''}`}</span>
      <Handle type="source" position={Position.Right} id="out" isConnectable={false} />
      <Handle type="source" position={Position.Bottom} id="down" isConnectable={false} />
    </div>
  );
}

/** The nodes the view opens on: the story's first steps and what they touched, with their lanes' labels. */
function firstRow(nodes: Node[]): { id: string }[] {
  const shown = nodes.filter((n) => n.type === 'story').slice(0, FIRST_ROW);
  const bottom = Math.max(...shown.map((n) => n.position.y));
  return [...shown, ...nodes.filter((n) => n.type === 'lane' && n.position.y <= bottom)].map((n) => ({ id: n.id }));
}

/** A tactic's lane behind the steps, as the report draws it. */
function LaneBand({ data }: NodeProps<Node<LaneData>>) {
  return <div className="story-lane"><span>{data.name}</span></div>;
}

const nodeTypes = { story: StoryCard, lane: LaneBand };
/** The first row of the story, which the view opens on (the rest is a scroll or a zoom away). */
const FIRST_ROW = 12;

/** The story's own lanes layout (the one the report draws), keyed by layout key. */
function lanesLayout(story: Story): { nodes: Node<StoryNodeData | LaneData>[]; edges: Edge[] } {
  const byId = new Map(story.nodes.map((n) => [n.id, n]));
  const lanes: Node<LaneData>[] = story.layout.lanes.map((l, i) => ({ id: `lane:${i}`, type: 'lane', position: { x: 8, y: l.y - 5 }, data: { name: l.name }, style: { width: story.layout.width - 16, height: l.height + 10 }, selectable: false, draggable: false, zIndex: -1 }));
  const nodes: Node<StoryNodeData>[] = story.layout.nodes.flatMap((p) => {
    const n = byId.get(p.id);
    return n ? [{ id: p.key, type: 'story', position: { x: p.x, y: p.y }, data: { node: n }, style: { width: p.width, height: p.height } }] : [];
  });
  return { nodes: [...lanes, ...nodes], edges: story.layout.edges.map(edgeOf) };
}

function edgeOf(e: { id: string; source: string; target: string; kind: 'next' | 'asset' | 'observable' }): Edge {
  const next = e.kind === 'next';
  return {
    id: e.id,
    source: e.source,
    target: e.target,
    sourceHandle: next ? 'out' : 'down',
    targetHandle: next ? 'in' : 'top',
    type: next ? 'smoothstep' : 'default',
    className: `story-edge-${e.kind}`,
    ...(next ? { markerEnd: { type: MarkerType.ArrowClosed, color: '#8a1c1c' } } : {}),
  };
}

/** elkjs's layered layout of the same graph: the steps as a chain, what they touched beside them. */
async function layeredLayout(story: Story): Promise<{ nodes: Node<StoryNodeData>[]; edges: Edge[] }> {
  // elkjs is large: it loads only when this layout is asked for.
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const graph = await elk.layout({
    id: 'story',
    layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.layered.spacing.nodeNodeBetweenLayers': '60', 'elk.spacing.nodeNode': '18', 'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX' },
    children: story.nodes.map((n) => ({ id: n.id, width: 180, height: 52 })),
    edges: story.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const byId = new Map(story.nodes.map((n) => [n.id, n]));
  const nodes = (graph.children ?? []).flatMap((c) => {
    const n = byId.get(c.id);
    return n ? [{ id: c.id, type: 'story', position: { x: c.x ?? 0, y: c.y ?? 0 }, data: { node: n }, style: { width: 180, height: 52 } }] : [];
  });
  return { nodes, edges: story.edges.map((e) => ({ ...edgeOf(e), sourceHandle: 'out', targetHandle: 'in' })) };
}

/**
 * The attack story on the review screen: the technique steps of the sequence of events in time
 * order, each in its tactic's lane, with the hosts, accounts and observables involved; the same
 * data as the Attack Flow export, downloadable as the SVG the report embeds.
 */
export default function AttackStory({ incidentId }: { incidentId: string }) {
  const { data: story, error } = useApi(() => dataOf(api.GET('/api/incidents/{id}/attack-story', { params: { path: { id: incidentId } } })), incidentId);
  const [layout, setLayout] = useState<Layout>('lanes');
  const [layered, setLayered] = useState<{ nodes: Node<StoryNodeData | LaneData>[]; edges: Edge[] } | null>(null);
  const [layoutError, setLayoutError] = useState<Error | undefined>();
  const lanes = useMemo(() => (story ? lanesLayout(story) : null), [story]);

  useEffect(() => {
    if (!story || layout !== 'layered' || layered) return;
    let live = true;
    layeredLayout(story).then(
      (g) => live && setLayered(g),
      (e: unknown) => live && setLayoutError(e instanceof Error ? e : new Error(String(e))),
    );
    return () => {
      live = false;
    };
  }, [story, layout, layered]);

  const base = `/api/incidents/${encodeURIComponent(incidentId)}`;
  const graph = layout === 'lanes' ? lanes : layered;
  const steps = story?.nodes.filter((n) => n.kind === 'action').length ?? 0;
  return (
    <section className="panel attack-story" aria-labelledby="story-title">
      <div className="title-row">
        <h2 id="story-title">Attack story</h2>
        <div className="actions">
          <div role="group" aria-label="Layout">
            <button type="button" aria-pressed={layout === 'lanes'} onClick={() => setLayout('lanes')}>Tactic lanes</button>
            <button type="button" aria-pressed={layout === 'layered'} onClick={() => setLayout('layered')}>Layered</button>
          </div>
          <a className="button" href={`${base}/attack-story.svg`} download>SVG</a>
        </div>
      </div>
      <ErrorNote error={error ?? (layout === 'layered' ? layoutError : undefined)} />
      {story && steps === 0 && <p className="muted">No alert of this incident carried an ATT&amp;CK technique: there is no story to draw.</p>}
      {story && steps > 0 && (
        <>
          <p className="muted small">{steps} technique step(s) in time order, each in its tactic's lane, with the hosts and accounts they touched and the observables involved (red border: indicator of compromise). The same data as the Attack Flow export.</p>
          <div className="story-canvas" style={{ height: Math.min(720, story.layout.height + 40) }}>
            {graph ? (
              <ReactFlow
                key={layout}
                nodes={graph.nodes}
                edges={graph.edges}
                nodeTypes={nodeTypes}
                fitView
                fitViewOptions={{ nodes: firstRow(graph.nodes), maxZoom: 1.1 }}
                minZoom={0.15}
                nodesDraggable={false}
                nodesConnectable={false}
                proOptions={{ hideAttribution: true }}
              >
                <Background gap={24} />
                <Controls showInteractive={false} />
              </ReactFlow>
            ) : (
              <p className="muted" role="status">Laying out…</p>
            )}
          </div>
        </>
      )}
    </section>
  );
}
