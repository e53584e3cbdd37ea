import { z } from 'zod';
import { ENTITY_KINDS } from './incident.js';
import { storedTime } from './stored-time.js';
import { RESPONSE_PHASES } from './timeline.js';

/**
 * What the analysis of one incident gives its review: the techniques on the ATT&CK matrix, the
 * entities involved, how the response went, and which techniques were detected or missed.
 */

export const IncidentTechniqueSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The tactic this entry is listed under (shortname). */
  tactic: z.string(),
  isSubtechnique: z.boolean(),
  parentId: z.string().nullable(),
  /** Source ids of the alerts that carried it. */
  alertIds: z.array(z.string()),
  /** IDs as the alerts wrote them, when they differ (revoked IDs remapped). */
  reportedAs: z.array(z.string()),
  url: z.string().nullable(),
});

export const TacticGroupSchema = z.object({
  id: z.string(),
  shortname: z.string(),
  name: z.string(),
  techniques: z.array(IncidentTechniqueSchema),
});

export const IncidentTechniqueMapSchema = z.object({
  attackVersion: z.string(),
  domain: z.string(),
  /** Tactics in kill-chain (matrix) order, only those with techniques. */
  tactics: z.array(TacticGroupSchema),
  /** Distinct live technique IDs seen. */
  techniqueIds: z.array(z.string()),
  /** IDs the knowledge base does not know, with the alerts that carried them. */
  unknown: z.array(z.object({ id: z.string(), alertIds: z.array(z.string()) })),
  /** Revoked IDs that were followed to their replacement. */
  remapped: z.array(z.object({ from: z.string(), to: z.string() })),
});

export const InvolvedEntitySchema = z.object({
  kind: z.enum(ENTITY_KINDS),
  key: z.string(),
  displayName: z.string(),
  /** Union of the roles the entity played across alerts. */
  roles: z.array(z.string()),
  verdicts: z.array(z.string()),
  remediationStatuses: z.array(z.string()),
  /** Source ids of the alerts it appears in. */
  alertIds: z.array(z.string()),
  firstSeen: storedTime.nullable(),
  /** A few identifying attributes worth printing (hashes, command lines, addresses). */
  highlights: z.record(z.string(), z.string()),
});

const MilestoneSchema = z.object({
  at: storedTime,
  /** What the time was taken from, in words a reader can check. */
  basis: z.string(),
});

const DurationSchema = z.object({
  seconds: z.number(),
  /** `2h 05m`, `3d 4h`. */
  text: z.string(),
});

export const ResponseTimingsSchema = z.object({
  firstActivity: MilestoneSchema.nullable(),
  detected: MilestoneSchema.nullable(),
  acknowledged: MilestoneSchema.nullable(),
  contained: MilestoneSchema.nullable(),
  resolved: MilestoneSchema.nullable(),
  timeToDetect: DurationSchema.nullable(),
  timeToAcknowledge: DurationSchema.nullable(),
  timeToContain: DurationSchema.nullable(),
  timeToResolve: DurationSchema.nullable(),
  /** First event of each response phase on the timeline. */
  phases: z.array(z.object({ phase: z.enum(RESPONSE_PHASES), start: storedTime, end: storedTime.nullable(), events: z.number().int() })),
});

export const IncidentTechniqueDetectionSchema = z.object({
  id: z.string(),
  name: z.string(),
  tactics: z.array(z.string()),
  /** A review confirmed it for this incident. */
  confirmed: z.boolean(),
  /** Alerts that carried it (or, for a confirmed technique, its parent or one of its sub-techniques). */
  detectedBy: z.array(z.object({ alertId: z.string(), title: z.string(), reportedAs: z.string() })),
  /** Confirmed by the review and no alert carried it or an equivalent ID. */
  missed: z.boolean(),
  /** Rules mapping to it, or null when no rule inventory was given. */
  rules: z.number().int().nullable(),
});

/** The Detection section's "probably also happened": inferred techniques with reasons, rules and data to check. */
export const ProbablyAlsoHappenedSchema = z.object({
  techniques: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      tactics: z.array(z.string()),
      score: z.number(),
      because: z.array(z.object({ technique: z.string(), weight: z.number() })),
      /** Rules covering it, or null when no rule inventory was given. */
      rules: z.number().int().nullable(),
      dataSources: z.array(z.string()),
    }),
  ),
  /** Why the suggestions are weak, when they are. */
  note: z.string().nullable(),
  dismissed: z.array(z.string()),
});
export type ProbablyAlsoHappened = z.infer<typeof ProbablyAlsoHappenedSchema>;

/** The review's "Detection" section. */
export const IncidentDetectionSchema = z.object({
  techniques: z.array(IncidentTechniqueDetectionSchema),
  detected: z.number().int(),
  missed: z.number().int(),
  /** Technique IDs (from alerts or the review) the loaded ATT&CK version does not know. */
  unknown: z.array(z.string()),
  /** Where the rule counts come from, or null without a rule inventory. */
  rulesSource: z.string().nullable(),
  /** What probably also happened without an alert: the top inferred techniques (docs/inference.md). */
  probablyAlsoHappened: ProbablyAlsoHappenedSchema.optional(),
});
