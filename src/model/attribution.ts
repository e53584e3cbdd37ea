import { z } from 'zod';

/**
 * The attribution of one incident as the review and the API show it: the top candidate groups and
 * campaigns with their reasons, or the statement that the evidence does not support attribution.
 */

export const ATTRIBUTION_CONFIDENCES = ['none', 'low', 'medium', 'high'] as const;
export const CANDIDATE_TYPES = ['intrusion-set', 'campaign'] as const;

const NamedIdSchema = z.object({ id: z.string(), name: z.string() });

export const AttributionCandidateSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(CANDIDATE_TYPES),
  aliases: z.array(z.string()),
  confidence: z.enum(ATTRIBUTION_CONFIDENCES),
  /** Posterior probability among the ranked candidates and "someone else". */
  probability: z.number(),
  sharedTechniques: z.array(NamedIdSchema.extend({ weight: z.number() })),
  sharedSoftware: z.array(NamedIdSchema),
  /** Techniques the candidate uses that the incident did not show: where to look next. */
  huntFor: z.array(NamedIdSchema),
});

export const IncidentActorsSchema = z.object({
  attributed: z.boolean(),
  confidence: z.enum(ATTRIBUTION_CONFIDENCES),
  statement: z.string(),
  observedTechniques: z.number().int(),
  /** Software the evidence names, and the names it was seen as. */
  software: z.array(NamedIdSchema.extend({ seenAs: z.array(z.string()) })),
  candidates: z.array(AttributionCandidateSchema),
});
export type IncidentActors = z.infer<typeof IncidentActorsSchema>;
