import { z } from 'zod';
import { IncidentActorsSchema } from '../../model/attribution.js';
import { IncidentListRowSchema, IncidentPageSchema } from '../../model/incident-list.js';
import { NavigatorLayerSchema } from '../../model/navigator.js';
import { ReviewReportSchema, ReviewTimelineEventSchema } from '../../model/review-report.js';
import { TimelineEventSchema } from '../../model/timeline.js';
import { nameSchema } from './registry.js';
import { ManualTimelineEventSchema, ReviewRecordSchema, TimelineAnnotationSchema } from './review.js';

nameSchema(IncidentListRowSchema, 'IncidentListRow');
nameSchema(ReviewReportSchema, 'ReviewReport', 'The finished review of one incident: the evidence-backed report with the stored review merged in.');
nameSchema(TimelineEventSchema, 'TimelineEvent');
nameSchema(ReviewTimelineEventSchema, 'ReviewTimelineEvent', "A timeline event as the review shows it, with the review's annotations.");
nameSchema(NavigatorLayerSchema, 'NavigatorLayer', 'An ATT&CK Navigator layer (format 4.5).');
nameSchema(IncidentActorsSchema, 'IncidentActors', 'Who probably did it: ranked ATT&CK groups and campaigns with the reasons, or the statement that the evidence does not support attribution.');

export { IncidentPageSchema, NavigatorLayerSchema, ReviewReportSchema };

/** The incident detail: the full review, the stored record, who it is restricted to, and the review's own timeline entries. */
export const IncidentDetailSchema = z.object({
  report: ReviewReportSchema,
  review: ReviewRecordSchema,
  /** User names the incident is restricted to (empty: everyone signed in). */
  restrictedTo: z.array(z.string()),
  manualEvents: z.array(ManualTimelineEventSchema),
  annotations: z.array(TimelineAnnotationSchema),
});

/** The review report downloaded in each format (`format=md|html|pdf|json`). */
export const ReportDownloadResponse = {
  description: 'The review report as a file (content-disposition: attachment).',
  content: {
    'text/markdown': { schema: z.string() },
    'text/html': { schema: z.string() },
    'application/pdf': { schema: z.custom<Buffer>((value) => Buffer.isBuffer(value)).meta({ type: 'string', format: 'binary' }) },
    'application/json': { schema: ReviewReportSchema },
  },
};

export const CoverageLayersSchema = z.object({
  /** False when the server was started without detection rules (then `reason` says how to give them). */
  available: z.boolean(),
  rules: z.number().int(),
  /** Coverage, threat relevance and gaps, in that order. */
  layers: z.array(NavigatorLayerSchema),
  reason: z.string().optional(),
});

export const IncidentAttributionSchema = IncidentActorsSchema.extend({ incident: z.string() });

export const ImportAnswerSchema = z.object({
  summary: z.object({ incidents: z.number().int(), alerts: z.number().int(), created: z.number().int(), updated: z.number().int(), unchanged: z.number().int() }),
  results: z.array(z.object({ id: z.string(), source: z.string(), sourceId: z.string(), outcome: z.enum(['created', 'updated', 'unchanged']) })),
  /** The review state of each created or updated incident after the review policy was applied. */
  reviews: z.array(z.object({ id: z.string(), state: z.string(), required: z.boolean(), rules: z.array(z.string()) })),
  /** Per file: the format it was read as, every format its records had (a mixed NDJSON file), incidents and alerts. */
  files: z.array(z.object({ file: z.string(), format: z.string(), formats: z.array(z.string()), incidents: z.number().int(), alerts: z.number().int() })),
  /** The technique IDs the alerts carry against the loaded ATT&CK version: mapped back through the v18-to-v19 crosswalk, or unknown (kept as sent). */
  techniques: z.object({ seen: z.number().int(), mapped: z.array(z.object({ id: z.string(), to: z.string() })), unknown: z.array(z.string()) }),
  /** What was imported but deserves a look: ids a file holds twice, invalid UTF-8 (file and line). */
  warnings: z.array(z.string()),
});

/** How an upload is read: the format (default: told per record) and how alerts that name no incident are grouped. */
export const ImportQuery = z.object({
  format: z.string().max(20).optional(),
  groupBy: z.string().max(100).optional(),
  window: z.string().max(20).optional(),
  incidentTitle: z.string().max(500).optional(),
});

export const IncidentAccessSchema = z.object({
  incident: z.string(),
  /** User names it is restricted to (empty: everyone signed in). */
  restrictedTo: z.array(z.string()),
});
