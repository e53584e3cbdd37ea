import { useEffect, useMemo, useState } from 'react';
import { Background, Controls, Handle, MarkerType, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import ELK from 'elkjs/lib/elk.bundled.js';
import { api, dataOf, type Answer } from '../api';
import { ErrorNote, useApi, when } from './common';

type Story = Answer<'get', '/api/incidents/{id}/attack-story'>;
type StoryNode = Story['nodes'][number];
type StoryNodeData = { node: StoryNode };
type Layout = 'lanes' | 'layered';

/** One node of the story: a technique step, a host or account, an observable. */
function StoryCard({ data }: NodeProps<Node<StoryNodeData>>) {
  const n = data.node;
  return (
    <div className={`story-node story-${n.kind}${n.ioc ? ' story-ioc' : ''}`} title={`${n.label}\n${n.detail}${n.start ? `\n${when(n.start)} – ${when(n.end)}` : ''}`}>
      <Handle type="target" position={Position.Left} id="in" isConnectable={false} />
      <Handle type="target" position={Position.Top} id="top" isConnectable={false} />
      <strong>{n.label}</strong>
      <span>{n.kind === 'action' && n.start ? `${n.detail.split(' · ')[0]} · ${when(n.start)}` : `${n.detail}${n.ioc ? ' · IOC' : ''}`}</span>
      <Handle type="source" position={Position.Right} id="out" isConnectable={false} />
      <Handle type="source" position={Position.Bottom} id="down" isConnectable={false} />
    </div>
  );
}

const nodeTypes = { story: StoryCard };

/** The story's own lanes layout (the one the report draws), keyed by layout key. */
function lanesLayout(story: Story): { nodes: Node<StoryNodeData>[]; edges: Edge[] } {
  const byId = new Map(story.nodes.map((n) => [n.id, n]));
  const nodes = story.layout.nodes.flatMap((p) => {
    const n = byId.get(p.id);
    return n ? [{ id: p.key, type: 'story', position: { x: p.x, y: p.y }, data: { node: n }, style: { width: p.width, height: p.height } }] : [];
  });
  return { nodes, edges: story.layout.edges.map(edgeOf) };
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
  const [layered, setLayered] = useState<{ nodes: Node<StoryNodeData>[]; edges: Edge[] } | null>(null);
  const lanes = useMemo(() => (story ? lanesLayout(story) : null), [story]);

  useEffect(() => {
    if (!story || layout !== 'layered' || layered) return;
    let live = true;
    void layeredLayout(story).then((g) => live && setLayered(g));
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
      <ErrorNote error={error} />
      {story && steps === 0 && <p className="muted">No alert of this incident carried an ATT&amp;CK technique: there is no story to draw.</p>}
      {story && steps > 0 && (
        <>
          <p className="muted small">{steps} technique step(s) in time order, each in its tactic's lane, with the hosts and accounts they touched and the observables involved (red border: indicator of compromise). The same data as the Attack Flow export.</p>
          <div className="story-canvas" style={{ height: layout === 'lanes' ? Math.min(760, story.layout.height + 40) : 640 }}>
            {graph ? (
              <ReactFlow nodes={graph.nodes} edges={graph.edges} nodeTypes={nodeTypes} fitView minZoom={0.2} nodesDraggable={false} nodesConnectable={false} proOptions={{ hideAttribution: true }}>
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
