import { z } from 'zod';
import { isoTime } from './incident.js';

/** The phases of incident response a timeline event can be tagged with (NIST SP 800-61). */
export const RESPONSE_PHASES = ['detection', 'triage', 'containment', 'eradication', 'recovery', 'notification'] as const;
export type ResponsePhase = (typeof RESPONSE_PHASES)[number];

export const TIMELINE_EVENT_KINDS = [
  'activity-start',
  'activity-end',
  'alert-created',
  'alert-resolved',
  'status-change',
  'comment',
  'evidence',
  'incident-created',
  'incident-resolved',
  'manual',
] as const;

/** One event in an incident's sequence of events. */
export const TimelineEventSchema = z.object({
  /** Stable within the incident: derived events get a deterministic id, hand-written ones a generated one. */
  id: z.string(),
  at: isoTime,
  kind: z.enum(TIMELINE_EVENT_KINDS),
  title: z.string(),
  detail: z.string().nullable().default(null),
  /** The alert the event belongs to (its source id), if any. */
  alertId: z.string().nullable().default(null),
  /** ATT&CK techniques of the event (the alert's), as given. */
  techniques: z.array(z.string()).default([]),
  /** `data` for events built from imported records; `manual` for events the review team wrote. */
  origin: z.enum(['data', 'manual']).default('data'),
  phase: z.enum(RESPONSE_PHASES).nullable().default(null),
  /** How the phase was set: by a person, or inferred from the event's text. */
  phaseSource: z.enum(['manual', 'inferred', 'status']).nullable().default(null),
  keyMoment: z.boolean().default(false),
  actor: z.string().nullable().default(null),
});
export type TimelineEvent = z.infer<typeof TimelineEventSchema>;
