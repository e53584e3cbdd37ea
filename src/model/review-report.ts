import { z } from 'zod';
import { IncidentActorsSchema } from './attribution.js';
import { IncidentDetectionSchema, IncidentTechniqueMapSchema, InvolvedEntitySchema, ResponseTimingsSchema } from './incident-analysis.js';
import { storedTime } from './stored-time.js';
import { ActionItemSchema, FindingSchema, REVIEW_SECTIONS, ReviewRecordSchema } from './review.js';
import { AppliedTemplateSchema, ReviewTaskSchema } from './tasks.js';
import { TimelineEventSchema } from './timeline.js';

/** The finished review of one incident (what `buildFullReview` gives), ready for any renderer or the API. */

export const ReviewIncidentHeaderSchema = z.object({
  id: z.string(),
  source: z.string(),
  sourceFormat: z.string(),
  sourceId: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  severity: z.string(),
  status: z.string(),
  classification: z.string().nullable(),
  determination: z.string().nullable(),
  assignedTo: z.string().nullable(),
  createdAt: storedTime,
  updatedAt: storedTime,
  resolvedAt: storedTime.nullable(),
  tags: z.array(z.string()),
  webUrl: z.string().nullable(),
  alertCount: z.number().int(),
});

export const ReviewAlertLineSchema = z.object({
  /** The alert's source id. */
  id: z.string(),
  title: z.string(),
  severity: z.string(),
  status: z.string(),
  classification: z.string().nullable(),
  detectionSource: z.string().nullable(),
  createdAt: storedTime,
  firstActivityAt: storedTime.nullable(),
  techniques: z.array(z.string()),
});

/** A timeline event as the review shows it: data or hand-written, with the review's annotations. */
export const ReviewTimelineEventSchema = TimelineEventSchema.extend({
  /** Evidence attached by the review team (references, file names, ticket links). */
  evidence: z.array(z.string()),
  note: z.string().nullable(),
  hidden: z.boolean(),
  hiddenReason: z.string().nullable(),
  /** Version of the manual event, or of the annotation of a data event (0: never annotated). */
  version: z.number().int().nonnegative(),
});

export const ReviewSectionViewSchema = z.object({
  key: z.enum(REVIEW_SECTIONS),
  title: z.string(),
  body: z.string(),
  /** `generated`: built from the evidence, not yet confirmed by a person; `person`: written or confirmed. */
  source: z.enum(['generated', 'person']),
  /** 0 when never stored (the generated text). */
  version: z.number().int().nonnegative(),
  updatedBy: z.string().nullable(),
  updatedAt: storedTime.nullable(),
});

export const ReviewQuestionViewSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  text: z.string(),
  answer: z.string().nullable(),
  version: z.number().int().nonnegative(),
  answeredBy: z.string().nullable(),
  answeredAt: storedTime.nullable(),
});

export const COMPLETENESS_PARTS = ['questions', 'sections', 'findings-resolved', 'findings-recorded'] as const;

export const CompletenessSchema = z.object({
  /** 0-100, an integer. */
  score: z.number().int(),
  complete: z.boolean(),
  parts: z.array(
    z.object({
      id: z.enum(COMPLETENESS_PARTS),
      label: z.string(),
      weight: z.number(),
      done: z.number().int(),
      total: z.number().int(),
      /** weight × done/total, rounded to one decimal. */
      score: z.number(),
      /** What is still missing, in words. */
      missing: z.array(z.string()),
    }),
  ),
});

export const ReviewReportSchema = z.object({
  generatedAt: storedTime,
  attack: z.object({ domain: z.string(), version: z.string() }),
  incident: ReviewIncidentHeaderSchema,
  summary: z.string(),
  /** The merged sequence of events; with the workflow, hand-written events and annotations included. */
  timeline: z.array(z.union([ReviewTimelineEventSchema, TimelineEventSchema])),
  techniques: IncidentTechniqueMapSchema,
  entities: z.array(InvolvedEntitySchema),
  timings: ResponseTimingsSchema,
  alerts: z.array(ReviewAlertLineSchema),
  /** Who probably did it, or the statement that the evidence does not support attribution. */
  actors: IncidentActorsSchema.optional(),
  /** For each technique: the alerts that detected it, or that the review confirmed it without any alert (missed). */
  detection: IncidentDetectionSchema.optional(),
  /** The review workflow's parts (present when the report is built from the stored review). */
  state: ReviewRecordSchema.optional(),
  sections: z.array(ReviewSectionViewSchema).optional(),
  questions: z.array(ReviewQuestionViewSchema).optional(),
  findings: z.array(FindingSchema).optional(),
  actions: z.array(ActionItemSchema).optional(),
  /** The template the review follows, with its sections and questions answered (null: none chosen yet). */
  template: AppliedTemplateSchema.nullable().optional(),
  tasks: z.array(ReviewTaskSchema).optional(),
  completeness: CompletenessSchema.optional(),
  /** Set when the review was approved below full completeness (flagged at the top of every format). */
  approvedIncomplete: z
    .object({ reason: z.string(), approvedBy: z.string().nullable(), approvedAt: z.string().nullable(), completenessScore: z.number().nullable() })
    .optional(),
});
