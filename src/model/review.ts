import { z } from 'zod';
import { CalendarDate } from './calendar.js';
import { isoTime } from './incident.js';
import { RESPONSE_PHASES } from './timeline.js';

/**
 * The post-incident review: its lifecycle, sections, lessons-learned answers, findings and
 * action items. Every editable thing carries a `version` that a write must name (or read) so a
 * write based on a stale copy is refused instead of silently overwriting someone else's work.
 */

export const REVIEW_STATES = ['not-required', 'required', 'draft', 'in-review', 'approved', 'waived'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

/** The editable prose sections of a review. The sequence of events is the timeline. */
export const REVIEW_SECTIONS = ['summary', 'technicalSummary', 'response', 'takeaways', 'noFindings'] as const;
export type ReviewSectionKey = (typeof REVIEW_SECTIONS)[number];
/** The sections completeness requires to be reviewed by a person. */
export const REQUIRED_SECTIONS = ['summary', 'technicalSummary', 'response', 'takeaways'] as const satisfies readonly ReviewSectionKey[];

export const SECTION_TITLES: Record<ReviewSectionKey, string> = {
  summary: 'Summary',
  technicalSummary: 'Technical summary',
  response: 'How the response was executed',
  takeaways: 'Key takeaways',
  noFindings: 'No findings',
};

export const FINDING_CATEGORIES = [
  'technical-lapse',
  'procedural-failure',
  'manual-error',
  'process-flaw',
  'communication-glitch',
  'unknown-attack-vector',
] as const;
export type FindingCategory = (typeof FINDING_CATEGORIES)[number];
export const FINDING_CATEGORY_TITLES: Record<FindingCategory, string> = {
  'technical-lapse': 'Technical lapse',
  'procedural-failure': 'Procedural failure',
  'manual-error': 'Manual error',
  'process-flaw': 'Process flaw',
  'communication-glitch': 'Communication glitch',
  'unknown-attack-vector': 'Previously unknown attack vector',
};

export const FINDING_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

export const ACTION_TYPES = ['fix', 'change-request', 'process-change', 'procedure-update', 'detection-engineering', 'training'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const ACTION_STATUSES = ['open', 'in-progress', 'done', 'verified', 'wont-do'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const ACTION_PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type ActionPriority = (typeof ACTION_PRIORITIES)[number];

export const SUFFICIENCY_VALUES = ['sufficient', 'insufficient'] as const;
export type Sufficiency = (typeof SUFFICIENCY_VALUES)[number];

/**
 * A patch schema: every field optional and WITHOUT its default (zod's `.partial()` keeps defaults,
 * which would reset fields a patch does not mention).
 */
function patchOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const inner = field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType);
    shape[key] = inner.optional();
  }
  return z.strictObject(shape) as unknown as z.ZodObject<{ [K in keyof T]: z.ZodOptional<T[K] extends z.ZodDefault<infer I> ? I : T[K]> }>;
}

const dateOnly = CalendarDate;
const text = z.string().trim().min(1);

/** A stored section of the review. `source` says whether a person wrote or confirmed it. */
export const ReviewSectionSchema = z.object({
  key: z.enum(REVIEW_SECTIONS),
  body: z.string(),
  /** `generated` for text built from the evidence and not yet confirmed by a person. */
  source: z.enum(['generated', 'person']),
  version: z.number().int().positive(),
  updatedBy: z.string(),
  updatedAt: isoTime,
});
export type ReviewSection = z.infer<typeof ReviewSectionSchema>;

export const ReviewAnswerSchema = z.object({
  questionId: z.string(),
  answer: z.string(),
  version: z.number().int().positive(),
  updatedBy: z.string(),
  updatedAt: isoTime,
});
export type ReviewAnswer = z.infer<typeof ReviewAnswerSchema>;

/** The review record of one incident: its state and sign-off. */
export const ReviewRecordSchema = z.object({
  incidentId: z.string(),
  state: z.enum(REVIEW_STATES),
  /** Which policy rule made it required (null when not required or set by hand). */
  requiredBy: z.string().nullable(),
  waiverReason: z.string().nullable(),
  submittedBy: z.string().nullable(),
  submittedAt: isoTime.nullable(),
  approvedBy: z.string().nullable(),
  approvedAt: isoTime.nullable(),
  sufficiency: z.enum(SUFFICIENCY_VALUES).nullable(),
  sufficiencyNotes: z.string().nullable(),
  /** Set when a reviewer approved below 100% completeness, with the reason. */
  completenessOverride: z.string().nullable(),
  closedAt: isoTime.nullable(),
  closedBy: z.string().nullable(),
  closeReason: z.string().nullable(),
  version: z.number().int().nonnegative(),
  updatedBy: z.string().nullable(),
  updatedAt: isoTime.nullable(),
});
export type ReviewRecord = z.infer<typeof ReviewRecordSchema>;

export const FindingInputSchema = z.object({
  category: z.enum(FINDING_CATEGORIES),
  title: text,
  description: z.string().default(''),
  severity: z.enum(FINDING_SEVERITIES).default('medium'),
  contributingFactors: z.array(text).default([]),
  timelineEventIds: z.array(text).default([]),
  techniques: z.array(z.string().regex(/^T\d{4}(\.\d{3})?$/, 'an ATT&CK technique id such as T1566.001')).default([]),
  evidence: z.array(text).default([]),
  /** When set, the finding is knowingly accepted as a risk instead of getting an action item. */
  acceptedRisk: z.string().nullable().default(null),
});
export type FindingInput = z.input<typeof FindingInputSchema>;
export const FindingPatchSchema = patchOf(FindingInputSchema);
export type FindingPatch = z.input<typeof FindingPatchSchema>;

export const FindingSchema = FindingInputSchema.extend({
  id: z.string(),
  incidentId: z.string(),
  version: z.number().int().positive(),
  createdBy: z.string(),
  createdAt: isoTime,
  updatedBy: z.string(),
  updatedAt: isoTime,
});
export type Finding = z.infer<typeof FindingSchema>;

export const ActionItemInputSchema = z.object({
  type: z.enum(ACTION_TYPES),
  title: text,
  description: z.string().default(''),
  findingId: z.string().nullable().default(null),
  owner: z.string().nullable().default(null),
  team: z.string().nullable().default(null),
  dueDate: dateOnly.nullable().default(null),
  priority: z.enum(ACTION_PRIORITIES).default('medium'),
  closureCriteria: z.string().nullable().default(null),
});
export type ActionItemInput = z.input<typeof ActionItemInputSchema>;
/** Fields an update may change directly (status goes through the lifecycle). */
export const ActionItemPatchSchema = patchOf(ActionItemInputSchema);
export type ActionItemPatch = z.input<typeof ActionItemPatchSchema>;

export const ActionItemSchema = ActionItemInputSchema.extend({
  id: z.string(),
  incidentId: z.string(),
  status: z.enum(ACTION_STATUSES),
  wontDoReason: z.string().nullable(),
  verifiedBy: z.string().nullable(),
  verifiedAt: isoTime.nullable(),
  verificationMethod: z.string().nullable(),
  verificationEvidence: z.string().nullable(),
  /** Tracker the item was exported to (`github`, `jira`), its key, URL and state as last synced. */
  externalSystem: z.string().nullable(),
  externalKey: z.string().nullable(),
  externalUrl: z.string().nullable(),
  externalState: z.string().nullable(),
  syncedAt: isoTime.nullable(),
  version: z.number().int().positive(),
  createdBy: z.string(),
  createdAt: isoTime,
  updatedBy: z.string(),
  updatedAt: isoTime,
  /** Due date before today and not done, verified or won't-do (computed when read). */
  overdue: z.boolean(),
});
export type ActionItem = z.infer<typeof ActionItemSchema>;

/** A hand-written timeline event. */
export const ManualTimelineEventInputSchema = z.object({
  at: isoTime,
  title: text,
  detail: z.string().nullable().default(null),
  phase: z.enum(RESPONSE_PHASES).nullable().default(null),
  keyMoment: z.boolean().default(false),
  actor: z.string().nullable().default(null),
  techniques: z.array(z.string()).default([]),
  evidence: z.array(text).default([]),
});
export type ManualTimelineEventInput = z.input<typeof ManualTimelineEventInputSchema>;
export const ManualTimelineEventPatchSchema = patchOf(ManualTimelineEventInputSchema);
export type ManualTimelineEventPatch = z.input<typeof ManualTimelineEventPatchSchema>;

export const ManualTimelineEventSchema = ManualTimelineEventInputSchema.extend({
  id: z.string(),
  incidentId: z.string(),
  version: z.number().int().positive(),
  createdBy: z.string(),
  createdAt: isoTime,
  updatedBy: z.string(),
  updatedAt: isoTime,
});
export type ManualTimelineEvent = z.infer<typeof ManualTimelineEventSchema>;

/** Annotations on an event derived from the data: the event itself cannot change, only be annotated. */
export const TimelineAnnotationPatchSchema = z.object({
  phase: z.enum(RESPONSE_PHASES).nullable().optional(),
  keyMoment: z.boolean().nullable().optional(),
  hidden: z.boolean().optional(),
  hiddenReason: z.string().nullable().optional(),
  note: z.string().nullable().optional(),
  evidence: z.array(text).optional(),
});
export type TimelineAnnotationPatch = z.input<typeof TimelineAnnotationPatchSchema>;

export const TimelineAnnotationSchema = z.object({
  incidentId: z.string(),
  eventId: z.string(),
  /** null: keep the phase the data gave. */
  phase: z.enum(RESPONSE_PHASES).nullable(),
  /** null: keep the key-moment flag the data gave. */
  keyMoment: z.boolean().nullable(),
  hidden: z.boolean(),
  hiddenReason: z.string().nullable(),
  note: z.string().nullable(),
  evidence: z.array(z.string()),
  version: z.number().int().positive(),
  updatedBy: z.string(),
  updatedAt: isoTime,
});
export type TimelineAnnotation = z.infer<typeof TimelineAnnotationSchema>;

export const REVIEW_ENTITY_TYPES = ['review', 'section', 'answer', 'timeline-event', 'timeline-annotation', 'finding', 'action-item', 'task', 'template'] as const;
export type ReviewEntityType = (typeof REVIEW_ENTITY_TYPES)[number];

/** One recorded change: who changed which field of what, when, from what to what. */
export const ReviewChangeSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  entityType: z.enum(REVIEW_ENTITY_TYPES),
  entityId: z.string(),
  field: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  actor: z.string(),
  at: isoTime,
  /** The entity's version after the change. */
  version: z.number().int(),
});
export type ReviewChange = z.infer<typeof ReviewChangeSchema>;

/** How a list of action items across incidents can be ordered. */
export const ACTION_SORT_KEYS = ['due', 'priority', 'status', 'owner', 'title', 'incident', 'created', 'updated'] as const;
export type ActionSortKey = (typeof ACTION_SORT_KEYS)[number];

/** An action item in a list across incidents: with the title of its incident. */
export const ListedActionItemSchema = ActionItemSchema.extend({ incidentTitle: z.string() });
export type ListedActionItem = z.infer<typeof ListedActionItemSchema>;
