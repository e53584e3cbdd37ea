import { z } from 'zod';

/** Technique inference as the CLI (`hindsight infer --json`) and the API answer it. */

export const InferredTechniqueSchema = z.object({
  id: z.string(),
  name: z.string(),
  tactics: z.array(z.string()),
  /** 0–1; the best suggestion near 1. */
  score: z.number(),
  /** The observed techniques that imply it, with their share of the evidence (0–1). */
  because: z.array(z.object({ technique: z.string(), weight: z.number() })),
  /** Rules of the stored inventory (or the rules given) covering it. */
  rules: z.number().int().nonnegative(),
  /** Share of ATT&CK's groups, campaigns and software using it: how common it is. */
  baseRate: z.number(),
  /** Observed software ATT&CK records using it. */
  software: z.array(z.string()),
  /** ATT&CK data components (or legacy data sources) that would show it. */
  dataSources: z.array(z.string()),
});
export type InferredTechniqueView = z.infer<typeof InferredTechniqueSchema>;

export const InferenceDismissalSchema = z.object({
  techniqueId: z.string(),
  dismissedBy: z.string(),
  dismissedAt: z.string(),
  reason: z.string().nullable(),
});

export const InferenceAnswerSchema = z.object({
  attackVersion: z.string(),
  observed: z.array(z.string()),
  techniques: z.array(InferredTechniqueSchema),
  /** True when the observation is too thin for the suggestions to mean much. */
  thin: z.boolean(),
  note: z.string().nullable(),
  /** Remarks on the input: revoked IDs remapped, software recognised, unknown IDs ignored. */
  notes: z.array(z.string()),
  incident: z.object({ id: z.string(), sourceId: z.string(), title: z.string() }).nullable(),
  /** Suggestions analysts dismissed for the incident (left out of `techniques`). */
  dismissed: z.array(InferenceDismissalSchema),
  /** Where the rule counts come from, or null without rules. */
  rulesSource: z.string().nullable(),
});
export type InferenceAnswer = z.infer<typeof InferenceAnswerSchema>;

export const InferenceDecisionSchema = z.object({
  techniques: z.array(z.string().min(1).max(64)).min(1).max(100),
  reason: z.string().max(2000).nullable().default(null),
});
