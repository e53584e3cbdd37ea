import { z } from 'zod';

/** An ATT&CK Navigator layer (format 4.5), as the exporters build it. */

const MetadataSchema = z.union([z.object({ name: z.string(), value: z.string() }), z.object({ divider: z.literal(true) })]);
const LinkSchema = z.object({ label: z.string(), url: z.string() });

export const NavigatorTechniqueSchema = z.object({
  techniqueID: z.string(),
  tactic: z.string().optional(),
  score: z.number().optional(),
  color: z.string().optional(),
  comment: z.string().optional(),
  enabled: z.boolean().optional(),
  metadata: z.array(MetadataSchema).optional(),
  links: z.array(LinkSchema).optional(),
  showSubtechniques: z.boolean().optional(),
});

export const NavigatorLayerSchema = z.object({
  name: z.string(),
  versions: z.object({ attack: z.string(), navigator: z.string(), layer: z.literal('4.5') }),
  domain: z.string(),
  description: z.string(),
  filters: z.object({ platforms: z.array(z.string()) }).optional(),
  sorting: z.number(),
  layout: z.object({
    layout: z.enum(['side', 'flat', 'mini']),
    showID: z.boolean(),
    showName: z.boolean(),
    showAggregateScores: z.boolean(),
    countUnscored: z.boolean(),
    aggregateFunction: z.enum(['average', 'min', 'max', 'sum']),
    expandedSubtechniques: z.enum(['none', 'all', 'annotated']),
  }),
  hideDisabled: z.boolean(),
  techniques: z.array(NavigatorTechniqueSchema),
  gradient: z.object({ colors: z.array(z.string()), minValue: z.number(), maxValue: z.number() }),
  legendItems: z.array(z.object({ label: z.string(), color: z.string() })),
  showTacticRowBackground: z.boolean(),
  tacticRowBackground: z.string(),
  selectTechniquesAcrossTactics: z.boolean(),
  selectSubtechniquesWithParent: z.boolean(),
  selectVisibleTechniques: z.boolean(),
  metadata: z.array(MetadataSchema),
  links: z.array(LinkSchema),
});
export type NavigatorLayer = z.infer<typeof NavigatorLayerSchema>;
