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

/** How often one technique ID (as the alerts wrote it) appears across stored alerts. */
export interface AlertTechniqueCount {
  techniqueId: string;
  alerts: number;
  /** Distinct incidents those alerts belong to. */
  incidents: number;
}

/** A technique a post-incident review confirmed for an incident. */
export interface ConfirmedTechniqueRow {
  incidentId: string;
  techniqueId: string;
}

/** The technique IDs the alerts of one incident carried (only for incidents with confirmed techniques). */
export interface IncidentAlertTechniqueRow {
  incidentId: string;
  techniqueId: string;
  alerts: number;
}

/** Everything the coverage analysis needs from the incident store. */
export interface IncidentCoverageAggregate {
  /** Per technique ID: alerts carrying it and distinct incidents. */
  alertTechniques: AlertTechniqueCount[];
  /** Techniques reviews confirmed, per incident. */
  confirmed: ConfirmedTechniqueRow[];
  /** The technique IDs carried by alerts of the incidents that have confirmed techniques. */
  alertTechniquesOfConfirmedIncidents: IncidentAlertTechniqueRow[];
}
