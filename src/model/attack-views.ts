import { z } from 'zod';

/** What the API shows of the loaded ATT&CK knowledge base: the matrix, and one object described. */

const NamedRefSchema = z.object({ id: z.string(), name: z.string() });

/** One tactic column of the matrix: its techniques (by name) and their sub-techniques. */
export const MatrixColumnSchema = z.object({
  id: z.string(),
  shortname: z.string(),
  name: z.string(),
  techniques: z.array(NamedRefSchema.extend({ subtechniques: z.array(NamedRefSchema) })),
});
export type MatrixColumn = z.infer<typeof MatrixColumnSchema>;

/** The ATT&CK matrix: tactics in kill-chain order. */
export const AttackMatrixSchema = z.object({
  version: z.string(),
  domain: z.string(),
  tactics: z.array(MatrixColumnSchema),
});
export type AttackMatrix = z.infer<typeof AttackMatrixSchema>;

export const ATTACK_OBJECT_KINDS = ['tactic', 'technique', 'mitigation', 'detection-strategy', 'analytic', 'data-component', 'group', 'campaign', 'software'] as const;

const LogSourceSchema = z.object({ name: z.string(), channel: z.string().nullable(), dataComponentId: z.string().nullable() });

export const AnalyticDescriptionSchema = NamedRefSchema.extend({
  platforms: z.array(z.string()),
  dataComponents: z.array(NamedRefSchema),
  logSources: z.array(LogSourceSchema),
});

export const DetectionStrategyDescriptionSchema = NamedRefSchema.extend({ analytics: z.array(AnalyticDescriptionSchema) });

/** One ATT&CK object with its relations spelled out as ID + name (`hindsight attack lookup`). */
export const AttackObjectDescriptionSchema = z.object({
  kind: z.enum(ATTACK_OBJECT_KINDS),
  id: z.string(),
  stixId: z.string(),
  name: z.string(),
  description: z.string(),
  url: z.string().nullable(),
  deprecated: z.boolean(),
  version: z.string().nullable(),
  modified: z.string().nullable(),
  /** The reference as given. */
  query: z.string(),
  /** Set when the reference named a revoked object: the IDs followed via `revoked-by`. */
  revokedFrom: z.array(z.string()).nullable(),
  mappedFrom: z.string().nullable(),
  aliases: z.array(z.string()).optional(),
  platforms: z.array(z.string()).optional(),
  tactics: z.array(z.object({ id: z.string(), shortname: z.string(), name: z.string() })).optional(),
  parent: NamedRefSchema.nullable().optional(),
  subtechniques: z.array(NamedRefSchema).optional(),
  mitigations: z.array(NamedRefSchema).optional(),
  detectionStrategies: z.array(DetectionStrategyDescriptionSchema).optional(),
  dataSources: z.array(z.string()).optional(),
  techniques: z.array(NamedRefSchema).optional(),
  software: z.array(NamedRefSchema).optional(),
  campaigns: z.array(NamedRefSchema).optional(),
  attributedTo: z.array(NamedRefSchema).optional(),
  firstSeen: z.string().nullable().optional(),
  lastSeen: z.string().nullable().optional(),
  softwareType: z.enum(['malware', 'tool']).optional(),
  shortname: z.string().optional(),
  order: z.number().optional(),
  analytics: z.array(AnalyticDescriptionSchema).optional(),
  dataSourceName: z.string().nullable().optional(),
  dataComponents: z.array(NamedRefSchema).optional(),
  logSources: z.array(LogSourceSchema).optional(),
});
export type AttackObjectDescription = z.infer<typeof AttackObjectDescriptionSchema>;
