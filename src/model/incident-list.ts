import { z } from 'zod';
import { storedTime } from './stored-time.js';

/** One row of the incident list: the incident's own fields, its review state and how many alerts it has. */
export const IncidentListRowSchema = z.object({
  id: z.string(),
  source: z.string(),
  sourceId: z.string(),
  title: z.string(),
  severity: z.string(),
  status: z.string(),
  classification: z.string().nullable(),
  createdAt: storedTime,
  updatedAt: storedTime,
  /** The review's state; `not-required` when the policy never looked at the incident. */
  reviewState: z.string(),
  alertCount: z.number().int(),
});
export type IncidentListRow = z.infer<typeof IncidentListRowSchema>;

/** One page of the incident list, and how many incidents match in all. */
export const IncidentPageSchema = z.object({
  total: z.number().int(),
  incidents: z.array(IncidentListRowSchema),
});
