import { z } from 'zod';

/** The attack story as the API sends it: nodes, edges and the deterministic layered layout. */
const StoryTacticSchema = z.object({ id: z.string(), shortname: z.string(), name: z.string() });

export const StoryNodeSchema = z.object({
  id: z.string(),
  kind: z.enum(['action', 'asset', 'observable']),
  label: z.string(),
  detail: z.string(),
  tactic: StoryTacticSchema.optional(),
  start: z.string().optional(),
  end: z.string().optional(),
  ioc: z.boolean().optional(),
  order: z.number().int().optional(),
});

export const AttackStorySchema = z.object({
  incidentId: z.string(),
  title: z.string(),
  nodes: z.array(StoryNodeSchema),
  edges: z.array(z.object({ id: z.string(), source: z.string(), target: z.string(), kind: z.enum(['next', 'asset', 'observable']) })),
  layout: z.object({
    width: z.number(),
    height: z.number(),
    lanes: z.array(z.object({ shortname: z.string(), name: z.string(), y: z.number(), height: z.number() })),
    nodes: z.array(z.object({ key: z.string(), id: z.string(), x: z.number(), y: z.number(), width: z.number(), height: z.number() })),
    edges: z.array(z.object({ id: z.string(), source: z.string(), target: z.string(), kind: z.enum(['next', 'asset', 'observable']) })),
  }),
});

/** An export downloaded as a file. */
export const ShareExportResponse = {
  description: 'The export as a file (content-disposition: attachment): a STIX 2.1 bundle, a MISP event or an Attack Flow 2.0 bundle.',
  content: {
    'application/json': { schema: z.string() },
    'application/stix+json;version=2.1': { schema: z.string() },
  },
};

export const AttackStorySvgResponse = {
  description: 'The attack story as an SVG image (content-disposition: attachment).',
  content: { 'image/svg+xml': { schema: z.string() } },
};
