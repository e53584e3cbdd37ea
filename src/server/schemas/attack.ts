import { z } from 'zod';
import { AttackMatrixSchema, AttackObjectDescriptionSchema } from '../../model/attack-views.js';
import { nameSchema } from './registry.js';

nameSchema(AttackMatrixSchema, 'AttackMatrix', 'The ATT&CK matrix: tactics in order, their techniques and sub-techniques.');
nameSchema(AttackObjectDescriptionSchema, 'AttackObject', 'One ATT&CK object with its relations spelled out as ID + name.');

export { AttackMatrixSchema, AttackObjectDescriptionSchema };

/** The incidents that showed a technique. */
export const TechniqueIncidentsSchema = z.object({
  technique: z.string(),
  /** All matching incidents the reader may see (the list holds at most `limit`). */
  total: z.number().int(),
  incidents: z.array(z.object({ id: z.string(), title: z.string(), severity: z.string(), status: z.string(), createdAt: z.string(), alerts: z.number().int().describe('alerts of the incident that carry the technique') })),
});
nameSchema(TechniqueIncidentsSchema, 'TechniqueIncidents', 'The incidents that showed an ATT&CK technique.');
