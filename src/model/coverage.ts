import { z } from 'zod';

/**
 * A technique a post-incident review confirmed for an incident: what the attacker did as the
 * reviewers established it, kept apart from the techniques the alerts carried. Comparing the two
 * tells which detections fired and which were missed.
 */
export const ConfirmedTechniqueSchema = z.object({
  /** Hindsight's incident id (`inc_...`). */
  incidentId: z.string().min(1),
  /** ATT&CK technique ID, upper-case (`T1059.001`). */
  techniqueId: z.string().regex(/^T\d{4}(\.\d{3})?$/),
  confirmedBy: z.string().nullable().default(null),
  confirmedAt: z.string(),
  note: z.string().nullable().default(null),
});
export type ConfirmedTechnique = z.infer<typeof ConfirmedTechniqueSchema>;
